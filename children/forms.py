"""Forms validate and normalise; the views call a service to act."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import townships_for, villages_for, villages_limited
from dingzhou_welfare.idnumbers import normalize_id_number
from dingzhou_welfare.uploads import check_pdf, reencode_image

from .models import (
    Carer,
    Child,
    ChildDocument,
    Classification,
    ClassificationReview,
    ParentSituation,
    PaymentAccount,
)
from .names import clean_name, validate_name
from .rules import TERMED


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


CHILD_FIELDS = [
    "name",
    "sex",
    "ethnicity",
    "id_number",
    "no_id_reason",
    "birth_date",
    "hukou_type",
    "township",
    "village",
    "hukou_address",
    "current_address",
    "school_status",
    "school_name",
    "grade",
    "boarding",
    "health_status",
    "disability_type",
    "disability_grade",
    "disability_cert_no",
    "note",
]


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = CHILD_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "id_number": forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "maxlength": 18}),
        }
        help_texts = {
            "id_number": _("18位，最后一位可为X；无身份证号时留空并填写原因。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user)
        self.fields["village"].queryset = villages_for(user)
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} / {v.name}"
        if villages_limited(user):  # a child without a village would be outside their own scope
            self.fields["village"].required = True
        self.fields["name"].strip = False  # a leading tab is refused (children.names), not silently dropped

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"], code="required")
        validate_name(name)
        return name


class ClassificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("儿童类别"), choices=Classification._meta.get_field("kind").choices)
    start_date = forms.DateField(label=_("起始日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class EndClassificationForm(forms.Form):
    end_date = forms.DateField(label=_("终止日期"), widget=DateInput(), initial=timezone.localdate)
    end_reason = forms.ChoiceField(label=_("终止原因"), choices=[("", "---------"), *Classification.EndReason.choices])
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class CloseChildForm(forms.Form):
    reason = forms.ChoiceField(label=_("销档原因"), choices=[("", _("请选择")), *Child.ClosedReason.choices])
    closed_on = forms.DateField(label=_("销档日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)


class NotDuplicateForm(forms.Form):
    reason = forms.CharField(
        label=_("核实情况"),
        max_length=300,
        help_text=_("如：已核对户口簿，为双胞胎姐妹。"),
        error_messages={"required": _("请写明核实情况（如何确认是两名儿童）。")},
    )


class ParentSituationForm(forms.ModelForm):
    evidence_file = forms.FileField(label=_("证明文件扫描件"), required=False)

    class Meta:
        model = ParentSituation
        fields = [
            "parent", "name", "id_number", "situation", "start_date", "term_months", "work_place", "evidence", "note",
        ]  # fmt: skip
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = upload_help()

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        return validate_upload(upload) if upload else None

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("起始日期不能晚于今天。"))
        return day

    def clean(self):
        cleaned = super().clean()
        # New records give the term 62号 asks about; rows from before the field stay valid without it.
        if cleaned.get("situation") in TERMED and cleaned.get("term_months") is None:
            self.add_error("term_months", _("服刑在押、强制隔离戒毒或被执行其他限制人身自由措施，请填写期限（月）。"))
        return cleaned


class CarerForm(forms.ModelForm):
    class Meta:
        model = Carer
        fields = ["name", "relationship", "id_number", "phone", "address", "capacity", "is_guardian", "note"]

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip().replace(" ", "").replace("-", "")
        if phone and not phone.isdigit():
            raise forms.ValidationError(_("电话只能包含数字。"))
        return phone


class PaymentAccountForm(forms.ModelForm):
    class Meta:
        model = PaymentAccount
        fields = ["method", "payee_name", "payee_relationship", "payee_id_number", "bank_name", "account_number"]

    def clean_payee_id_number(self):
        return normalize_id_number(self.cleaned_data.get("payee_id_number", ""))

    def clean_account_number(self):
        return self.cleaned_data.get("account_number", "").strip().replace(" ", "")


# What an uploaded file must start with, by the type we accept; the browser's word is not trusted.
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}


def validate_upload(upload):
    """Size and type checks for an uploaded document, then the file opened: a PDF parsed, an image
    re-encoded (the upload returned is the one to store). Sets the trusted content type."""
    if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise forms.ValidationError(
            _("文件太大（%(size).1f MB），不能超过 %(mb)d MB。")
            % {"size": upload.size / 1024 / 1024, "mb": settings.MAX_UPLOAD_MB}
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    expected = EXTENSIONS.get(suffix)
    if expected is None:
        raise forms.ValidationError(_("只能上传 JPG、PNG 或 PDF 文件。"))
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[expected]):
        raise forms.ValidationError(
            _("文件内容与扩展名不符，可能已损坏或不是 %(ext)s 文件。") % {"ext": suffix[1:].upper()}
        )
    upload.content_type = expected
    if expected == "application/pdf":
        check_pdf(upload)
        return upload
    return reencode_image(upload, content_type=expected)


def upload_help():
    return _("JPG、PNG 或 PDF，不超过 %(mb)d MB。") % {"mb": settings.MAX_UPLOAD_MB}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=ChildDocument.Kind.choices)
    file = forms.FileField(label=_("文件"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()

    def clean_file(self):
        return validate_upload(self.cleaned_data["file"])


class RevealForm(forms.Form):
    what = forms.ChoiceField(choices=[("child_id", "child_id"), ("account", "account"), ("carer", "carer")])


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("复核日期"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.ChoiceField(label=_("复核结论"), choices=[("", "---------"), *ClassificationReview.Outcome.choices])
    end_reason = forms.ChoiceField(
        label=_("终止原因"),
        choices=[("", "---------"), *Classification.EndReason.choices],
        required=False,
        help_text=_("复核结论为终止时必填。"),
    )
    evidence = forms.CharField(
        label=_("复核依据"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("入户核查、走访所见及核对的材料。"),
    )  # fmt: skip
    evidence_file = forms.FileField(label=_("证明材料扫描件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = upload_help()

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        return validate_upload(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == ClassificationReview.Outcome.ENDED and not cleaned.get("end_reason"):
            self.add_error("end_reason", _("复核结论为终止的，请选择终止原因。"))
        return cleaned
