from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dingzhou_welfare.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Write one backup archive (database dump, media files, manifest, checksums) into BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=f"where to write it (default BACKUP_DIR: {settings.BACKUP_DIR})")
        parser.add_argument("--keep", type=int, help=f"archives kept (default BACKUP_KEEP: {settings.BACKUP_KEEP})")

    def handle(self, *args, dir=None, keep=None, **options):
        directory = Path(dir or settings.BACKUP_DIR)
        try:
            path = create_backup(directory=directory, keep=keep or settings.BACKUP_KEEP)
        except (BackupError, OSError) as error:
            raise CommandError(f"备份失败：{error}") from None
        self.stdout.write(f"已写入备份 {path}（{path.stat().st_size} 字节）")
