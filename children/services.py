"""Every write to the registry that spans rows or leaves an audit entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import diff, log_action, snapshot
from dingzhou_welfare.models import AuditEntry

from . import hooks
from .models import (
    Carer,
    Child,
    ChildDocument,
    Classification,
    ClassificationReview,
    NotDuplicate,
    ParentSituation,
    PaymentAccount,
)
from .rules import classification_problems, matrix_situations, next_review_after

Action = AuditEntry.Action


def _refresh_duplicate_flags(name: str, birth_date, township_id) -> None:
    """Flag children sharing name, birth date and township where at least one of a pair has no ID,
    unless someone checked that pair and found two children (NotDuplicate, 不是重复).

    Recomputed for the whole group, so a corrected name or birth date also clears the flag.
    """
    group = list(
        Child.objects.filter(name=name, birth_date=birth_date, township_id=township_id).values_list("pk", "id_number")
    )
    members = {pk for pk, _number in group}
    flagged = set()
    if len(group) > 1 and any(not number for _pk, number in group):
        checked = set(NotDuplicate.objects.filter(first__in=members, second__in=members).values_list("first", "second"))
        for a, a_number in group:
            for b, b_number in group:
                if a < b and (not a_number or not b_number) and (a, b) not in checked:
                    flagged |= {a, b}
    Child.objects.filter(pk__in=flagged, likely_duplicate=False).update(likely_duplicate=True)
    Child.objects.filter(pk__in=members - flagged, likely_duplicate=True).update(likely_duplicate=False)


def likely_duplicates_of(child: Child):
    """The other children the likely-duplicate rule pairs with `child`, not yet checked as two children."""
    if not child.likely_duplicate:
        return Child.objects.none()
    others = Child.objects.filter(name=child.name, birth_date=child.birth_date, township_id=child.township_id).exclude(
        pk=child.pk
    )
    if child.id_number:
        others = others.filter(id_number="")
    checked = NotDuplicate.objects.filter(Q(first=child) | Q(second=child)).values_list("first", "second")
    return others.exclude(pk__in={pk for pair in checked for pk in pair})


@transaction.atomic
def mark_not_duplicate(*, actor, child: Child, other: Child, reason: str) -> NotDuplicate:
    """Someone checked the two records and found two children: the pair's warning goes (audited on both)."""
    if other.pk == child.pk or other.pk not in set(likely_duplicates_of(child).values_list("pk", flat=True)):
        raise ValidationError(_("这两份档案不在疑似重复之列。"))
    first, second = sorted((child, other), key=lambda c: c.pk)
    pair = NotDuplicate.objects.create(first=first, second=second, reason=reason, decided_by=actor)
    _refresh_duplicate_flags(child.name, child.birth_date, child.township_id)
    for one, another in ((child, other), (other, child)):
        log_action(
            actor=actor,
            action=Action.DECISION,
            obj=one,
            child=one,
            summary=_("核实不是重复：与%(name)s（档案 %(pk)s）为两名儿童") % {"name": another.name, "pk": another.pk},
            changes={"other_child": another.pk, "reason": reason},
        )
    child.refresh_from_db(fields=["likely_duplicate"])
    return pair


@transaction.atomic
def create_child(*, actor, data: dict) -> Child:
    child = Child(**data)
    child.full_clean()
    child.save()
    _refresh_duplicate_flags(child.name, child.birth_date, child.township_id)
    child.refresh_from_db(fields=["likely_duplicate"])
    log_action(
        actor=actor,
        action=Action.CREATE,
        obj=child,
        child=child,
        summary=_("新建儿童档案"),
        changes=diff({}, snapshot(child)),
    )
    return child


@transaction.atomic
def update_child(*, actor, child: Child, data: dict) -> Child:
    stored = Child.objects.get(pk=child.pk)
    before = snapshot(stored)
    for name, value in data.items():
        setattr(child, name, value)
    child.full_clean()
    child.save()
    _refresh_duplicate_flags(stored.name, stored.birth_date, stored.township_id)
    _refresh_duplicate_flags(child.name, child.birth_date, child.township_id)
    child.refresh_from_db(fields=["likely_duplicate"])
    changes = diff(before, snapshot(child))
    if changes:
        log_action(
            actor=actor, action=Action.UPDATE, obj=child, child=child, summary=_("修改儿童信息"), changes=changes
        )
    return child


@transaction.atomic
def add_classification(*, actor, child: Child, kind: str, start_date: datetime.date, note: str = "") -> Classification:
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status != Child.Status.ACTIVE:
        raise ValidationError({"kind": _("该儿童已于 %(d)s 销档，不能再认定类别。") % {"d": child.closed_on}})
    open_kinds = set(child.classifications.open().values_list("kind", flat=True))
    if kind in open_kinds:
        raise ValidationError({"kind": _("儿童已有未终止的该类别。")})
    problems = classification_problems(
        child,
        kind,
        start_date,
        parents=matrix_situations(child, start_date),
        open_kinds=open_kinds,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError({"kind": problems})
    entry = Classification(
        child=child, kind=kind, start_date=start_date, note=note, next_review=next_review_after(kind, start_date)
    )
    entry.full_clean()
    entry.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=entry,
        child=child,
        summary=_("认定为%(k)s") % {"k": entry.get_kind_display()},
        changes={str(_("儿童类别")): [None, entry.get_kind_display()], str(_("起始日期")): [None, str(start_date)]},
    )
    hooks.fire(hooks.CLASSIFICATION_ADDED, actor=actor, classification=entry)
    return entry


@transaction.atomic
def end_classification(
    *, actor, classification: Classification, end_date: datetime.date, reason: str, note: str = ""
) -> Classification:
    entry = Classification.objects.select_for_update().get(pk=classification.pk)
    if entry.end_date is not None:
        raise ValidationError(_("该类别已于 %(d)s 终止。") % {"d": entry.end_date})
    if end_date < entry.start_date:
        raise ValidationError({"end_date": _("终止日期不能早于起始日期 %(d)s。") % {"d": entry.start_date}})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": _("终止日期不能晚于今天。")})
    if not reason:
        raise ValidationError({"end_reason": _("请选择终止原因。")})
    entry.end_date, entry.end_reason, entry.next_review = end_date, reason, None
    if note:
        entry.note = note
    entry.full_clean()
    entry.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=entry,
        child=entry.child,
        summary=_("终止类别：%(k)s（%(r)s）") % {"k": entry.get_kind_display(), "r": entry.get_end_reason_display()},
        changes={str(_("终止日期")): [None, str(end_date)], str(_("终止原因")): [None, entry.get_end_reason_display()]},
    )
    hooks.fire(hooks.CLASSIFICATION_ENDED, actor=actor, classification=entry)
    return entry


@transaction.atomic
def record_review(
    *,
    actor,
    classification: Classification,
    reviewed_on: datetime.date,
    outcome: str,
    evidence: str,
    evidence_file=None,
    end_reason: str = "",
) -> ClassificationReview:
    """Record the annual review (年度复核) of an open classification and set the next one.

    "Ended" ends the classification through `end_classification`, so the hooks reach the
    enrolments in this same transaction; the other outcomes move the next review one interval on.
    """
    entry = Classification.objects.select_for_update().select_related("child").get(pk=classification.pk)
    evidence = evidence.strip()
    if entry.end_date is not None:
        raise ValidationError(_("该类别已于 %(d)s 终止，无需复核。") % {"d": entry.end_date})
    if not evidence:
        raise ValidationError({"evidence": _("请填写复核依据（走访、核查的情况及材料）。")})
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("复核日期不能晚于今天。")})
    if reviewed_on < entry.start_date:
        raise ValidationError({"reviewed_on": _("复核日期不能早于类别起始日期 %(d)s。") % {"d": entry.start_date}})
    if outcome not in ClassificationReview.Outcome.values:
        raise ValidationError({"outcome": _("请选择复核结论。")})
    ended = outcome == ClassificationReview.Outcome.ENDED
    if ended and not end_reason:
        raise ValidationError({"end_reason": _("复核结论为终止的，请选择终止原因。")})
    document = None
    if evidence_file is not None:
        document = add_document(actor=actor, child=entry.child, kind=ChildDocument.Kind.OTHER, upload=evidence_file,
                                note=_("年度复核材料"))  # fmt: skip
    review = ClassificationReview.objects.create(
        classification=entry,
        reviewed_on=reviewed_on,
        outcome=outcome,
        evidence=evidence,
        document=document,
        due_on=entry.next_review,
        next_review=None if ended else next_review_after(entry.kind, reviewed_on),
        reviewed_by=actor,
    )
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=entry,
        child=entry.child,
        summary=_("年度复核%(k)s：%(o)s") % {"k": entry.get_kind_display(), "o": review.get_outcome_display()},
        changes={str(_("下次复核日期")): [str(entry.next_review or ""), str(review.next_review or "")]},
    )
    if ended:
        end_classification(
            actor=actor, classification=entry, end_date=reviewed_on, reason=end_reason, note=_("年度复核终止")
        )
    else:
        entry.next_review = review.next_review
        entry.save(update_fields=["next_review"])
    return review


EVIDENCE_KINDS = {
    ParentSituation.Situation.DEAD: ChildDocument.Kind.DEATH_CERTIFICATE,
    ParentSituation.Situation.DECLARED_MISSING: ChildDocument.Kind.COURT_JUDGMENT,
    ParentSituation.Situation.GUARDIANSHIP_REVOKED: ChildDocument.Kind.COURT_JUDGMENT,
    ParentSituation.Situation.IMPRISONED: ChildDocument.Kind.COURT_JUDGMENT,
    ParentSituation.Situation.LOST_CONTACT: ChildDocument.Kind.POLICE_STATEMENT,
    ParentSituation.Situation.SEVERE_DISABILITY: ChildDocument.Kind.DISABILITY_CERTIFICATE,
}


@transaction.atomic
def record_parent_situation(*, actor, child: Child, data: dict, evidence_file=None) -> ParentSituation:
    record = ParentSituation(child=child, **data)
    record.full_clean()
    if evidence_file is not None:
        kind = EVIDENCE_KINDS.get(record.situation, ChildDocument.Kind.OTHER)
        record.document = add_document(
            actor=actor,
            child=child,
            kind=kind,
            upload=evidence_file,
            note=_("%(p)s情况证明") % {"p": record.get_parent_display()},
        )
    record.save()
    log_action(
        actor=actor,
        action=Action.CREATE,
        obj=record,
        child=child,
        summary=_("登记%(p)s情况：%(s)s") % {"p": record.get_parent_display(), "s": record.get_situation_display()},
        changes=diff(
            {},
            snapshot(
                record, fields={"parent", "name", "situation", "start_date", "term_months", "evidence", "work_place"}
            ),
        ),
    )
    hooks.fire(hooks.PARENT_SITUATION_RECORDED, actor=actor, child=child, situation=record)
    return record


@transaction.atomic
def save_carer(*, actor, child: Child, data: dict, carer: Carer | None = None) -> Carer:
    # From the database: a bound ModelForm has already written the new values onto `carer`.
    before = snapshot(Carer.objects.get(pk=carer.pk)) if carer else {}
    carer = carer or Carer(child=child)
    for name, value in data.items():
        setattr(carer, name, value)
    if carer.is_primary:
        child.carers.exclude(pk=carer.pk).filter(is_primary=True).update(is_primary=False)
    carer.full_clean()
    carer.save()
    changes = diff(before, snapshot(carer))
    if changes:
        log_action(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=carer,
            child=child,
            summary=_("监护人/照料人：%(n)s") % {"n": carer.name},
            changes=changes,
        )
    return carer


@transaction.atomic
def save_payment_account(*, actor, child: Child, data: dict) -> PaymentAccount:
    account = PaymentAccount.objects.filter(child=child).first()
    before = snapshot(account) if account else {}
    account = account or PaymentAccount(child=child)
    for name, value in data.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    changes = diff(before, snapshot(account))
    if changes:
        log_action(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=account,
            child=child,
            summary=_("发放账户"),
            changes=changes,
        )
    return account


@transaction.atomic
def add_document(*, actor, child: Child, kind: str, upload, note: str = "") -> ChildDocument:
    document = ChildDocument(
        child=child,
        kind=kind,
        file=upload,
        original_name=upload.name[:200],
        content_type=upload.content_type,
        size=upload.size,
        note=note,
        uploaded_by=actor,
    )
    document.save()
    log_action(
        actor=actor,
        action=Action.UPLOAD,
        obj=document,
        child=child,
        summary=_("上传%(k)s：%(n)s") % {"k": document.get_kind_display(), "n": document.original_name},
    )
    return document


def record_reveal(*, actor, child: Child, what: str) -> None:
    log_action(
        actor=actor, action=Action.REVEAL, obj=child, child=child, summary=_("查看完整信息：%(w)s") % {"w": what}
    )


def record_download(*, actor, document: ChildDocument) -> None:
    log_action(
        actor=actor,
        action=Action.DOWNLOAD,
        obj=document,
        child=document.child,
        summary=_("查看材料：%(n)s") % {"n": document.original_name},
    )


CLOSING_END_REASONS = {
    Child.ClosedReason.AGED_OUT: Classification.EndReason.TURNED_18,
    Child.ClosedReason.ADOPTED: Classification.EndReason.ADOPTED,
    Child.ClosedReason.DIED: Classification.EndReason.DIED,
    Child.ClosedReason.MOVED_AWAY: Classification.EndReason.MOVED_AWAY,
    Child.ClosedReason.OTHER: Classification.EndReason.OTHER,
}


@transaction.atomic
def close_child(*, actor, child: Child, reason: str, closed_on: datetime.date, note: str = "") -> Child:
    """Take a child off the active registry.

    Every open classification ends the same day with the same reason; the handlers of
    `hooks.CHILD_CLOSED` stop payments by each programme's stop rule and refuse pending
    applications, in the same transaction.
    """
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status == Child.Status.CLOSED:
        raise ValidationError(_("该档案已于 %(d)s 销档。") % {"d": child.closed_on})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("销档日期不能晚于今天。")})
    if closed_on < child.birth_date:
        raise ValidationError({"closed_on": _("销档日期不能早于出生日期。")})
    # Payments end first, with the closing's own reason (subsidies registers the handler: children/hooks.py).
    hooks.fire(hooks.CHILD_CLOSED, actor=actor, child=child, reason=reason, closed_on=closed_on)
    for entry in child.classifications.open():
        end_classification(
            actor=actor,
            classification=entry,
            end_date=max(closed_on, entry.start_date),
            reason=CLOSING_END_REASONS[reason],
            note=note,
        )
    before = snapshot(child, fields={"status", "closed_reason", "closed_on"})
    child.status, child.closed_reason, child.closed_on = Child.Status.CLOSED, reason, closed_on
    child.save(update_fields=["status", "closed_reason", "closed_on", "updated_at"])
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=child,
        child=child,
        summary=_("销档：%(r)s%(n)s") % {"r": child.get_closed_reason_display(), "n": f"（{note}）" if note else ""},
        changes=diff(before, snapshot(child, fields={"status", "closed_reason", "closed_on"})),
    )
    return child
