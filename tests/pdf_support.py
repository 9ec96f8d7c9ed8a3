"""Reading back the PDFs the application prints: their text (poppler's pdftotext) and page count."""

import subprocess


def pdf_text(content):
    """The PDF's text, page by page in reading order (form feeds between pages)."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return result.stdout.decode()


def pdf_pages(content):
    return pdf_text(content).count("\f")
