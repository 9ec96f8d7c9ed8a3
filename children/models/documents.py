"""Files kept in a child's record (certificates, judgments, photos, signed scans)."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .child import Child


def document_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"children/{instance.child_id}/{uuid.uuid4().hex}{suffix}"


class ChildDocument(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DEATH_CERTIFICATE = "death_certificate", _("死亡证明")
        COURT_JUDGMENT = "court_judgment", _("法院判决书")
        DISABILITY_CERTIFICATE = "disability_certificate", _("残疾人证")
        HUKOU = "hukou", _("户口簿")
        POLICE_STATEMENT = "police_statement", _("公安机关证明")
        GUARDIANSHIP_AGREEMENT = "guardianship_agreement", _("委托监护责任确认书")
        OTHER = "other", _("其他")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
