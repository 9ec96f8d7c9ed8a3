from django.urls import path, register_converter

from . import views, views_batches, views_export
from .months import format_month, parse_month


class MonthConverter:
    """YYYY-MM in the URL, a first-of-month date in the view (an impossible month is a 404)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return parse_month(value)

    def to_url(self, value):
        return format_month(value) if hasattr(value, "year") else value


register_converter(MonthConverter, "month")

app_name = "subsidies"

urlpatterns = [
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/standard/", views.standard_set, name="standard_set"),
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/queue/", views.queue, name="queue"),
    path("enrolments/changes/", views.changes, name="changes"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/check/", views.enrolment_check, name="enrolment_check"),
    path("enrolments/<int:pk>/confirm/", views.enrolment_confirm, name="enrolment_confirm"),
    path("enrolments/<int:pk>/refuse/", views.enrolment_refuse, name="enrolment_refuse"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
    path("children/<int:pk>/apply/", views.apply, name="apply"),
    path("batches/", views_batches.batch_list, name="batches"),
    path("batches/start/", views_batches.batch_start, name="batch_start"),
    path("batches/<month:month>/", views_batches.batch_detail, name="batch"),
    path("batches/<month:month>/progress/", views_batches.batch_progress, name="batch_progress"),
    path("batches/<month:month>/approve/", views_batches.batch_approve, name="batch_approve"),
    path("batches/<month:month>/export/", views_export.export_batch, name="export"),
    path("exports/<int:pk>/", views_export.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views_export.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", views_export.export_retry, name="export_retry"),
]
