"""Every write of an adoption case: one transaction each, with its step and its audit entry.

The workflow (DOMAIN.md 3):

    申请 application → 初审 review → 收养评估 assessment → 融合期 integration → 登记审查 decision
        → 已登记 registered | 不予登记 refused;   any open state → 已撤回 withdrawn

A move checks the state it starts from (a step cannot be skipped or repeated) and what the next state
needs (`gaps`); the case page lists the same gaps as "what is missing".

One module per stage: `workflow` (the transitions, the move, what each move needs), `application`
(the case, its parties and documents; 受理), `assessment` (评估 and 融合期), `registration` (公告, 登记,
不予登记, 撤回), `records` (audited reads). Views, tasks, the demo and tests call them through this package.
"""

from .application import add_document, open_case, save_applicant, submit_application, update_case
from .assessment import complete_assessment, record_findings, start_assessment, start_integration
from .records import record_download, record_print
from .registration import certificate_number, record_notice, refuse_registration, register_adoption, withdraw_case
from .workflow import (
    APPLICANT_DOCUMENTS,
    CHILD_DOCUMENTS,
    NEXT_MOVE,
    PLACER_DOCUMENTS,
    TRANSITIONS,
    assessment_of,
    document_gaps,
    gaps,
    registration_gaps,
)

__all__ = [
    "APPLICANT_DOCUMENTS",
    "CHILD_DOCUMENTS",
    "NEXT_MOVE",
    "PLACER_DOCUMENTS",
    "TRANSITIONS",
    "add_document",
    "assessment_of",
    "certificate_number",
    "complete_assessment",
    "document_gaps",
    "gaps",
    "open_case",
    "record_download",
    "record_findings",
    "record_notice",
    "record_print",
    "refuse_registration",
    "register_adoption",
    "registration_gaps",
    "save_applicant",
    "start_assessment",
    "start_integration",
    "submit_application",
    "update_case",
    "withdraw_case",
]
