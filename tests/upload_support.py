"""Small real files for upload tests: uploads are opened (Pillow, pypdf), so magic bytes alone are refused."""

import io

from PIL import Image
from pypdf import PdfWriter

GPS_IFD = 0x8825


def image_bytes(fmt: str = "PNG", *, size=(4, 3), gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 31.0, 0.0), 3: "E", 4: (114.0, 59.0, 0.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif) if gps else image.save(out, fmt)
    return out.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")
PDF = pdf_bytes()
