"""What a clerk reads when a database constraint refuses a write: never the constraint's name.

Forms and services check first and name the field; these messages are for what still reaches the
database (a race between two clerks, a path that forgot a check). ``ConstraintErrorMiddleware`` turns
the IntegrityError into the application's 400 page with the message for the constraint, and the
project's translation of Django's "Constraint “%(name)s” is violated." (locale/zh_Hans) keeps the name
out of model validation as well.
"""

import logging

from django.db import IntegrityError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

MESSAGES = {
    "child_id_number_shape": gettext_lazy("身份证号应为18位：前17位为数字，最后一位为数字或X。"),
    "child_unique_id_number": gettext_lazy("该身份证号已登记在另一份儿童档案中，请先查询，不要重复建档。"),
    "child_id_or_reason": gettext_lazy("没有身份证号时须填写原因（如弃婴尚未落户）。"),
    "child_disability_grade_range": gettext_lazy("残疾等级应为1到4级。"),
    "classification_one_open_per_kind": gettext_lazy("儿童已有未终止的该类别。"),
    "classification_end_after_start": gettext_lazy("终止日期不能早于起始日期。"),
    "carer_one_primary": gettext_lazy("每名儿童只能有一位主要照料人。"),
    "village_unique_name": gettext_lazy("该乡镇已有同名的村（社区）。"),
    "standard_one_per_month": gettext_lazy("该项目在这个月份已有标准，请修改原有标准。"),
    "standard_amount_not_negative": gettext_lazy("标准金额不能为负数。"),
    "enrolment_confirmer_not_applicant": gettext_lazy("申请人不能确认自己提交的申请，须由另一人确认。"),
    "batch_approver_not_runner": gettext_lazy("计算批次的人不能审批同一批次，须由另一人审批。"),
    "adoption_one_open_case": gettext_lazy("该儿童已有一件未办结的收养案件。"),
    "adoption_unique_certificate": gettext_lazy("该收养登记证号已被使用。"),
    "applicant_unique_in_case": gettext_lazy("该收养申请人已在本案中。"),
    "handout_once_per_child": gettext_lazy("该儿童在本次活动中已登记过发放。"),
}


def constraint_name(error: IntegrityError) -> str | None:
    """The violated constraint's name: PostgreSQL's diagnostics, else SQLite's "CHECK constraint failed: x"."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(error)
    for name in MESSAGES:
        if name in text:
            return name
    return None


def constraint_message(error: IntegrityError) -> str:
    message = MESSAGES.get(constraint_name(error) or "")
    return str(message) if message else _("保存的内容不符合数据规则，没有保存。请检查填写的内容后重试。")


class ConstraintErrorMiddleware:
    """An IntegrityError that escapes a view becomes a 400 page saying, in Chinese, what the rule is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        logger.warning("Refused by constraint %s: %s", constraint_name(exception), exception)
        return render(request, "400.html", {"reason": constraint_message(exception)}, status=400)
