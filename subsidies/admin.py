"""Programmes and their stacking rules are reference data. Standards are shown, not edited here:
a change of standard goes through the 保障标准 page (services.set_standard), which audits it and
flags computed months for arrears. Enrolments and batches hold personal data and are kept
through the scoped pages only."""

from django.contrib import admin

from .models import Programme, StackingRule, Standard


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
