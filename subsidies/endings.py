"""Every ending in the registry reaches the enrolments it affects (DESIGN.md 3.1).

These are the handlers of `children.hooks`, registered in `SubsidiesConfig.ready()`. Each runs
inside the registry service's transaction, so the ending and its consequence for the payments
commit together; each enrolment ended or suspended is audited by the service that does it
(`end_enrolment`, `suspend_enrolment`), with the reason and the last paid month.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child, Classification, ParentSituation, add_years
from children.rules import DE_FACTO_KINDS, ORPHAN_KINDS, matrix_situations, matrix_supports

from .models import Enrolment, Programme
from .services import end_enrolment, end_enrolment_earlier, refuse_enrolment, suspend_enrolment

Status = Enrolment.Status
Reason = Enrolment.EndReason

CLOSING_REASONS = {
    Child.ClosedReason.AGED_OUT: Reason.TURNED_18,
    Child.ClosedReason.ADOPTED: Reason.ADOPTED,
    Child.ClosedReason.DIED: Reason.DIED,
    Child.ClosedReason.MOVED_AWAY: Reason.MOVED_AWAY,
    Child.ClosedReason.OTHER: Reason.OTHER,
}
CLASSIFICATION_REASONS = {
    Classification.EndReason.TURNED_18: Reason.TURNED_18,
    Classification.EndReason.ADOPTED: Reason.ADOPTED,
    Classification.EndReason.DIED: Reason.DIED,
    Classification.EndReason.SITUATION_CHANGED: Reason.SITUATION_CHANGED,
    Classification.EndReason.MOVED_AWAY: Reason.MOVED_AWAY,
}
# The categories the 62号 matrix decides from the parents' situations.
PARENT_DECIDED_KINDS = ORPHAN_KINDS | DE_FACTO_KINDS


def _supported(kind: str, parents: dict) -> bool:
    father, mother = parents.get(ParentSituation.Parent.FATHER), parents.get(ParentSituation.Parent.MOTHER)
    return matrix_supports(kind, father, mother)


@transaction.atomic
def end_for_closing(*, actor, child: Child, reason: str, closed_on: datetime.date) -> None:
    """A closed file (death, moved away, adoption...) ends the payments and refuses what is pending."""
    end_reason = CLOSING_REASONS.get(reason, Reason.OTHER)
    for enrolment in Enrolment.objects.filter(child=child, status__in=[Status.CONFIRMED, Status.SUSPENDED]):
        end_enrolment(actor=actor, enrolment=enrolment, reason=end_reason, event_day=closed_on)
    for enrolment in Enrolment.objects.filter(child=child, status__in=[Status.APPLIED, Status.CHECKED]):
        refuse_enrolment(actor=actor, enrolment=enrolment, reason=_("儿童已销档"))
    for enrolment in Enrolment.objects.filter(child=child, status=Status.ENDED):
        end_enrolment_earlier(actor=actor, enrolment=enrolment, reason=end_reason, event_day=closed_on)


@transaction.atomic
def end_for_classification(*, actor, classification: Classification) -> None:
    """A category ended: the programmes that needed it end, unless another qualifying category holds
    or, at the age limit, the programme's in-school extension carries the payment on."""
    child, end = classification.child, classification.end_date
    still_held = set(
        Classification.objects.filter(child=child, start_date__lte=end)
        .exclude(pk=classification.pk)
        .exclude(end_date__lte=end)
        .values_list("kind", flat=True)
    )
    reason = CLASSIFICATION_REASONS.get(classification.end_reason, Reason.CLASSIFICATION_ENDED)
    note = _("儿童类别“%(k)s”于 %(d)s 终止（%(r)s）") % {
        "k": classification.get_kind_display(),
        "d": end.isoformat(),
        "r": classification.get_end_reason_display(),
    }
    affected = Enrolment.objects.filter(child=child).select_related("programme")
    for enrolment in affected.filter(
        status__in=[Status.CONFIRMED, Status.SUSPENDED, Status.APPLIED, Status.CHECKED, Status.ENDED]
    ):
        kinds = set(enrolment.programme.eligible_kinds)
        if classification.kind not in kinds or kinds & still_held:
            continue
        if enrolment.status == Status.ENDED:  # ended since, by a later event: the earlier one counts
            end_enrolment_earlier(actor=actor, enrolment=enrolment, reason=reason, event_day=end, note=note)
            continue
        if enrolment.status in (Status.APPLIED, Status.CHECKED):
            refuse_enrolment(actor=actor, enrolment=enrolment, reason=note)
            continue
        programme = enrolment.programme
        if (
            classification.end_reason == Classification.EndReason.TURNED_18
            and programme.extends_in_school
            and enrolment.expected_graduation
            and enrolment.expected_graduation > end
        ):
            continue  # still at school: the nightly job ends it after the graduation month
        end_enrolment(actor=actor, enrolment=enrolment, reason=reason, event_day=end, note=note)


@transaction.atomic
def review_for_parent_situation(*, actor, child: Child, situation: ParentSituation) -> None:
    """A parent's situation recorded that the 62号 matrix no longer supports: suspend, pending review.

    Nothing is ended here: a parent reported back may be a mistake, and the review (a supervisor
    or staff) decides between resuming (arrears follow) and ending.
    """
    # The 62号 durations as of the later of the situation's start and today: a parent lost for a week does not count.
    parents = matrix_situations(child, max(situation.start_date, timezone.localdate()))
    open_kinds = set(child.classifications.open().values_list("kind", flat=True))
    unsupported = {k for k in open_kinds & PARENT_DECIDED_KINDS if not _supported(k, parents)}
    if not unsupported:
        return
    for enrolment in Enrolment.objects.filter(child=child, status=Status.CONFIRMED).select_related("programme"):
        kinds = set(enrolment.programme.eligible_kinds)
        if not kinds & unsupported or kinds & (open_kinds - unsupported):
            continue
        reason = _("%(p)s登记为“%(s)s”（%(d)s），%(k)s的认定条件可能已不满足") % {
            "p": situation.get_parent_display(),
            "s": situation.get_situation_display(),
            "d": situation.start_date.isoformat(),
            "k": "、".join(str(Classification(kind=k).get_kind_display()) for k in sorted(kinds & unsupported)),
        }
        suspend_enrolment(actor=actor, enrolment=enrolment, event_day=situation.start_date, reason=reason)


def end_enrolments_past_age_limit(*, today: datetime.date | None = None) -> int:
    """Nightly: end every enrolment whose programme's age limit (and in-school extension) has passed.

    Idempotent: only open enrolments of children born on or before the limit's date are read,
    through the indexed birth date, and each is ended once. Returns how many were ended.
    """
    today = today or timezone.localdate()
    ended = 0
    for programme in Programme.objects.filter(age_limit__isnull=False):
        due = Enrolment.objects.filter(
            programme=programme,
            status__in=[Status.CONFIRMED, Status.SUSPENDED],
            child__birth_date__lte=add_years(today, -programme.age_limit),
        ).select_related("child", "programme")
        for enrolment in due.iterator(chunk_size=500):
            birthday = enrolment.child.birthday(programme.age_limit)
            graduation = enrolment.expected_graduation if programme.extends_in_school else None
            if graduation and graduation > birthday:
                if graduation >= today:
                    continue  # still at school
                end_enrolment(
                    actor=None,
                    enrolment=enrolment,
                    reason=Reason.GRADUATED,
                    event_day=graduation,
                    note=_("预计毕业日期 %(d)s（%(s)s）") % {"d": graduation.isoformat(), "s": enrolment.school_name},
                )
            else:
                end_enrolment(
                    actor=None,
                    enrolment=enrolment,
                    reason=Reason.TURNED_18 if programme.age_limit == 18 else Reason.OTHER,
                    event_day=birthday,
                    note=_("年满%(n)d周岁（%(d)s）") % {"n": programme.age_limit, "d": birthday.isoformat()},
                )
            ended += 1
    return ended


def connect() -> None:
    from children import hooks

    hooks.register(hooks.CHILD_CLOSED, end_for_closing)
    hooks.register(hooks.CLASSIFICATION_ENDED, end_for_classification)
    hooks.register(hooks.PARENT_SITUATION_RECORDED, review_for_parent_situation)
