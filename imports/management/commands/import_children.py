from imports.models import ImportJob

from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import a children roster (.xlsx or .csv, DESIGN.md section 4); --dry-run prints the preview only"
    kind = ImportJob.Kind.CHILDREN
