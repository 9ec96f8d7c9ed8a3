from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.samples import roster_rows, with_mistakes, write_roster_csv, write_roster_xlsx


class Command(BaseCommand):
    help = "Write a sample children roster (.xlsx or .csv) of synthetic children, for trying the import page"

    def add_arguments(self, parser):
        parser.add_argument("path", help="output file, .xlsx or .csv")
        parser.add_argument("--rows", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--gbk", action="store_true", help="write the CSV in GBK (as Excel on Chinese Windows)")
        parser.add_argument("--mistakes", action="store_true", help="put a typical mistake in every 40th row")

    def handle(self, *args, path, rows, seed, gbk, mistakes=False, **options):
        target = Path(path)
        try:
            data = roster_rows(rows, seed=seed)
            if mistakes:
                data = with_mistakes(data)
            with target.open("wb") as out:
                if target.suffix.lower() == ".csv":
                    n = write_roster_csv(out, data, encoding="gbk" if gbk else "utf-8-sig")
                else:
                    n = write_roster_xlsx(out, data)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{target}: {n} rows")
