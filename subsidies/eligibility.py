"""Whether a child may be enrolled in a programme, with the reasons when not."""

import datetime

from django.utils.translation import gettext as _

from children.models import Child, Classification, ClassificationKind
from children.rules import classification_problems, situations_on

from .models import Programme

SEVERE_GRADES = {1, 2}
SEVERE_LOWER_GRADE_TYPES = {Child.DisabilityType.INTELLECTUAL, Child.DisabilityType.MENTAL}


def enrolment_problems(child: Child, programme: Programme, day: datetime.date) -> list[str]:
    """Why `child` cannot be in `programme` on `day`; empty when the records support it."""
    problems: list[str] = []
    if child.status != Child.Status.ACTIVE:
        problems.append(_("儿童档案已销档（%(r)s）。") % {"r": child.get_closed_reason_display()})
    if programme.age_limit and day >= child.birthday(programme.age_limit):
        problems.append(
            _("儿童已满%(n)d周岁（%(d)s），%(p)s只保障%(n)d周岁以下儿童。")
            % {"n": programme.age_limit, "d": child.birthday(programme.age_limit).isoformat(), "p": programme.name}
        )
    if programme.eligible_kinds:
        held = set(
            Classification.objects.current_on(day)
            .filter(child=child, kind__in=programme.eligible_kinds)
            .values_list("kind", flat=True)
        )
        if not held:
            problems.append(
                _("须先认定为%(k)s。")
                % {"k": _("或").join(str(ClassificationKind(k).label) for k in programme.eligible_kinds)}
            )
        else:
            parents = situations_on(child, day)
            for kind in sorted(held):
                for problem in classification_problems(child, kind, day, parents=parents):
                    problems.append(_("%(k)s：%(p)s") % {"k": ClassificationKind(kind).label, "p": problem})
    if programme.requires_disability and not (child.disability_type and child.disability_cert_no):
        problems.append(_("须登记残疾类别和残疾人证号。"))
    if programme.severe_disability_only and child.disability_type:
        grade = child.disability_grade
        severe = grade in SEVERE_GRADES or (grade in (3, 4) and child.disability_type in SEVERE_LOWER_GRADE_TYPES)
        if not severe:
            problems.append(_("重度残疾人护理补贴须为一、二级残疾，或三、四级智力、精神残疾。"))
    return problems
