"""manage.py print_report: the monthly report (儿童福利工作月报) as a PDF file, for operators and scheduled jobs.

    manage.py print_report --month 2026-05 -o 月报-2026-05.pdf
    manage.py print_report --month 2026-01 --to 2026-05 --township 130682101 -o 清风店镇-1-5月.pdf

The same figures and the same rendering as the page and the print job (reports.documents).
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from children.models import Township
from subsidies.months import parse_month

from ...documents import build_monthly_report, render_monthly_report_pdf
from ...figures import Period, Scope


class Command(BaseCommand):
    help = "打印儿童福利工作月报（PDF）：一个月或一段时间，全市或一个乡镇。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份，如 2026-05（区间的起始月份）")
        parser.add_argument("--to", help="区间的结束月份，如 2026-07（不填则只统计 --month 一个月）")
        parser.add_argument("--township", help="乡镇（街道）的9位统计用区划代码；不填为全市")
        parser.add_argument("-o", "--output", required=True, help="输出的 PDF 文件路径")

    def handle(self, *args, month, to, township, output, **options):
        try:
            first = parse_month(month)
            last = parse_month(to) if to else first
        except ValueError:
            raise CommandError("月份应写成 YYYY-MM，例如 2026-05。") from None
        if last < first:
            raise CommandError("--to 不能早于 --month。")
        scope = Scope(label="全市")
        if township:
            found = Township.objects.filter(code=township).first()
            if found is None:
                raise CommandError(f"没有代码为 {township} 的乡镇（街道）。")
            scope = Scope((found.pk,), label=found.name)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent}")

        began = time.monotonic()
        report = build_monthly_report(Period(first, last), scope)
        computed = time.monotonic()
        content = render_monthly_report_pdf(report)
        rendered = time.monotonic()
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(content)
        partial.replace(path)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {path}（{len(content):,} 字节）：{scope.label} {report.period.label}；"
                f"统计 {computed - began:.2f} 秒，排版 {rendered - computed:.2f} 秒。"
            )
        )
        for paragraph in report.summary():
            self.stdout.write(paragraph)
