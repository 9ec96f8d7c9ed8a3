"""django-import-export resources: the columns of the subsidies exports, in one place.

`LineResource` defines the roster's columns (explicit fields, Chinese headers, dehydrate methods
for masking and labels). Its `export()` works as usual on a queryset of lines (admin, small
scripts), but the roster job does not use it: tablib would hold every row in memory. The job
streams `values()` rows through `row_exporter()`, a per-row function built from the same fields
and dehydrate methods, so both paths give the same cells.
"""

import operator
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from children.models import Carer
from dingzhou_welfare.idnumbers import mask_account, mask_id_number
from dingzhou_welfare.spreadsheets import FORMULA_STARTS, neutralise

from .models import Line


def _money(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value or 0)


class LineResource(resources.ModelResource):
    """发放花名册 columns (DESIGN.md section 3, DOMAIN.md 6.2). ID and account numbers masked unless told not to."""

    township = fields.Field(attribute="township__name", column_name=_("乡镇（街道）"))
    village = fields.Field(attribute="village_name", column_name=_("村（社区）"))
    child_name = fields.Field(attribute="child__name", column_name=_("儿童姓名"))
    child_id_number = fields.Field(attribute="child__id_number", column_name=_("身份证号"))
    programme = fields.Field(attribute="programme__name", column_name=_("保障项目"))
    standard = fields.Field(attribute="standard", column_name=_("保障标准（元/月）"))
    period = fields.Field(attribute="period", column_name=_("所属期"))
    kind = fields.Field(attribute="kind", column_name=_("发放方式"))
    amount = fields.Field(attribute="amount", column_name=_("金额（元）"))
    payee_name = fields.Field(attribute="payee_name", column_name=_("领取人"))
    payee_id_number = fields.Field(attribute="payee_id_number", column_name=_("领取人身份证号"))
    payee_relationship = fields.Field(attribute="payee_relationship", column_name=_("与儿童关系"))
    bank_name = fields.Field(attribute="bank_name", column_name=_("开户银行"))
    account_number = fields.Field(attribute="account_number", column_name=_("银行账号"))
    note = fields.Field(attribute="note", column_name=_("备注"))

    # Column widths in the workbook, by field name (a Chinese character takes about two units).
    WIDTHS = {
        "township": 12,
        "village": 12,
        "child_name": 9,
        "child_id_number": 21,
        "programme": 34,
        "standard": 10,
        "period": 9,
        "kind": 9,
        "amount": 11,
        "payee_name": 9,
        "payee_id_number": 21,
        "payee_relationship": 10,
        "bank_name": 26,
        "account_number": 23,
        "note": 40,
    }

    class Meta:
        model = Line
        fields = (
            "township",
            "village",
            "child_name",
            "child_id_number",
            "programme",
            "standard",
            "period",
            "kind",
            "amount",
            "payee_name",
            "payee_id_number",
            "payee_relationship",
            "bank_name",
            "account_number",
            "note",
        )
        export_order = fields

    def __init__(self, *, masked: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.masked = masked
        # Labels resolved once per export, in the language active when it starts.
        self._kinds = {value: str(label) for value, label in Line.Kind.choices}
        self._relationships = {value: str(label) for value, label in Carer.Relationship.choices}
        self._periods: dict = {}

    # -- reading a value from a model instance or from a values() row -----------------------

    def _value(self, line, name: str):
        field = self.fields[name]
        if isinstance(line, dict):
            return line[field.attribute]
        return field.get_value(line)

    def attributes(self) -> list[str]:
        """The lookups a values() queryset must select to feed `row_exporter`."""
        return [field.attribute for field in self.get_export_fields()]

    def field_names(self) -> list[str]:
        return [self.get_field_name(field) for field in self.get_export_fields()]

    # -- dehydrate: masking and labels ------------------------------------------------------

    def dehydrate_child_id_number(self, line) -> str:
        value = self._value(line, "child_id_number") or ""
        return mask_id_number(value) if self.masked else value

    def dehydrate_payee_id_number(self, line) -> str:
        value = self._value(line, "payee_id_number") or ""
        return mask_id_number(value) if self.masked else value

    def dehydrate_account_number(self, line) -> str:
        value = self._value(line, "account_number") or ""
        return mask_account(value) if self.masked else value

    def dehydrate_standard(self, line) -> Decimal:
        return _money(self._value(line, "standard"))

    def dehydrate_amount(self, line) -> Decimal:
        return _money(self._value(line, "amount"))

    def dehydrate_period(self, line) -> str:
        period = self._value(line, "period")
        if not period:
            return ""
        label = self._periods.get(period)
        if label is None:  # a batch has few periods: format each once
            label = self._periods[period] = f"{period:%Y-%m}"
        return label

    def dehydrate_kind(self, line) -> str:
        kind = self._value(line, "kind")
        return self._kinds.get(kind, kind or "")

    def dehydrate_payee_relationship(self, line) -> str:
        relationship = self._value(line, "payee_relationship")
        return self._relationships.get(relationship, relationship or "")

    # -- export -----------------------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def row_exporter(self) -> Callable[[dict], list]:
        """A function from one values() row to the list of cells `export_resource` gives for a line.

        Built once from the fields: a dehydrate method where the resource has one, else the
        plain value; formula-like text neutralised. No widget per cell, no tablib, no instance.
        """
        getters = []
        for field in self.get_export_fields():
            name = self.get_field_name(field)
            method = getattr(self, field.get_dehydrate_method(name), None)
            getters.append(method if method is not None else operator.itemgetter(field.attribute))

        def export_row(row: dict) -> list:
            cells = []
            for get in getters:
                value = get(row)
                if value is None:
                    value = ""
                elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    value = "'" + value
                cells.append(value)
            return cells

        return export_row
