"""What import_children and import_standards share: check the file, print the preview, commit unless --dry-run."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import Role
from imports import services
from imports.models import ImportJob, ImportRow


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help=".xlsx or .csv file")
        parser.add_argument("--user", required=True, help="username of the bureau staff member who imports")
        parser.add_argument("--dry-run", action="store_true", help="check and print the preview, write nothing")
        parser.add_argument(
            "--create-villages", action="store_true", help="confirm the new villages (村（社区）) the file names"
        )

    def handle(self, *args, path, user, dry_run=False, create_villages=False, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"没有文件 {path}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"没有用户 {user!r}")
        if role_of(actor) != Role.STAFF:
            raise CommandError("只有民政局儿童福利股工作人员可以导入。")
        with source.open("rb") as handle:
            upload = File(handle, name=source.name)
            upload.size = source.stat().st_size
            job = services.start_import(actor=actor, kind=self.kind, upload=upload, enqueue=False)
        services.run_check(job_id=job.pk)
        job.refresh_from_db()
        self._print(job, verbose=options["verbosity"] > 1)
        if job.status != ImportJob.Status.READY:
            raise CommandError(job.error or f"{job.rows_invalid} 行有错误，未导入任何数据。")
        villages = services.new_villages(job)
        if villages:
            self.stdout.write(
                "将新建村（社区）："
                + "、".join(t + v + (f"（可能是笔误：已有{'、'.join(s)}）" if s else "") for t, v, s in villages)
                + f"，共 {len(villages)} 个"
            )
        if dry_run:
            self.stdout.write("--dry-run：未写入任何数据。")
            return
        if villages and not create_villages:
            raise CommandError("文件中有系统中没有的村（社区）。核对后加 --create-villages 确认新建，或改正村名。")
        services.confirm_import(actor=actor, job=job, villages_confirmed=create_villages, enqueue=False)
        services.run_commit(job_id=job.pk)
        job.refresh_from_db()
        if job.status != ImportJob.Status.DONE:
            self._print(job, verbose=False)
            raise CommandError(job.error or "导入失败，未写入任何数据。")
        self.stdout.write(self.style.SUCCESS(f"已导入 {job.original_name}：{job.total_rows} 行。"))
        for name, value in job.written.items():
            self.stdout.write(f"  {name}: {value}")

    def _print(self, job: ImportJob, *, verbose: bool) -> None:
        self.stdout.write(
            f"{job.original_name}: {job.get_status_display()}；共 {job.total_rows} 行："
            f"新增 {job.rows_new}，修改 {job.rows_changed}，无变化 {job.rows_unchanged}，有错误 {job.rows_invalid}"
        )
        if job.error:
            self.stdout.write(job.error)
        shown = [ImportRow.Status.INVALID, ImportRow.Status.CHANGED]
        if verbose:
            shown.append(ImportRow.Status.NEW)
        for row in job.rows.filter(status__in=shown).order_by("line").iterator():
            for column, message in row.errors:
                where = f"{column}：" if column else ""
                self.stdout.write(f"第{row.line}行 {where}{message}")
            if row.status != ImportRow.Status.INVALID:
                changes = "；".join(f"{c}：{old or '—'} → {new or '—'}" for c, old, new in row.changes)
                self.stdout.write(f"第{row.line}行 {row.get_status_display()} {row.label} {changes}")
