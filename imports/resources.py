"""django-import-export resources of the imports.

`StandardImportResource` is the standards import (保障项目, 月标准（元）, 起始月份): django-import-export's
own row-by-row flow fits a file of a few dozen rows, and its dry run is the preview: every row is
imported inside a transaction that is rolled back, so the preview runs exactly the code that the
confirmed import runs. Each row is saved through `subsidies.services.set_standard` (audit, arrears
for months already computed), never by `instance.save()`.

The children roster is too big for a row-by-row flow (see roster.py); its template is written from
the same column list.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from subsidies.models import Programme, Standard
from subsidies.services import set_standard

from . import cells
from .cells import CellError

STANDARD_COLUMNS = ["保障项目", "月标准（元）", "起始月份"]


class ProgrammeWidget(widgets.Widget):
    """A programme by its name or one of its aliases (subsidies/defaults.py)."""

    def clean(self, value, row=None, **kwargs):
        name = cells.cell_text(value)
        if not name:
            raise ValueError(_("必填，不能为空。"))
        programme = Programme.objects.filter(name=name).first()
        if programme is None:
            programme = next((p for p in Programme.objects.all() if name in (p.aliases or [])), None)
        if programme is None:
            raise ValueError(_("没有名为“%(v)s”的保障项目，请使用系统中的项目名称或简称。") % {"v": name})
        return programme

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class MonthWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if not cells.cell_text(value):
            raise ValueError(_("必填，不能为空。"))
        try:
            return cells.month(value)
        except CellError as error:
            raise ValueError(error.message) from None

    def render(self, value, obj=None, **kwargs):
        return f"{value:%Y-%m}" if value else ""


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if not cells.cell_text(value):
            raise ValueError(_("必填，不能为空。"))
        try:
            return cells.money(value)
        except CellError as error:
            raise ValueError(error.message) from None

    def render(self, value, obj=None, **kwargs):
        return f"{value:.2f}" if value is not None else ""


class StandardImportResource(resources.ModelResource):
    programme = fields.Field(attribute="programme", column_name="保障项目", widget=ProgrammeWidget())
    amount = fields.Field(attribute="amount", column_name="月标准（元）", widget=AmountWidget())
    effective_month = fields.Field(attribute="effective_month", column_name="起始月份", widget=MonthWidget())

    COLUMN_OF = {"programme": "保障项目", "amount": "月标准（元）", "effective_month": "起始月份"}

    class Meta:
        model = Standard
        fields = ("programme", "amount", "effective_month")
        import_id_fields = ("programme", "effective_month")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # set_standard checks and cleans

    def __init__(self, *, actor):
        super().__init__()
        self.actor = actor
        self.seen: dict[tuple, int] = {}

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # the cell's own error is reported by import_instance, at its column

    def before_import_row(self, row, **kwargs):
        key = (cells.cell_text(row.get("保障项目")), cells.cell_text(row.get("起始月份")))
        first = self.seen.setdefault(key, kwargs["row_number"])
        if first != kwargs["row_number"]:
            raise ValidationError({"effective_month": _("与第 %(n)d 条数据的保障项目和起始月份重复。") % {"n": first}})

    def do_instance_save(self, instance, is_create):
        set_standard(
            actor=self.actor,
            programme=instance.programme,
            effective_month=instance.effective_month,
            amount=instance.amount,
            note=instance.note or _("批量导入"),
        )
