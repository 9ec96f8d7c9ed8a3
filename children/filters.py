"""Search, filters and sorting of the children list (django-filter)."""

import re

import django_filters
from django.db import connection
from django.db.models import Exists, OuterRef
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import role_of, townships_for, villages_for
from dingzhou_welfare.models import COUNTY_WIDE_ROLES

from .models import Child, Classification, ClassificationKind

ID_QUERY = re.compile(r"^\d{4,17}[\dXx]?$")
PINYIN_COLLATION = "zh-Hans-CN-x-icu"


def name_key(descending: bool = False):
    """Chinese names in pinyin order on PostgreSQL (ICU), code-point order elsewhere."""
    key = Collate("name", PINYIN_COLLATION) if connection.vendor == "postgresql" else "name"
    if isinstance(key, str):
        return f"-{key}" if descending else key
    return key.desc() if descending else key.asc()


def name_prefix(queryset, value: str):
    """Names starting with `value`, findable in the pinyin index on PostgreSQL.

    LIKE 'value%' alone can use only the pattern index, whose order is not pinyin's: a
    surname matches 100,000 of a million children, all sorted by ICU before the first page.
    In ICU, every string starting with `value` sorts from `value` up to `value` + U+FFFF
    (U+FFFF has the highest primary weight for such ranges), so that range of the pinyin
    index holds them in order; LIKE keeps the match exact. (Only a decomposed accent right after
    a Latin prefix, "a" + U+0301, sorts below the prefix; checked on a million synthetic names.)
    """
    queryset = queryset.filter(name__startswith=value)
    if connection.vendor != "postgresql":
        return queryset
    return queryset.alias(pinyin_name=Collate("name", PINYIN_COLLATION)).filter(
        pinyin_name__gte=value, pinyin_name__lt=value + "\uffff"
    )


SORTS = {
    "name": (_("姓名（拼音）"), lambda: [name_key(), "id"]),
    "-name": (_("姓名（倒序）"), lambda: [name_key(descending=True), "-id"]),
    "birth_date": (_("年龄从大到小"), lambda: ["birth_date", "id"]),
    "-birth_date": (_("年龄从小到大"), lambda: ["-birth_date", "-id"]),
    "-id": (_("最近建档"), lambda: ["-id"]),
}


def _townships(request):
    return townships_for(request.user) if request else Child.objects.none()


def _villages(request):
    """The chosen township's villages; the user's own if their scope is local.

    A county-wide user who has chosen no township is offered no village (only one already
    picked): rendering all ~540 in one select cost more than the rest of the page together.
    """
    if request is None:
        return Child.objects.none()
    villages = villages_for(request.user)
    township = request.GET.get("township")
    if township and township.isdigit():
        return villages.filter(township_id=township)
    if role_of(request.user) in COUNTY_WIDE_ROLES:
        village = request.GET.get("village", "")
        return villages.filter(pk=village) if village.isdigit() else villages.none()
    return villages


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="search")
    township = django_filters.ModelChoiceFilter(label=_("乡镇（街道）"), queryset=_townships)
    village = django_filters.ModelChoiceFilter(label=_("村（社区）"), queryset=_villages)
    kind = django_filters.ChoiceFilter(label=_("儿童类别"), choices=ClassificationKind.choices, method="by_kind")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Child.Status.choices)
    likely_duplicate = django_filters.ChoiceFilter(
        label=_("疑似重复"),
        choices=[("true", _("是")), ("false", _("否"))],
        empty_label=_("全部"),
        method="by_duplicate",
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=[(k, v[0]) for k, v in SORTS.items()], method="sort_by", empty_label=None
    )

    class Meta:
        model = Child
        fields = ["q", "township", "village", "kind", "status", "likely_duplicate"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if ID_QUERY.match(value):
            value = value.upper()
            if len(value) == 18:
                return queryset.filter(id_number=value)
            return queryset.filter(id_number__startswith=value)
        return name_prefix(queryset, value)

    def by_duplicate(self, queryset, name, value):
        return queryset.filter(likely_duplicate=value == "true")

    def by_kind(self, queryset, name, value):
        current = Classification.objects.filter(child=OuterRef("pk"), kind=value, end_date__isnull=True)
        return queryset.filter(Exists(current))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["name"])[1]())

    @property
    def qs(self):
        queryset = super().qs
        if not queryset.query.order_by:
            queryset = queryset.order_by(*SORTS["name"][1]())
        return queryset
