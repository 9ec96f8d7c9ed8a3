from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ImportJob
from .readers import max_upload_bytes

ACCEPTED = (".xlsx", ".csv")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件，请使用本页下载的模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 后再上传。"))
        if not name.endswith(ACCEPTED):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件。"))
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的（0 字节），请检查是否选错了文件。"))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），上限为 %(limit)d MB。请分成几个文件导入。")
                % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024}
            )
        return upload
