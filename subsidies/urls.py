from django.urls import path, register_converter

from .changes import views as change_lists
from .months import format_month, parse_month
from .views import bank, bank_returns, batches, enrolments, exports


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
    path("programmes/", enrolments.programme_list, name="programmes"),
    path("programmes/<int:pk>/standard/", enrolments.standard_set, name="standard_set"),
    path("enrolments/", enrolments.enrolment_list, name="enrolments"),
    path("enrolments/queue/", enrolments.queue, name="queue"),
    path("enrolments/changes/", enrolments.changes, name="changes"),
    path("changes/national/", change_lists.change_list, name="change_list"),
    path("changes/national/<month:month>/download/", change_lists.change_list_download, name="change_list_download"),
    path("enrolments/<int:pk>/", enrolments.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/check/", enrolments.enrolment_check, name="enrolment_check"),
    path("enrolments/<int:pk>/confirm/", enrolments.enrolment_confirm, name="enrolment_confirm"),
    path("enrolments/<int:pk>/refuse/", enrolments.enrolment_refuse, name="enrolment_refuse"),
    path("enrolments/<int:pk>/end/", enrolments.enrolment_end, name="enrolment_end"),
    path("enrolments/<int:pk>/review/", enrolments.enrolment_review, name="enrolment_review"),
    path("children/<int:pk>/apply/", enrolments.apply, name="apply"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/start/", batches.batch_start, name="batch_start"),
    path("batches/<month:month>/", batches.batch_detail, name="batch"),
    path("batches/<month:month>/progress/", batches.batch_progress, name="batch_progress"),
    path("batches/<month:month>/approve/", batches.batch_approve, name="batch_approve"),
    path("batches/<month:month>/waive/", batches.batch_waive, name="batch_waive"),
    path("batches/<month:month>/export/", exports.export_batch, name="export"),
    path("exports/<int:pk>/", exports.export_job, name="export_job"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", exports.export_retry, name="export_retry"),
    path("batches/<month:month>/bank/", bank.bank_file, name="bank_file"),
    path("batches/<month:month>/bank/start/", bank.bank_file_start, name="bank_file_start"),
    path("bank-files/<int:pk>/", bank.bank_job, name="bank_job"),
    path("bank-files/<int:pk>/download/", bank.bank_download, name="bank_download"),
    path("bank-files/<int:pk>/retry/", bank.bank_retry, name="bank_retry"),
    path("batches/<month:month>/returns/", bank_returns.bank_returns, name="bank_returns"),
    path("batches/<month:month>/reconciliation/", bank_returns.batch_reconciliation, name="batch_reconciliation"),
    path("bank-returns/<int:pk>/", bank_returns.return_job, name="return_job"),
    path("bank-returns/<int:pk>/confirm/", bank_returns.return_confirm, name="return_confirm"),
    path("bank-returns/<int:pk>/retry/", bank_returns.return_retry, name="return_retry"),
    path(
        "bank-payments/<int:pk>/account-confirmed/",
        bank_returns.payment_account_confirmed,
        name="payment_account_confirmed",
    ),
    path("reconciliation/", bank_returns.reconciliation, name="reconciliation"),
]
