"""Forms validate and normalise; the views render or start a job next."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.models import Township
from subsidies.forms import MonthField
from subsidies.models import Batch
from subsidies.months import add_months, month_start

from .figures import Period

MAX_MONTHS = 36


class TownshipChoice(forms.ModelChoiceField):
    """A township by its statistical code (stable in URLs and scripts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="code", **kwargs)

    def label_from_instance(self, obj):
        return obj.name


class ReportForm(forms.Form):
    """A month or a range of months, and (for county-wide users) one township or the whole county."""

    month = MonthField(label=_("月份（起）"))
    to = MonthField(label=_("至（可不填）"), required=False, help_text=_("填写后统计从起始月份到该月的整段时间。"))
    township = TownshipChoice(label=_("乡镇（街道）"), queryset=Township.objects.none(), required=False)

    def __init__(self, *args, townships, county_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["township"].empty_label = county_label

    def clean(self):
        data = super().clean()
        first, last = data.get("month"), data.get("to")
        if first is None:
            return data
        last = last or first
        this_month = month_start(timezone.localdate())
        if last < first:
            self.add_error("to", _("结束月份不能早于起始月份。"))
        elif last > this_month:
            self.add_error("to" if data.get("to") else "month", _("不能统计未来的月份。"))
        elif len(Period(first, last).months) > MAX_MONTHS:
            self.add_error("to", _("一次最多统计%(n)d个月。") % {"n": MAX_MONTHS})
        else:
            data["period"] = Period(first, last)
        return data


def default_month():
    """Last month: the most recent month whose work is finished."""
    return add_months(month_start(timezone.localdate()), -1)


class RosterForm(forms.Form):
    month = MonthField(label=_("发放月"))
    township = TownshipChoice(label=_("乡镇（街道）"), queryset=Township.objects.none())
    full_numbers = forms.BooleanField(label=_("打印完整身份证号和银行账号（不脱敏，记入审计记录）"), required=False)

    def __init__(self, *args, townships, may_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        if not may_reveal:
            del self.fields["full_numbers"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        batch = Batch.objects.filter(month=month).first()
        if batch is None:
            raise forms.ValidationError(_("%(y)d年%(m)d月还没有发放批次。") % {"y": month.year, "m": month.month})
        if batch.status == Batch.Status.COMPUTING:
            raise forms.ValidationError(_("该月批次正在计算，计算完成后才能打印花名册。"))
        self.batch = batch
        return month

    @property
    def masked(self) -> bool:
        return not self.cleaned_data.get("full_numbers", False)


class CaseFilesForm(forms.Form):
    township = TownshipChoice(label=_("乡镇（街道）"), queryset=Township.objects.none())
    full_numbers = forms.BooleanField(
        label=_("打印完整身份证号、银行账号、电话和住址（不脱敏，记入审计记录）"), required=False
    )

    def __init__(self, *args, townships, may_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        if not may_reveal:
            del self.fields["full_numbers"]

    @property
    def masked(self) -> bool:
        return not self.cleaned_data.get("full_numbers", False)
