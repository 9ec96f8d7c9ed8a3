"""Records the administrator keeps in the admin site besides places (children/admin.py): supervisor trainings."""

from django.contrib import admin

from .models import SupervisorTraining


@admin.register(SupervisorTraining)
class SupervisorTrainingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "township", "attendees"]
    list_filter = ["township"]
    date_hierarchy = "held_on"
    search_fields = ["title"]
    autocomplete_fields = ["township"]
