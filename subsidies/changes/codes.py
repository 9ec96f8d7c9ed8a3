"""The codes a change carries: the national category code of a category, and the reason codes.

The national system's code set is not published (DOMAIN.md 5.1). The category codes are the
"资金发放类型" dictionary seen in a provincial system's public code (DOMAIN.md 5.2, *indicative*):
the categories the national system carries map to them, the others have none. A programme's
code is its own `Programme.fund_type_code`, kept with the programme as data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONAL_CATEGORY_CODES = {
    "orphan_scattered": "201",  # 社会散居孤儿基本生活费
    "orphan_institutional": "202",  # 福利机构养育孤弃儿童基本生活费
    "de_facto_scattered": "120",  # 社会散居事实无人抚养儿童基本生活费
    "de_facto_institutional": "121",  # 集中供养事实无人抚养儿童基本生活费
}


def national_category_code(kind: str) -> str:
    return NATIONAL_CATEGORY_CODES.get(kind, "")


class Reason(models.TextChoices):
    """Why a child was added (增员) or removed (减员); the removals follow DOMAIN.md 6.1's 减员 reasons."""

    CLASSIFIED = "classified", _("新认定儿童类别")
    ENROLLED = "enrolled", _("纳入保障")
    TURNED_18 = "turned_18", _("年满18周岁")
    TURNED_16 = "turned_16", _("年满16周岁")
    ADOPTED = "adopted", _("被收养")
    DIED = "died", _("死亡")
    SITUATION_CHANGED = "situation_changed", _("情形消失")
    MOVED_AWAY = "moved_away", _("迁出")
    WRONGLY_RECORDED = "wrongly_recorded", _("登记错误")
    CLASSIFICATION_ENDED = "classification_ended", _("儿童类别终止")
    GRADUATED = "graduated", _("超龄在校延长期满")
    REVIEW = "review", _("复核终止")
    OTHER = "other", _("其他")


def removal_reason(end_reason: str) -> str:
    """A classification's or an enrolment's end reason as a change's reason code."""
    return end_reason if end_reason in Reason.values and end_reason not in ADD_REASONS else Reason.OTHER


ADD_REASONS = (Reason.CLASSIFIED, Reason.ENROLLED)
