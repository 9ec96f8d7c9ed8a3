"""Sending a stored file (a document, a photo, a job's file) to the user who asked for it.

The view has just checked the user's scope as it is now; the response must not outlive that check.
`file_response` marks every such file private and not to be stored, so no browser on a shared office
computer and no proxy keeps it: a user whose scope is reduced cannot open the file again from a cache.
"""

from django.http import FileResponse, Http404


def open_stored(field):
    """The stored file of a FileField opened for reading; 404 if it is no longer on disk (purged)."""
    try:
        return field.open("rb")
    except FileNotFoundError:
        raise Http404 from None


def file_response(handle, *, filename: str, content_type: str | None = None, attachment: bool = True) -> FileResponse:
    """`handle` sent as `filename` (shown in the browser when not `attachment`), never cached."""
    response = FileResponse(handle, as_attachment=attachment, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
