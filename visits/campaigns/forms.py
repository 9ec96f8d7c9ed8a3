"""Forms of the campaign pages: they validate and normalise; services.py acts."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput

from .models import Campaign, CampaignItem

DEFAULT_ITEMS = [
    ("大米", "份", CampaignItem.Kind.GOODS),
    ("面", "份", CampaignItem.Kind.GOODS),
    ("油", "份", CampaignItem.Kind.GOODS),
    ("棉被", "条", CampaignItem.Kind.GOODS),
    ("慰问金", "元", CampaignItem.Kind.CASH),
]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "start_date", "end_date", "description"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"name": _("如：2027年春节“寒冬送温暖”走访慰问")}

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def _post_clean(self):
        """Uniqueness and the period are checked by services.save_campaign."""


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("物品"), max_length=30, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignItem.Kind.choices, initial=CampaignItem.Kind.GOODS)
    delete = forms.BooleanField(label=_("删除"), required=False)

    def clean(self):
        data = super().clean()
        name, unit = (data.get("name") or "").strip(), (data.get("unit") or "").strip()
        data["name"], data["unit"] = name, unit
        if name and not unit:
            self.add_error("unit", _("请填写单位（如份、袋、条、元）。"))
        if data.get("kind") == CampaignItem.Kind.CASH and unit and unit != "元":
            self.add_error("unit", _("慰问金的单位是“元”。"))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=3)


def item_rows(formset) -> list[dict]:
    """The items the formset keeps (named, not ticked for deletion), in order."""
    return [
        {
            "id": f.cleaned_data.get("id"),
            "name": f.cleaned_data["name"],
            "unit": f.cleaned_data["unit"],
            "kind": f.cleaned_data["kind"],
        }
        for f in formset.forms
        if f.cleaned_data.get("name") and not f.cleaned_data.get("delete")
    ]


class HandoutForm(forms.Form):
    """One child's handout: a number box per item (large, numeric keypad on phones), the day, the visit."""

    handed_on = forms.DateField(label=_("发放日期"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, campaign, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(campaign.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.name}（{item.unit}）",
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "decimal" if item.is_cash else "numeric",
                        "step": "0.01" if item.is_cash else "1",
                        "min": "0",
                        "class": "qty",
                    }
                ),
            )
        self.fields["visit"] = forms.ModelChoiceField(
            label=_("对应的探访记录"),
            queryset=visits,
            required=False,
            empty_label=_("（不关联）"),
            help_text=_("走访时已登记探访记录的，可在此关联。"),
        )
        self.fields["visit"].label_from_instance = lambda v: f"{v.visited_on:%Y-%m-%d} {v.get_kind_display()}"
        self.fields["note"] = forms.CharField(label=_("备注"), max_length=200, required=False)

    def quantity_fields(self):
        return [self[f"item_{item.pk}"] for item in self.items]

    def quantities(self) -> dict:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") for item in self.items}


class ChildSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名或身份证号"), max_length=50, required=False)
    done = forms.ChoiceField(
        label=_("发放情况"),
        choices=[("", _("全部")), ("no", _("未登记")), ("yes", _("已登记"))],
        required=False,
    )
