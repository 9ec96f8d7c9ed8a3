"""The audit page's filters (django-filter): who, what, on which record, between which days."""

import datetime

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

# Record kinds logged by name rather than by a model (log_action(obj="...")).
OTHER_OBJECT_TYPES = {"visitinterval": _("探访间隔")}


def object_type_labels() -> dict[str, str]:
    """object_type as stored (a model's name) -> the record kind a clerk reads."""
    labels = {model._meta.model_name: str(model._meta.verbose_name) for model in apps.get_models()}
    return {**labels, **{name: str(label) for name, label in OTHER_OBJECT_TYPES.items()}}


def _object_type_choices():
    local = ("dingzhou_welfare", "children", "subsidies", "adoption", "visits", "campaigns", "reports", "imports")
    names = {m._meta.model_name for m in apps.get_models() if m._meta.app_label in local} | {"user"}
    labels = object_type_labels()
    return sorted(((name, labels[name]) for name in names | set(OTHER_OBJECT_TYPES)), key=lambda c: c[1])


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label=_("操作人"), queryset=get_user_model().objects.order_by("username"), empty_label=_("全部")
    )
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditEntry.Action.choices, empty_label=_("全部"))
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=_object_type_choices, empty_label=_("全部"))
    object_id = django_filters.CharFilter(label=_("对象编号"))
    since = django_filters.DateFilter(
        label=_("起始日期"), method="filter_since", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), method="filter_until", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))  # whole local days, on the index of `at`

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))
