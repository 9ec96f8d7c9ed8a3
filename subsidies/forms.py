"""Forms validate and normalise; the views call a service to act."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput
from dingzhou_welfare.access import townships_for

from .models import BatchProblem, Enrolment, Programme
from .months import MonthOutOfRange, format_month, month_start, parse_month
from .services import ReviewOutcome
from .validators import validate_standard_amount, validate_standard_month


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def prepare_value(self, value):
        return format_month(value) if hasattr(value, "year") else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except MonthOutOfRange as error:
            raise forms.ValidationError(
                _("月份应在 %(first)s 至 %(last)s 之间。")
                % {"first": format_month(error.first), "last": format_month(error.last)},
                code="out_of_range",
            ) from None
        except ValueError:
            raise forms.ValidationError(_("请按“年-月”填写月份，例如 2026-05。"), code="invalid") from None


def _not_in_future(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class StandardForm(forms.Form):
    effective_month = MonthField(label=_("起始月份"), help_text=_("从该月起按此标准发放；同一月份再次保存即为修改。"))
    amount = forms.DecimalField(
        label=_("月标准（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    note = forms.CharField(label=_("依据"), max_length=200, help_text=_("文件名称和文号，例如 冀民〔2026〕X号。"))

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["amount"].widget.attrs["max"] = str(programme.max_monthly_amount)  # clean_amount says why

    def clean_effective_month(self):
        month = self.cleaned_data["effective_month"]
        validate_standard_month(month)
        return month

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        validate_standard_amount(amount, ceiling=self.programme.max_monthly_amount)
        return amount


class ApplyForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("保障项目"), queryset=Programme.objects.filter(active=True))
    applied_on = forms.DateField(label=_("申请日期"), widget=DateInput(), initial=timezone.localdate)
    evidence = forms.CharField(
        label=_("申请材料"), max_length=200, required=False, help_text=_("例如：申请表、死亡证明、户口簿复印件。")
    )
    school_name = forms.CharField(
        label=_("就读学校"), max_length=100, required=False, help_text=_("年满18周岁后仍在校、项目允许延长发放的填写。")
    )
    expected_graduation = forms.DateField(label=_("预计毕业日期"), widget=DateInput(), required=False)

    def clean_applied_on(self):
        return _not_in_future(self.cleaned_data["applied_on"], _("申请日期不能晚于今天。"))


class CheckForm(forms.Form):
    verified = forms.BooleanField(label=_("已核对申请材料与儿童档案，情况属实"))
    note = forms.CharField(label=_("查验意见"), max_length=200, required=False)


class ConfirmForm(forms.Form):
    confirmed_on = forms.DateField(
        label=_("确认日期"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("按项目的起始规则决定起始发放月份；早于已计算月份时，下一批次补发。"),
    )

    def __init__(self, *args, enrolment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean_confirmed_on(self):
        day = _not_in_future(self.cleaned_data["confirmed_on"], _("确认日期不能晚于今天。"))
        if self.enrolment is not None and day < self.enrolment.applied_on:
            raise forms.ValidationError(_("确认日期不能早于申请日期。"))
        return day


class RefuseForm(forms.Form):
    refusal_reason = forms.CharField(
        label=_("不予通过的理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明不予通过的理由。")},
    )


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("终止原因"), choices=[("", "---------"), *Enrolment.EndReason.choices])
    event_day = forms.DateField(
        label=_("情形发生日期"), widget=DateInput(), help_text=_("如年满18周岁之日、收养登记日、死亡日期。")
    )

    def clean_event_day(self):
        return _not_in_future(self.cleaned_data["event_day"], _("情形发生日期不能晚于今天。"))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("复核结论"), choices=[("", "---------"), *ReviewOutcome.CHOICES])
    note = forms.CharField(
        label=_("复核意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("依据和核查情况。")
    )


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label=_("儿童姓名"), required=False)
    programme = forms.ModelChoiceField(label=_("保障项目"), queryset=Programme.objects.all(), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *Enrolment.Status.choices], required=False)
    township = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user)


class MonthChoiceForm(forms.Form):
    month = MonthField(label=_("月份"))


class BatchStartForm(forms.Form):
    month = MonthField(label=_("发放月"))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month and month > month_start(timezone.localdate()):
            raise forms.ValidationError(_("不能计算尚未到来的月份。"))
        return month


class ApproveForm(forms.Form):
    reviewed = forms.BooleanField(label=_("已核对各项目、各乡镇合计及与上月相比的变化"))


class WaiverForm(forms.Form):
    kind = forms.ChoiceField(label=_("问题类型"))
    reason = forms.CharField(label=_("豁免理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, BatchProblem.Kind(k).label) for k in kinds]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 4:
            raise forms.ValidationError(_("请写明豁免的理由（至少4个字）。"))
        return reason
