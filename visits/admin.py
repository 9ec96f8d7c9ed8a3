from django.contrib import admin

from .models import VisitInterval


@admin.register(VisitInterval)
class VisitIntervalAdmin(admin.ModelAdmin):
    """Reference data only: visits, reports and schedules hold children's data and stay behind scoped views."""

    list_display = ["tier", "days", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False  # the four tiers come with the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from .services import save_intervals

        save_intervals(actor=request.user, days={obj.tier: obj.days})
