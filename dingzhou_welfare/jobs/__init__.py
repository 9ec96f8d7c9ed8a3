"""One job mechanism for every long piece of work a page starts and a worker finishes.

A job is a row: queued, then running (its kind may name the running states), then done or failed,
with progress and `progress_at` so a reload shows where it is and a job whose worker died is seen
as stale and can be restarted. Its file, if it leaves one, is downloaded through one scoped,
audited view and deleted after `KEEP_FILES_FOR`.

- `models.Job`: the abstract model (shared fields, `working`, `percent`, `is_stale`, `township_ids`).
- `services`: claim (a conditional UPDATE), record_progress, fail, finish, restart, the file written
  beside its name, purge of old files.
- `views`: the scoped lookup (`get_job_for`, `jobs_in_scope`), the page and its polling JSON
  (`job_page`, `job_state`), the retry, the audited download (`download`, `send_file`).
- `templates/jobs/job.html`: the page with its progress bar; a kind's page extends it.

Adding a kind (the bank payment file, the bank returns, a backup) is a few lines:

1. In the app's models.py, `class BankFileJob(Job)` with its own fields, a `Status` (TextChoices
   holding at least QUEUED, RUNNING, DONE, FAILED), `status = models.CharField(..., choices=...)`,
   a `file` field if it leaves one, `PAGE_URL`/`RETRY_URL`/`DOWNLOAD_URL` (URL names taking the
   pk), and `township_ids()` if its file covers less than the county (None: the whole county,
   so only county-wide roles may open it).
2. In its services: `jobs.claim(BankFileJob, job_id=...)`, write inside `jobs.job_file(...)`,
   `jobs.record_progress`, then `jobs.finish` or `jobs.fail`; `jobs.restart(job, task=the_task)`;
   `jobs.purge_old_files(BankFileJob)` from a periodic task.
3. Three short views: `get_job_for` + `job_page`, `retry`, `download`; a template extending
   jobs/job.html that fills `job_heading` and `job_facts`.

The ground floor imports no app: apps subclass `Job` and hand their querysets and tasks in.
"""
