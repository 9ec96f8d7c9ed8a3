from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dingzhou_welfare.databases import DatabaseSetupError, ensure_database, is_postgresql


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL when it does not exist (bin/demo runs it)."
    requires_system_checks = []

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if not is_postgresql(database):
            return
        try:
            created = ensure_database(database)
        except DatabaseSetupError as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(f"已创建数据库 {database['NAME']}（DATABASE_URL 中的数据库原先不存在）。")
