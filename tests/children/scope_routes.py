"""The children list's export and the not-duplicate decision in the every-URL walk.

The export takes the list's own scope (anyone signed in gets a file of the children they may see); an
export job is seen only by the one who asked for it (here staff). 不是重复 is a write on a child's file.
"""

from tests.scope_support import Case

ROUTES = {
    "children:export": Case({"post": 200}, "logged-in", {"query": ""}),
    "children:export_job": Case({"get": 200}, "staff"),
    "children:export_download": Case({"get": 200}, "staff"),
    "children:export_retry": Case({"post": 302}, "staff"),
    "children:not_duplicate": Case({"post": 302}, "child-write", {"reason": ""}),
}

JOB_ROUTES = {"children:export_job", "children:export_download", "children:export_retry"}


def prepare(target, *, child_name, staff):
    from children.exports import run_export_job, start_export_job

    if child_name == "child_a":
        job = start_export_job(actor=staff, query={}, masked=True, total=3)
        run_export_job(job_id=job.pk)
        prepare.job = job
    target["children_export_job"] = prepare.job


def url_kwargs(name, target):
    if name in JOB_ROUTES:
        return {"pk": target["children_export_job"].pk}
    if name == "children:not_duplicate":
        return {"other_pk": target["child"].pk}
    return {}
