"""Forms validate and normalise; the views call a service in adoption.services to act."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput, upload_help, validate_upload
from children.models import Child
from dingzhou_welfare.idnumbers import normalize_id_number
from dingzhou_welfare.models import Role

from .models import CAPACITY_DIMENSIONS, AdoptionCase, Applicant, Assessment, CaseDocument, Dimension, RedFlag, State
from .services.application import APPLICANT_FIELDS, CASE_FIELDS


class CaseForm(forms.ModelForm):
    class Meta:
        model = AdoptionCase
        fields = CASE_FIELDS
        widgets = {
            "applied_on": DateInput(),
            "placer_consent_on": DateInput(),
            "child_consent_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "placer_id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
        }

    def clean_placer_id_number(self):
        return normalize_id_number(self.cleaned_data.get("placer_id_number", ""))


class NewCaseForm(CaseForm):
    """The application: which child (by ID number or file number), then the case's own fields."""

    child_ref = forms.CharField(
        label=_("被收养人"),
        max_length=18,
        help_text=_("儿童的身份证号，或儿童档案页地址中的档案编号（无身份证号的弃婴）。"),
    )

    class Meta(CaseForm.Meta):
        fields = ["child_ref", *CASE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applied_on"].initial = timezone.localdate

    def clean_child_ref(self):
        ref = normalize_id_number(self.cleaned_data["child_ref"])
        if len(ref) == 18:
            condition = Q(id_number=ref)
        elif ref.isdigit() and len(ref) <= 9:  # a file number (the registry's id), never past an integer column
            condition = Q(pk=int(ref))
        else:
            condition = None
        child = Child.objects.filter(condition).first() if condition is not None else None
        if child is None:
            raise forms.ValidationError(_("没有找到该儿童档案，请核对身份证号或档案编号。"))
        if child.status != Child.Status.ACTIVE:
            raise forms.ValidationError(_("%(n)s 的档案已销档，不能办理收养。") % {"n": child.name})
        self.child = child
        return ref


class ApplicantForm(forms.ModelForm):
    able_to_raise = forms.NullBooleanField(
        label=_("有抚养、教育和保护被收养人的能力"),
        required=False,
        widget=forms.NullBooleanSelect(),
        help_text=_("初审时根据收入、住房和证明材料确认。"),
    )

    class Meta:
        model = Applicant
        fields = APPLICANT_FIELDS
        widgets = {"id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18})}
        help_texts = {"id_number": _("出生日期和性别按身份证号登记。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["able_to_raise"].widget.choices = [
            ("unknown", _("尚未确认")),
            ("true", _("具备")),
            ("false", _("不具备")),
        ]

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip().replace(" ", "").replace("-", "")
        if phone and not phone.isdigit():
            raise forms.ValidationError(_("电话只能包含数字。"))
        return phone


class DocumentForm(forms.Form):
    party = forms.ChoiceField(label=_("当事人"), choices=CaseDocument.Party.choices)
    applicant = forms.ModelChoiceField(label=_("收养人"), queryset=Applicant.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("材料类型"), choices=CaseDocument.Kind.choices)
    file = forms.FileField(label=_("文件"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = case.applicants.all()
        self.fields["applicant"].help_text = _("当事人为收养人时选择。")
        self.fields["file"].help_text = upload_help()

    def clean_file(self):
        return validate_upload(self.cleaned_data["file"])

    def clean(self):
        data = super().clean()
        if data.get("party") == CaseDocument.Party.APPLICANT and not data.get("applicant"):
            self.add_error("applicant", _("请选择这份材料属于哪一名收养人。"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class StartAssessmentForm(forms.Form):
    notified_on = forms.DateField(label=_("书面告知评估日期"), widget=DateInput(), initial=timezone.localdate)
    mode = forms.ChoiceField(label=_("评估方式"), choices=Assessment.Mode.choices, initial=Assessment.Mode.TEAM)
    assessors = forms.ModelMultipleChoiceField(
        label=_("评估小组成员"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("民政部门评估时至少选两人。"),
    )
    third_party_name = forms.CharField(label=_("第三方机构名称"), max_length=100, required=False)
    third_party_agreement = forms.CharField(label=_("委托协议编号"), max_length=60, required=False)
    third_party_assessors = forms.CharField(
        label=_("第三方评估人员"), max_length=200, required=False, help_text=_("至少两人，用顿号分隔。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessors"].queryset = (
            get_user_model().objects.filter(is_active=True, profile__role=Role.STAFF).order_by("username")
        )
        self.fields["assessors"].label_from_instance = lambda u: u.get_full_name() or u.username


def _finding_field(dimension):
    return forms.CharField(
        label=Dimension(dimension).label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class FindingsForm(forms.Form):
    """The ten capacity dimensions (and, during integration, the eleventh)."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        dimensions = list(CAPACITY_DIMENSIONS)
        if case.state == State.INTEGRATION:
            dimensions.append(Dimension.INTEGRATION)
        existing = dict(case.assessment.findings.values_list("dimension", "finding"))
        for dimension in dimensions:
            self.fields[dimension.value] = _finding_field(dimension)
            self.fields[dimension.value].initial = existing.get(dimension.value, "")


class StartIntegrationForm(forms.Form):
    start = forms.DateField(label=_("融合期开始日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CompleteAssessmentForm(forms.Form):
    integration_end = forms.DateField(label=_("融合期结束日期"), widget=DateInput(), initial=timezone.localdate)
    integration_finding = forms.CharField(
        label=_("与被收养人融合情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    red_flags = forms.MultipleChoiceField(
        label=_("须报告的情形"),
        choices=RedFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("发现其中任一情形的，评估结论不得为“适合收养”，并应及时报告民政部门。"),
    )
    red_flag_note = forms.CharField(
        label=_("情形说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    conclusion = forms.ChoiceField(label=_("评估结论"), choices=[("", "---------"), *Assessment.Conclusion.choices])
    conclusion_note = forms.CharField(label=_("结论意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    report_date = forms.DateField(label=_("评估报告日期"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and not self.is_bound:
            finding = case.assessment.findings.filter(dimension=Dimension.INTEGRATION).first()
            if finding:
                self.fields["integration_finding"].initial = finding.finding


class NoticeForm(forms.Form):
    published_on = forms.DateField(label=_("寻亲公告发布日期"), widget=DateInput())
    medium = forms.CharField(label=_("公告载体"), max_length=200, help_text=_("刊登的报纸或网站名称。"))


class RegisterForm(forms.Form):
    registered_on = forms.DateField(label=_("登记日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *State.choices], required=False)
    q = forms.CharField(label=_("儿童或收养人姓名"), max_length=50, required=False)
