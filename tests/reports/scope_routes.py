"""The reports routes in the every-URL walk (tests/dingzhou_welfare/test_scope.py, see tests/scope_support.py).

Reports and printing are for township supervisors (their townships), bureau staff and the leader; a
child's case file for whoever may see the child. Print jobs are seen by their requester (staff here).
"""

from django.core.files.base import ContentFile

from reports.models import ReportJob
from tests.scope_support import Case

ROUTES = {
    "reports:index": Case({"get": 200}, "report-readers"),
    "reports:monthly_print": Case({"get": 200}, "report-readers", {"month": "2026-05"}),
    "reports:print": Case({"get": 200}, "report-readers"),
    # Township A is 130682101: the supervisor's own; staff and the leader may print any township.
    "reports:roster": Case({"post": 200}, "report-readers", {"month": "2026-05", "township": "130682101"}),
    "reports:case_files": Case({"post": 302}, "report-readers", {"township": "130682101"}),
    "reports:case_file": Case({"get": 200, "post": 200}, "child-read"),
    "reports:job": Case({"get": 200}, "staff"),
    "reports:job_download": Case({"get": 200}, "staff"),
    "reports:job_retry": Case({"post": 302}, "staff"),
}

WHO = {
    "report-readers": lambda role, child_name: role in {"supervisor_a", "staff", "leader"},
}


def prepare(target, *, child_name, staff):
    """One finished job of staff's (a small file, no rendering: the walk is about who gets in)."""
    job = ReportJob.objects.filter(requested_by=staff).first()
    if job is None:
        job = ReportJob.objects.create(
            kind=ReportJob.Kind.MONTHLY,
            title="全市儿童福利工作月报（2026年5月）",
            requested_by=staff,
            status=ReportJob.Status.DONE,
            file_name="月报.pdf",
        )
        job.file.save(f"scope-walk-{job.pk}.pdf", ContentFile(b"%PDF-1.7 walk"), save=True)
    target["report_job"] = job


def url_kwargs(name, target):
    if name in ("reports:job", "reports:job_download", "reports:job_retry"):
        return {"pk": target["report_job"].pk}
    return {}
