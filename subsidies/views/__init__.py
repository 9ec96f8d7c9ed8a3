"""The subsidies pages: programmes, enrolments and the queue (`enrolments`), monthly batches (`batches`),
and the roster exports with their job pages (`exports`).

`child_enrolments_context` and `todo_counts` are read by other pages (the case file, the dashboard).
"""

from .enrolments import child_enrolments_context, todo_counts

__all__ = ["child_enrolments_context", "todo_counts"]
