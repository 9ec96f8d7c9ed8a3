"""The job's pages, one for every kind: the scoped lookup, the page and its polling JSON, the retry,
and the audited download. A kind's views are a line or two around these."""

import itertools
from collections.abc import Callable

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..access import role_of, scope_ids
from ..audit import log_action
from ..files import file_response, open_stored
from ..models import COUNTY_WIDE_ROLES, NO_CHILD_ROLES, AuditEntry
from .models import Job


def covers(user, township_ids) -> bool:
    """Whether the user's scope, as it is now, holds every township of a job's file (None: the county)."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return True
    if role is None or role in NO_CHILD_ROLES or township_ids is None:
        return False
    townships, villages = scope_ids(user)
    if villages:  # a caseworker limited to some villages holds no whole township
        return False
    return set(township_ids) <= set(townships)


def get_job_for(user, jobs: QuerySet, pk) -> Job:
    """The job among `jobs` (the kind's rule: whose jobs the user sees) if the user's scope covers
    its file now; 404 otherwise, like anything outside the scope."""
    job = get_object_or_404(jobs, pk=pk)
    if not covers(user, job.township_ids()):
        raise Http404
    return job


def jobs_in_scope(user, jobs: QuerySet, limit: int) -> list[Job]:
    """The first `limit` of `jobs` whose files the user's scope covers now (a list of jobs shows no
    more than its pages would open)."""
    if role_of(user) in COUNTY_WIDE_ROLES:
        return list(jobs[:limit])
    return list(itertools.islice((job for job in jobs if covers(user, job.township_ids())), limit))


def job_state(job: Job, *, done: int | None = None) -> dict:
    """The polling JSON: where the job is and how far it got (`done` when the kind knows better
    than the row, e.g. from a cache while a transaction hides the row's progress)."""
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "done": job.progress if done is None else done,
        "total": job.progress_total,
        "working": job.working,
    }


def wants_state(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def job_page(request, job: Job, template: str, *, done: int | None = None, **context):
    """The job's page, or its state as JSON when the page's script asks (Accept: application/json)."""
    state = job_state(job, done=done)
    if wants_state(request):
        return JsonResponse(state)
    return render(request, template, {"job": job, "state": state, "stale": job.is_stale(), **context})


def retry(request, job: Job, *, restart: Callable[..., bool], restarted: str, not_restarted: str):
    """Restart a failed or stuck job (the kind's service), say so, and go back to its page."""
    if restart(job=job):
        messages.success(request, restarted)
    else:
        messages.warning(request, not_restarted)
    return redirect(job.page_url())


def send_file(request, job: Job, handle, *, filename: str, audit: dict | None, action=AuditEntry.Action.DOWNLOAD):
    """Send `handle` as an attachment, audited first unless `audit` is None (a file without
    personal data). `audit` holds the entry's summary and changes."""
    if audit is not None:
        log_action(actor=request.user, action=action, obj=job, **audit)
    return file_response(handle, filename=filename)


def download(request, job: Job, *, filename: str, audit: dict | None):
    """A done job's stored file. The caller found the job with `get_job_for`; the scope is asked
    again here, so no download path can skip it."""
    if job.status not in job.COMPLETE or not job.file or not covers(request.user, job.township_ids()):
        raise Http404
    return send_file(request, job, open_stored(job.file), filename=filename, audit=audit)
