"""One way to turn a template into a PDF (WeasyPrint), shared by every printed document.

A document is a template that extends ``pdf/base.html``: A4, the bureau's name in the running
header, "第 X 页 共 Y 页" in the footer, table heads repeated on every page, and the CJK font that
``bin/setup`` installs (Debian's fonts-noto-cjk). Pages, Celery tasks and commands all call
``render_pdf`` so a document looks the same wherever it is made.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


def render_pdf(template_name, context, *, request=None):
    """The PDF's bytes for a template extending pdf/base.html."""
    html = render_to_string(template_name, {"bureau_name": settings.BUREAU_NAME, **context}, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=FontConfiguration())


def pdf_response(content, filename, *, attachment=False):
    """An HTTP response carrying a PDF; the Chinese file name survives in every browser (RFC 6266)."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response
