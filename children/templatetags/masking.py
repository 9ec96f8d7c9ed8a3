from django import template
from django.utils import timezone

from dingzhou_welfare.idnumbers import mask_account, mask_id_number, mask_phone

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_account", mask_account)
register.filter("mask_phone", mask_phone)


@register.filter
def age(child):
    return child.age_on(timezone.localdate())


@register.filter
def situation_label(value):
    from children.models import ParentSituation

    return ParentSituation.Situation(value).label
