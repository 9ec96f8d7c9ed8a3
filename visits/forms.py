"""Forms validate and normalise; the views call visits.services to act."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput
from dingzhou_welfare.uploads import reencode_image

from .models import DIMENSIONS, IntervalTier, Rating, Visit
from .services import MAX_PHOTOS, VISIT_FIELDS

# What a photo must start with, by type; the browser's word and the file name are not trusted.
PHOTO_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def photo_type(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for content_type, signatures in PHOTO_SIGNATURES.items():
        if head.startswith(signatures):
            return content_type
    return None


NOTE_PLACEHOLDER = _("说明（可选）")
SERIOUS_PLACEHOLDER = _("说明（必填）：写明发现的问题")
REQUIRED_MESSAGES = {
    "kind": _("请选择探访类型"),
    "visited_on": _("请填写探访日期"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CameraInput(MultipleFileInput):
    """Photos from the phone's camera: `capture` opens it straight away, `accept` keeps to images."""

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", **(attrs or {})})


class PhotosField(forms.FileField):
    """Several photos in one input, each checked by its first bytes and its size."""

    widget = CameraInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(_("每次探访最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        cleaned = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
                raise forms.ValidationError(
                    _("照片“%(name)s”太大（%(size).1f MB），不能超过 %(mb)d MB。")
                    % {"name": upload.name, "size": upload.size / 1024 / 1024, "mb": settings.MAX_UPLOAD_MB}
                )
            head = upload.read(16)
            upload.seek(0)
            content_type = photo_type(head)
            if content_type is None:
                raise forms.ValidationError(
                    _("“%(name)s”不是 JPG、PNG 或 WebP 图片，请上传手机拍摄的照片。") % {"name": upload.name}
                )
            cleaned.append(reencode_image(upload, content_type=content_type))
        return cleaned


class VisitForm(forms.ModelForm):
    present = forms.MultipleChoiceField(
        label=_("在场人员"), choices=Visit.Present.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    referrals = forms.MultipleChoiceField(
        label=_("转介部门"), choices=Visit.Referral.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    photos = PhotosField(label=_("照片"))

    class Meta:
        model = Visit
        fields = VISIT_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "visited_on": DateInput(),
            "next_visit_due": DateInput(),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "harm_description": forms.Textarea(attrs={"rows": 3}),
            **{f"{name}_rating": forms.RadioSelect for name, _label in DIMENSIONS},
            **{f"{name}_note": forms.TextInput(attrs={"placeholder": NOTE_PLACEHOLDER}) for name, _label in DIMENSIONS},
        }
        help_texts = {
            "next_visit_due": _("留空则按本次评估的风险等级自动排定；可以提前，不能晚于规定间隔。"),
            "suspected_harm": _("发现儿童疑似遭受虐待、性侵害、遗弃、暴力伤害等，勾选后立即向民政局报告。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_visit_due"].required = False
        self.fields["photos"].help_text = _("JPG、PNG 或 WebP，每张不超过 %(mb)d MB，最多 %(n)d 张。") % {
            "mb": settings.MAX_UPLOAD_MB,
            "n": MAX_PHOTOS,
        }
        self.fields["visited_on"].initial = timezone.localdate
        for name, label in DIMENSIONS:
            field = self.fields[f"{name}_rating"]
            field.choices = Rating.choices  # no empty choice: every dimension must be rated
            field.error_messages["required"] = _("请选择%(label)s的评估等级") % {"label": label}
            self.fields[f"{name}_note"].widget.attrs["data-serious-placeholder"] = SERIOUS_PLACEHOLDER
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        for name in ("visited_on", "next_visit_due"):
            self.fields[name].error_messages["invalid"] = _("请按“年-月-日”填写日期，如 2026-06-01")

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("探访日期不能晚于今天。"))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("suspected_harm") and not (cleaned.get("harm_description") or "").strip():
            self.add_error("harm_description", _("勾选疑似遭受侵害时，须写明发现的情况（将作为强制报告）。"))
        for name, label in DIMENSIONS:
            if cleaned.get(f"{name}_rating") == Rating.SERIOUS and not (cleaned.get(f"{name}_note") or "").strip():
                self.add_error(
                    f"{name}_note", _("%(label)s评为“严重问题”时，请在说明中写明发现的问题") % {"label": label}
                )
        return cleaned

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in the order of the form: a group links to its first choice."""
        rows = [("", str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            if name not in self.errors:
                continue
            bound = self[name]
            anchor = bound.auto_id
            if bound.widget_type in ("radioselect", "checkboxselectmultiple"):
                anchor = f"{bound.auto_id}_0"
            rows += [(anchor, str(message)) for message in bound.errors]
        return rows

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in VISIT_FIELDS}

    def dimension_fields(self):
        """(label, rating field, note field) per dimension, for the template."""
        return [(label, self[f"{name}_rating"], self[f"{name}_note"]) for name, label in DIMENSIONS]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("accept", _("通过")), ("return", _("退回修改"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("退回时须写明原因，探访人据此修改。"))
        return cleaned


class PatrolForm(forms.Form):
    patrol = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), max_length=300)


class HandleReportForm(forms.Form):
    handling = forms.CharField(
        label=_("处置情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：已报告公安机关、已安排临时照料、已通知学校。"),
    )


class IntervalsForm(forms.Form):
    def __init__(self, *args, current: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for tier in IntervalTier:
            self.fields[tier.value] = forms.IntegerField(
                label=tier.label, min_value=1, max_value=366, initial=current.get(tier.value)
            )
        self.fields[IntervalTier.FIRST.value].help_text = _("在册儿童纳入探访计划后，首次探访的期限。")

    def days(self) -> dict[str, int]:
        return {tier.value: self.cleaned_data[tier.value] for tier in IntervalTier}


class WorkListFilter(forms.Form):
    SHOW = [
        ("todo", _("逾期及14天内到期")),
        ("overdue", _("已逾期")),
        ("patrol", _("重点巡防对象")),
        ("all", _("全部")),
    ]
    show = forms.ChoiceField(label=_("显示"), choices=SHOW, required=False)
    township = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=None, required=False)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
