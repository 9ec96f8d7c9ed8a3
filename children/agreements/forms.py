"""Forms of the guardianship agreement pages: they validate and normalise; children.agreements.services acts."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import townships_for
from dingzhou_welfare.idnumbers import normalize_id_number

from ..forms import DateInput, upload_help, validate_upload
from ..models import GuardianshipAgreement
from .services import FIELDS

GROUPS = [
    (
        _("委托人（父亲）"),
        [
            "father_name",
            "father_id_number",
            "father_phone",
            "father_work_place",
            "father_away_since",
            "father_expected_return",
        ],
    ),
    (
        _("委托人（母亲）"),
        [
            "mother_name",
            "mother_id_number",
            "mother_phone",
            "mother_work_place",
            "mother_away_since",
            "mother_expected_return",
        ],
    ),
    (_("不能亲自履行监护的原因"), ["reason_unable"]),
    (
        _("受委托人"),
        ["carer_name", "carer_relationship", "carer_id_number", "carer_phone", "carer_address", "carer_health"],
    ),
    (
        _("受委托人资格核实（未成年人保护法第二十一、二十二条）"),
        [
            "carer_full_capacity",
            "carer_able_to_care",
            "no_harm_record",
            "no_bad_habits",
            "no_neglect_record",
            "no_infectious_disease",
            "no_other_unsuitability",
        ],
    ),
    (_("委托期限与职责"), ["period_start", "period_end", "carer_duties", "parent_duties"]),
    (_("书面告知（第二十三条）"), ["school_notified_on", "village_notified_on"]),
]


def _phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone and not phone.isdigit():
        raise forms.ValidationError(_("电话只能包含数字。"))
    return phone


class AgreementForm(forms.ModelForm):
    class Meta:
        model = GuardianshipAgreement
        fields = FIELDS
        widgets = {
            **{
                name: DateInput()
                for name in (
                    "father_away_since",
                    "mother_away_since",
                    "period_start",
                    "period_end",
                    "school_notified_on",
                    "village_notified_on",
                )
            },
            **{
                name: forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "maxlength": 18})
                for name in ("father_id_number", "mother_id_number", "carer_id_number")
            },
            **{
                name: forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
                for name in ("father_phone", "mother_phone", "carer_phone")
            },
            "carer_duties": forms.Textarea(attrs={"rows": 6}),
            "parent_duties": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "father_name": _("外出务工、签字委托的父亲；不是委托人时留空。"),
            "mother_name": _("外出务工、签字委托的母亲；不是委托人时留空。"),
            "father_work_place": _("省、市及单位，如：北京市大兴区某物流公司"),
            "mother_work_place": _("省、市及单位，如：北京市大兴区某物流公司"),
            "father_expected_return": _("如：春节"),
            "mother_expected_return": _("如：春节"),
            "carer_id_number": _("用于核实受委托人已成年。"),
            "period_end": _("一般为一年，到期前重新签订。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer_relationship"].choices = [
            (value, label)
            for value, label in self.fields["carer_relationship"].choices
            if value not in ("father", "mother", "institution")
        ]

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in GROUPS]

    def clean_father_id_number(self):
        return normalize_id_number(self.cleaned_data.get("father_id_number", ""))

    def clean_mother_id_number(self):
        return normalize_id_number(self.cleaned_data.get("mother_id_number", ""))

    def clean_carer_id_number(self):
        return normalize_id_number(self.cleaned_data.get("carer_id_number", ""))

    def clean_father_phone(self):
        return _phone(self.cleaned_data.get("father_phone"))

    def clean_mother_phone(self):
        return _phone(self.cleaned_data.get("mother_phone"))

    def clean_carer_phone(self):
        return _phone(self.cleaned_data.get("carer_phone"))

    def _post_clean(self):
        """The checks of the agreement as a whole are the service's (agreements.agreement_problems)."""


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput(), initial=timezone.localdate)
    scan = forms.FileField(label=_("签字后的确认书扫描件或照片"))
    school_notified_on = forms.DateField(label=_("书面告知学校日期"), widget=DateInput(), required=False)
    village_notified_on = forms.DateField(label=_("书面告知村（居）委会日期"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].help_text = upload_help()

    def clean_scan(self):
        return validate_upload(self.cleaned_data["scan"])


class EndAgreementForm(forms.Form):
    ended_on = forms.DateField(label=_("终止日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=_("终止原因"), choices=[("", "---------"), *GuardianshipAgreement.EndReason.choices]
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class WorkListForm(forms.Form):
    STATES = [
        ("todo", _("待办（未签订、已到期、即将到期）")),
        ("missing", _("未签订")),
        ("expired", _("已到期或已终止")),
        ("expiring", _("即将到期")),
        ("current", _("有效")),
        ("all", _("全部留守儿童")),
    ]
    state = forms.ChoiceField(label=_("状态"), choices=STATES, required=False)
    township = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=None, required=False)
    q = forms.CharField(label=_("姓名"), max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user)
