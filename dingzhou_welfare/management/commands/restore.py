from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dingzhou_welfare.backups import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into the empty database of DATABASE_URL and an empty MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a dzw-backup-*.tar written by manage.py backup")
        parser.add_argument("--check", action="store_true", help="only verify the archive's checksums and version")

    def handle(self, *args, archive, check=False, **options):
        try:
            if check:
                manifest = read_manifest(Path(archive))
                self.stdout.write(f"备份完好：{manifest['created_at']}，{sum(manifest['counts'].values())} 行")
                return
            manifest = restore_backup(archive=Path(archive))
        except (BackupError, OSError) as error:
            raise CommandError(f"未恢复：{error}") from None
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份：{len(manifest['counts'])} 张表 {rows} 行，{files} 个文件；"
            "各表行数与清单一致。"
        )
