"""The admin site holds reference data only; children are kept through the scoped pages."""

from django.contrib import admin

from . import places
from .models import Township, Village


class PlaceAdmin(admin.ModelAdmin):
    """A change is seen by this process's selects at once, by the others within a minute (places.py)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        places.forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        places.forget()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        places.forget()


@admin.register(Township)
class TownshipAdmin(PlaceAdmin):
    list_display = ["code", "name", "kind", "valid_from", "valid_to", "protection_pilot", "protection_pilot_since"]
    list_editable = ["protection_pilot", "protection_pilot_since"]
    list_filter = ["protection_pilot", "kind"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(PlaceAdmin):
    list_display = ["name", "township", "code"]
    list_filter = ["township"]
    search_fields = ["name", "code"]
