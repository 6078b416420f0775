"""Files for tests: photos as phones take them (with EXIF, a GPS position and an
orientation), and files that only pretend to be photos."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112


def phone_photo(*, size=(3000, 2000), colour=(180, 120, 60), fmt="JPEG", name="IMG_0001.jpg") -> SimpleUploadedFile:
    """A photo carrying the phone's make, a GPS position (罗城, 24.78N 108.90E) and an
    orientation that says "turn me a quarter"."""
    image = Image.new("RGB", size, colour)
    exif = image.getexif()
    exif[MAKE] = "WZTESTPHONE"
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (24.0, 46.0, 48.0), 3: "E", 4: (108.0, 54.0, 12.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_with_alpha(name="sketch.png") -> SimpleUploadedFile:
    image = Image.new("RGBA", (200, 100), (0, 128, 255, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(*, script=False, name="答复依据.pdf") -> SimpleUploadedFile:
    action = b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>" if script else b""
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + action + b">> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def pretending(name="photo.jpg", content=b"<html><script>alert(1)</script></html>") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")
