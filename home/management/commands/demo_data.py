"""manage.py demo_data: a fictitious Dingzhou-sized population and one login per role."""

import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from adoption import demo as adoption_demo
from children.agreements import demo as demo_agreements
from children.demo import PASSWORD, counts_by_kind, demo_children, make_demo_data
from children.models import ClassificationKind
from subsidies import demo as subsidies_demo
from visits import demo as visits_demo
from visits.campaigns import demo as campaigns_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


class Command(BaseCommand):
    help = "生成演示数据：约2,700名虚构儿童（按定州市2022年公布的数字）及每个角色一个演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="规模系数，如 0.1 生成约十分之一（默认 1）")
        parser.add_argument("--seed", type=int, default=2022, help="随机种子（默认 2022）")
        parser.add_argument("--reset", action="store_true", help="先删除本命令以前生成的儿童和演示账号，再重新生成")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也运行（如培训环境）")

    def handle(self, *args, scale, seed, reset, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 未开启：为防止把虚构儿童写入正式库，拒绝运行。培训环境请加 --force。")
        if not 0 < scale <= 10:
            raise CommandError("--scale 应大于 0、不超过 10。")
        began = time.monotonic()
        today = timezone.localdate()
        try:
            with transaction.atomic():
                if reset:
                    adoption_demo.wipe(demo_children())
                    subsidies_demo.wipe(demo_children())
                result = make_demo_data(scale=scale, seed=seed, today=today, reset=reset)
                money = subsidies_demo.seed(demo_children(), today=today, seed=seed) if result.created else None
                adoption = adoption_demo.seed(demo_children(), today=today) if result.created else None
                visit_counts = visits_demo.seed(demo_children(), today=today, seed=seed) if result.created else None
                agreements = demo_agreements.seed(demo_children(), today=today, seed=seed) if result.created else None
                campaign = campaigns_demo.seed(demo_children(), today=today, seed=seed) if result.created else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - began

        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已生成演示数据：{result.children} 名儿童，新建村（社区）{result.villages} 个，"
                    f"用时 {seconds:.1f} 秒。"
                )
            )
        else:
            self.stdout.write(
                f"演示数据已存在（{demo_children().count()} 名儿童），未做改动；加 --reset 可删除后重新生成。"
            )
        if money:
            self.stdout.write(
                f"保障记录 {money['enrolments']} 条；{money['approved']:%Y-%m} 发放批次已审批，"
                f"{money['draft']:%Y-%m} 批次待审批；待审核申请 {money['waiting']} 件。"
            )
        if visit_counts:
            self.stdout.write(
                f"探访记录 {visit_counts['visits']} 条；逾期未探访 {visit_counts['overdue']} 名，"
                f"重点巡防对象 {visit_counts['patrol']} 名。"
            )
        if adoption:
            self.stdout.write(f"收养案件 {adoption['cases']} 件；待登记：{adoption['ready'] or '无'}。")
        if agreements:
            self.stdout.write(
                f"委托监护责任确认书：有效 {agreements['current']}，即将到期 {agreements['expiring']}，"
                f"已到期 {agreements['expired']}，待签订 {agreements['draft']}，未填写 {agreements['missing']}。"
            )
        if campaign:
            self.stdout.write(f"走访慰问：{campaign['campaign']}，{campaign['handouts']} 名儿童。")
        counts = counts_by_kind()
        rows = [("儿童类别", "人数")]
        rows += [(str(kind.label), str(counts[kind.value])) for kind in ClassificationKind if counts[kind.value]]
        self.stdout.write("\n" + _table(rows) + "\n")

        rows = [("角色", "用户名", "密码", "范围")]
        rows += [(role, username, PASSWORD, scope) for role, username, scope in result.users]
        self.stdout.write(_table(rows))
        for username in result.kept_users:
            self.stdout.write(self.style.WARNING(f"{username} 有操作记录（审计日志），未删除，只重置了密码和范围。"))
        self.stdout.write(f"\n登录页：{reverse('login')}（bin/demo 会打印完整地址）")
