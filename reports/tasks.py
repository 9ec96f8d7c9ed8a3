"""The report tasks live beside the job service; imported here so the worker's autodiscovery registers them."""

from .jobs import purge_old_report_files_task, report_job_task

__all__ = ["purge_old_report_files_task", "report_job_task"]
