"""`manage.py export_changes 2026-04 --user U -o PATH [--layout CODE] [--masked]`: the month's change list
(增员/减员) for the national system, in a layout's workbook.

The page's export, run here: the list holds the children of the user's townships (county-wide for
bureau staff and leaders), full ID numbers unless --masked (the national system needs them; only a
role that may see them gets them), and the export is audited as the page's download is.
"""

import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import NO_CHILD_ROLES
from subsidies.changes.layouts import ChangeListError, get_layout
from subsidies.changes.services import export_change_list
from subsidies.months import MonthOutOfRange, parse_month


class Command(BaseCommand):
    help = "Write a month's change list (增员/减员): export_changes 2026-04 --user U -o 202604_增减员.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--user", required=True, help="who exports it; the list is scoped to them and audited")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--layout", default=None, help="the layout's code (default: national)")
        parser.add_argument("--masked", action="store_true", help="mask the ID numbers")

    def handle(self, *args, month, user, output, layout, masked, **options):
        with translation.override("zh-hans"):
            self._handle(month, user, Path(output), layout, masked)

    def _handle(self, month, user, path, code, masked):
        try:
            first = parse_month(month)
        except MonthOutOfRange as error:
            raise CommandError(f"月份 {month} 超出范围：应在 {error.first:%Y-%m} 至 {error.last:%Y-%m} 之间") from None
        except ValueError:
            raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-11，而不是 {month!r}") from None
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户 {user!r}（或该用户已停用）")
        role = role_of(actor)
        if role is None or role in NO_CHILD_ROLES:
            raise CommandError(f"用户 {user} 没有查看儿童信息的角色，不能导出增减员名单。")
        try:
            chosen = get_layout(code)
        except ChangeListError as error:
            raise CommandError(str(error)) from None
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在")
        # Written beside the target and moved in place: a failure leaves no half-written file.
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".xlsx", delete=False) as temp:
            temp_path = Path(temp.name)
        try:
            rows = export_change_list(actor=actor, month=first, layout=chosen, out=str(temp_path), masked=masked)
            temp_path.replace(path)
        except PermissionDenied as error:
            raise CommandError(f"{error}请加 --masked 导出脱敏名单。") from None
        except ChangeListError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"不能写入 {path}：{error.strerror}") from None
        finally:
            temp_path.unlink(missing_ok=True)
        how = "身份证号已脱敏" if masked else "含完整身份证号"
        self.stdout.write(f"{path}: {first:%Y-%m} 增减员名单，{chosen.name}，{rows} 条，{how}")
