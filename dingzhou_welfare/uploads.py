"""Uploaded images and PDFs are opened, not trusted by their first bytes.

An image is decoded by Pillow (verify, then a full load), turned upright and encoded again: what is
stored holds pixels only, without EXIF (a child's photo must not carry the GPS position of the home)
and without anything appended after the image. A PDF is parsed by pypdf and must have pages.
"""

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def reencode_image(upload, *, content_type: str):
    """A new upload with the same name and type, holding the image decoded and encoded again."""
    fmt = FORMATS[content_type]
    refused = ValidationError(
        _("“%(name)s”无法作为图片打开，可能已损坏或不是图片。") % {"name": upload.name}, code="bad_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=[fmt]) as probe:
                probe.verify()
            upload.seek(0)
            with Image.open(upload, formats=[fmt]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            _("图片“%(name)s”的像素过多，请缩小后再上传。") % {"name": upload.name}, code="image_too_large"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refused from None
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    upright.save(out, fmt, **options)  # no exif= and no pnginfo=: the metadata stays behind
    return SimpleUploadedFile(upload.name, out.getvalue(), content_type=content_type)


def check_pdf(upload) -> None:
    """Refuse what pypdf cannot read as a PDF with at least one page, or cannot open without a password."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about small flaws that viewers repair
            reader = PdfReader(upload, strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _("“%(name)s”有密码保护，请上传未加密的PDF。") % {"name": upload.name}, code="pdf_encrypted"
                )
            pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        pages = 0
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(
            _("“%(name)s”无法作为PDF打开，可能已损坏或不是PDF文件。") % {"name": upload.name}, code="bad_pdf"
        )
