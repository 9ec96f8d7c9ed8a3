"""Search, filters and sorting of the children list.

A declared form, built once when the module loads and copied per request as any Django form.
(django-filter built a new form class, new fields and copies of its filters on every request:
about 1.5 ms of CPU per page, a tenth of the page. bench/README.md has the figures.)
"""

import re

from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef
from django.db.models.functions import Collate
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import COUNTY_WIDE_ROLES
from dingzhou_welfare.widgets import Select, TextInput

from . import places
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


def _villages(user, data) -> list[tuple[int, str]]:
    """The villages offered: the chosen township's; the user's own if their scope is local.

    A county-wide user who has chosen no township is offered no village (only one already
    picked): rendering all ~540 in one select cost more than the rest of the page together.
    """
    township = data.get("township", "")
    if township.isdigit():
        return places.village_choices(user, int(township))
    if role_of(user) in COUNTY_WIDE_ROLES:
        village = data.get("village", "")
        if not village.isdigit():
            return []
        return [choice for choice in places.village_choices(user) if choice[0] == int(village)]
    return places.village_choices(user)


EMPTY = ("", _("全部"))  # what a select shows for "any" (not Django's "---------")


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are fixed with the form class (their labels are translated when
    shown): each form's copy shares them instead of deep-copying every lazy label on every page."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class ChildFilterForm(forms.Form):
    """The list's search box and filters. Every field is optional; a value that does not validate is ignored."""

    q = forms.CharField(label=_("姓名或身份证号"), required=False, widget=TextInput)
    # Ids checked against the places the user may pick (set per user below), kept in memory by
    # places.py: a township or village outside the scope is not a valid choice, and no query is made.
    township = forms.TypedChoiceField(
        label=_("乡镇（街道）"), coerce=int, empty_value=None, required=False, widget=Select
    )
    village = forms.TypedChoiceField(label=_("村（社区）"), coerce=int, empty_value=None, required=False, widget=Select)
    kind = FixedChoiceField(
        label=_("儿童类别"), choices=[EMPTY, *ClassificationKind.choices], required=False, widget=Select
    )
    status = FixedChoiceField(label=_("状态"), choices=[EMPTY, *Child.Status.choices], required=False, widget=Select)
    likely_duplicate = FixedChoiceField(
        label=_("疑似重复"),
        choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
        required=False,
        widget=Select,
    )
    sort = FixedChoiceField(
        label=_("排序"), choices=[(key, label) for key, (label, _order) in SORTS.items()], required=False, widget=Select
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [EMPTY, *places.township_choices(user)]
        self.fields["village"].choices = [EMPTY, *_villages(user, self.data)]


class ChildFilter:
    """The children a search and its filters select from `queryset`, in the order asked for.

    Unbound (no query string): everything in pinyin order. A field whose value does not validate
    (a township outside the user's scope, an unknown category) is left out of the search.
    """

    def __init__(self, data, *, queryset, request):
        self.data = data
        self.queryset = queryset
        self.form = ChildFilterForm(data, user=request.user)

    @cached_property
    def qs(self):
        queryset = self.queryset.all()
        if self.data is not None:
            self.form.is_valid()
            value = self.form.cleaned_data.get
            if value("q"):
                queryset = self.search(queryset, value("q"))
            for field in ("township", "village", "status"):
                if value(field) not in (None, ""):
                    queryset = queryset.filter(**{field: value(field)})
            if value("kind"):
                queryset = self.by_kind(queryset, value("kind"))
            if value("likely_duplicate"):
                queryset = queryset.filter(likely_duplicate=value("likely_duplicate") == "true")
            if value("sort"):
                queryset = queryset.order_by(*SORTS[value("sort")][1]())
        if not queryset.query.order_by:
            queryset = queryset.order_by(*SORTS["name"][1]())
        return queryset

    def key(self) -> tuple:
        """The search and filters that select the rows (not their order), as the list's kept count needs."""
        if self.data is None:
            return ()
        self.form.is_valid()
        values = self.form.cleaned_data
        return tuple(
            (name, values[name]) for name in sorted(values) if name != "sort" and values[name] not in (None, "")
        )

    @staticmethod
    def search(queryset, value):
        value = value.strip()
        if not value:
            return queryset
        if ID_QUERY.match(value):
            value = value.upper()
            if len(value) == 18:
                return queryset.filter(id_number=value)
            return queryset.filter(id_number__startswith=value)
        return name_prefix(queryset, value)

    @staticmethod
    def by_kind(queryset, value):
        current = Classification.objects.filter(child=OuterRef("pk"), kind=value, end_date__isnull=True)
        return queryset.filter(Exists(current))
