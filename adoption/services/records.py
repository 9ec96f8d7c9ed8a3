"""Reads that are audited: a document downloaded, a printout, a full ID number revealed."""

from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action

from ..models import (
    AdoptionCase,
    CaseDocument,
)
from .workflow import Action


def record_download(*, actor, document: CaseDocument) -> None:
    log_action(
        actor=actor,
        action=Action.DOWNLOAD,
        obj=document,
        child=document.case.child,
        summary=_("查看收养材料：%(n)s") % {"n": document.original_name},
    )


def record_print(*, actor, case: AdoptionCase, what: str) -> None:
    """A printed document carries personal data in full: the print is an export, and audited."""
    log_action(
        actor=actor,
        action=Action.EXPORT,
        obj=case,
        child=case.child,
        summary=_("打印%(w)s（案件 %(n)s）") % {"w": what, "n": case.number},
    )
