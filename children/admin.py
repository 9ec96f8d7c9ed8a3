"""The admin site holds reference data only; children are kept through the scoped pages."""

from django.contrib import admin

from .models import Township, Village


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "valid_from", "valid_to"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township", "code"]
    list_filter = ["township"]
    search_fields = ["name", "code"]
