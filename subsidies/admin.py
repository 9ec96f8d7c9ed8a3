"""Programmes and their stacking rules are reference data. Standards are shown, not edited here:
a change of standard goes through the 保障标准 page (services.set_standard), which audits it and
flags computed months for arrears. Enrolments and batches hold personal data and are kept
through the scoped pages only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .bank import layout_errors
from .models import (
    BankLayout,
    BankLayoutColumn,
    BankReturnLayout,
    ChangeListColumn,
    ChangeListLayout,
    Programme,
    StackingRule,
    Standard,
)


class StackingRuleInline(admin.TabularInline):
    model = StackingRule
    fk_name = "programme"
    extra = 0


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0
    fields = ["effective_month", "amount", "note", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "age_limit", "start_rule", "stop_rule", "display_order", "active"]
    list_editable = ["display_order", "active"]
    search_fields = ["name", "code"]
    inlines = [StackingRuleInline, StandardInline]


class BankLayoutColumnFormSet(BaseInlineFormSet):
    """The layout and its columns are checked together: a fixed-width file needs every width, etc."""

    def clean(self):
        super().clean()
        columns = [
            BankLayoutColumn(**{k: v for k, v in form.cleaned_data.items() if k not in ("id", "layout", "DELETE")})
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        columns.sort(key=lambda c: c.position or 0)
        if errors := layout_errors(self.instance, columns):
            raise ValidationError(errors)


class BankLayoutColumnInline(admin.TabularInline):
    model = BankLayoutColumn
    formset = BankLayoutColumnFormSet
    extra = 0


@admin.register(BankLayout)
class BankLayoutAdmin(admin.ModelAdmin):
    """Staff add a bank's layout here, without a code change."""

    list_display = ["name", "code", "file_type", "encoding", "total_line", "active"]
    search_fields = ["name", "code"]
    inlines = [BankLayoutColumnInline]


class ChangeListColumnInline(admin.TabularInline):
    model = ChangeListColumn
    extra = 0


@admin.register(ChangeListLayout)
class ChangeListLayoutAdmin(admin.ModelAdmin):
    """Staff add a change-list layout (another province's template) here, without a code change."""

    list_display = ["name", "code", "sheet_title", "active"]
    search_fields = ["name", "code"]
    inlines = [ChangeListColumnInline]


@admin.register(BankReturnLayout)
class BankReturnLayoutAdmin(admin.ModelAdmin):
    """A bank's return (回盘) layout: which column holds what, and the words for paid and returned."""

    list_display = ["name", "code", "account_header", "amount_header", "reference_header", "status_header", "active"]
    search_fields = ["name", "code"]
