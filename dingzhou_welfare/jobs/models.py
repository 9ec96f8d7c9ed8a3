"""The abstract job row that every kind of job inherits (see the package docstring)."""

import datetime
from typing import ClassVar

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """What every job has: where it is, how far it got, when it last moved, and why it failed.

    A concrete kind declares `Status` (TextChoices with QUEUED, DONE and FAILED, and the state a claim
    moves a job to, named in RUNNING) and its `status` field; kinds whose column names differ keep
    them and override `progress_total`. The class attributes below are the defaults a kind may change.
    """

    STALE_AFTER: ClassVar[datetime.timedelta] = datetime.timedelta(minutes=10)  # no progress this long: stuck
    KEEP_FILES_FOR: ClassVar[datetime.timedelta] = datetime.timedelta(days=7)  # files hold personal data
    RUNNING: ClassVar[str] = "running"  # the status a claim moves a queued job to
    WORKING: ClassVar[tuple[str, ...]] = ("queued", "running")  # a worker has it, or will
    COMPLETE: ClassVar[tuple[str, ...]] = ("done",)  # shown at 100%
    PROGRESS_UNIT: ClassVar = ""  # after "done / total" on the page, e.g. 条, 行
    PAGE_URL: ClassVar[str] = ""  # URL names taking the job's pk
    RETRY_URL: ClassVar[str] = ""
    DOWNLOAD_URL: ClassVar[str] = ""

    language = models.CharField(max_length=10, blank=True)
    progress = models.PositiveIntegerField(_("进度"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def working(self) -> bool:
        return self.status in self.WORKING

    @property
    def progress_total(self) -> int:
        """How much there is to do, in the unit of `progress` (0: not known yet)."""
        return self.total

    @property
    def percent(self) -> int:
        if self.status in self.COMPLETE:
            return 100
        total = self.progress_total
        return min(99, self.progress * 100 // total) if total else 0

    def is_stale(self, now: datetime.datetime | None = None) -> bool:
        """Working, but nothing moved for STALE_AFTER: its worker is gone (or never came)."""
        now = now or timezone.now()
        return self.working and (self.progress_at or self.created_at) < now - self.STALE_AFTER

    def township_ids(self) -> tuple[int, ...] | None:
        """The townships whose children the job's file holds; None: the whole county.

        Every look at a job (its page, its download, the lists) checks the user's scope as it is
        now against these (`views.covers`): a supervisor moved to another township loses the jobs
        of the old one."""
        return None

    def page_url(self) -> str:
        return reverse(self.PAGE_URL, args=[self.pk])

    def retry_url(self) -> str:
        return reverse(self.RETRY_URL, args=[self.pk])

    def download_url(self) -> str:
        return reverse(self.DOWNLOAD_URL, args=[self.pk]) if self.DOWNLOAD_URL else ""
