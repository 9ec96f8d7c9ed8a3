"""How a case ends: the search notice for a foundling (寻亲公告), registration (收养登记) or refusal, withdrawal."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from children.models import Child
from dingzhou_welfare.audit import diff, log_action, snapshot

from ..models import (
    AdoptionCase,
    CertificateCounter,
    State,
)
from .workflow import (
    Action,
    lock_for_move,
    make_move,
    not_after_today,
    registration_gaps,
)


@transaction.atomic
def record_notice(*, actor, case: AdoptionCase, published_on: datetime.date, medium: str) -> AdoptionCase:
    """The public search notice for a foundling (寻亲公告); registration waits 60 days after it."""
    case = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    if not case.needs_notice:
        raise ValidationError(_("只有查找不到生父母的弃婴、儿童（非机构）须发布寻亲公告。"))
    if case.state not in (State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION):
        raise ValidationError(
            _("案件受理后、登记前登记寻亲公告（案件当前为“%(s)s”）。") % {"s": case.get_state_display()}
        )
    not_after_today("published_on", published_on, _("公告发布日期"))
    if published_on < case.applied_on:
        raise ValidationError({"published_on": _("公告发布日期不能早于申请日期 %(d)s。") % {"d": case.applied_on}})
    if not medium.strip():
        raise ValidationError({"medium": _("请填写公告刊登的报纸或网站。")})
    before = snapshot(case, fields={"notice_published_on", "notice_medium"})
    case.notice_published_on, case.notice_medium = published_on, medium.strip()
    case.save()
    log_action(
        actor=actor,
        action=Action.UPDATE,
        obj=case,
        child=case.child,
        summary=_("寻亲公告：%(d)s 发布，%(e)s 期满")
        % {"d": published_on.isoformat(), "e": case.notice_ends_on.isoformat()},
        changes=diff(before, snapshot(case, fields={"notice_published_on", "notice_medium"})),
    )
    return case


def certificate_number(year: int) -> str:
    """The next 收养登记证 number of the year: the counter row is locked until the registration commits.

    A registration that fails rolls the counter back with it, so a number is never handed out twice
    and never skipped by an error; two registrations at once queue on the row.
    """
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.BUREAU_DIVISION_CODE}-{year}-{counter.last:05d}"


@transaction.atomic
def register_adoption(*, actor, case: AdoptionCase, registered_on: datetime.date, note: str = "") -> AdoptionCase:
    """收养登记: the adoption takes effect this day (民法典 1105).

    The child leaves the active registry (销档, reason 被收养): every open classification ends that day
    and every enrolment is ended with the reason 'adopted', so payment stops from the following month.
    """
    from children.services import close_child

    case = lock_for_move(case, "register")
    not_after_today("registered_on", registered_on, _("登记日期"))
    if registered_on < case.integration_end:
        raise ValidationError(
            {"registered_on": _("登记日期不能早于融合期结束日期 %(d)s。") % {"d": case.integration_end.isoformat()}}
        )
    missing = registration_gaps(case, registered_on)
    if missing:
        raise ValidationError(missing)
    number = certificate_number(registered_on.year)
    case.registered_on, case.certificate_number = registered_on, number
    make_move(
        actor=actor,
        case=case,
        move="register",
        note=note or _("准予登记，收养登记证号 %(c)s") % {"c": number},
        changes={str(_("登记日期")): [None, registered_on.isoformat()], str(_("收养登记证号")): [None, number]},
    )
    close_child(
        actor=actor,
        child=case.child,
        reason=Child.ClosedReason.ADOPTED,
        closed_on=registered_on,
        note=_("收养登记证号 %(c)s") % {"c": number},
    )
    return case


@transaction.atomic
def refuse_registration(*, actor, case: AdoptionCase, reason: str) -> AdoptionCase:
    """不予登记, with the reasons the applicants are told."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明不予登记的理由。")})
    case = lock_for_move(case, "refuse")
    case.refusal_reason = reason.strip()
    return make_move(
        actor=actor, case=case, move="refuse", note=reason, changes={str(_("理由")): [None, reason.strip()]}
    )


@transaction.atomic
def withdraw_case(*, actor, case: AdoptionCase, reason: str) -> AdoptionCase:
    """The applicants withdraw their application."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤回原因。")})
    case = lock_for_move(case, "withdraw")
    case.withdrawal_reason = reason.strip()[:300]
    return make_move(
        actor=actor, case=case, move="withdraw", note=reason, changes={str(_("原因")): [None, reason.strip()]}
    )
