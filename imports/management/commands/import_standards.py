from imports.models import ImportJob

from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import programme standards (保障项目, 月标准（元）, 起始月份); --dry-run prints the preview only"
    kind = ImportJob.Kind.STANDARDS
