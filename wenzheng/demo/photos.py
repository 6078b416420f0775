"""Photos with some of the demo county's messages, as citizens attach them to a street
light out, a broken road or a rubbish heap: drawn here, so the demo needs no files,
and put through the same checks as an upload (wenzheng.attachments.files: decoded,
re-encoded without metadata, a thumbnail made). A newcomer then sees thumbnails on
the board and in the unit's view of a message."""

import io
import random
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter

from wenzheng.attachments import files

SIZE = (1200, 900)


def _ground(draw, rng, *, sky, ground, horizon):
    width, height = SIZE
    for y in range(horizon):  # the sky, lighter towards the horizon
        t = y / horizon
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(sky[0], sky[1], strict=True)))
    draw.rectangle([0, horizon, width, height], fill=ground)
    for _ in range(2500):  # grit, so it does not look flat
        x, y = rng.randrange(width), rng.randrange(horizon, height)
        shade = rng.randrange(-18, 18)
        draw.point((x, y), fill=tuple(max(0, min(255, c + shade)) for c in ground))


def _street_light(rng) -> Image.Image:
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _ground(draw, rng, sky=((18, 24, 58), (70, 62, 96)), ground=(52, 52, 56), horizon=560)
    for x in range(0, 1200, 160):  # houses along the street, a few windows lit
        top = rng.randrange(300, 420)
        draw.rectangle([x, top, x + 140, 560], fill=(34, 32, 40))
        for wx in range(x + 15, x + 125, 35):
            if rng.random() < 0.3:
                draw.rectangle([wx, top + 30, wx + 18, top + 55], fill=(236, 196, 110))
    draw.rectangle([596, 180, 612, 700], fill=(92, 96, 104))  # the pole
    draw.line([(604, 190), (720, 170)], fill=(92, 96, 104), width=10)
    draw.ellipse([690, 160, 770, 200], fill=(58, 58, 62))  # its lamp, dark
    draw.polygon([(0, 900), (520, 560), (680, 560), (1200, 900)], fill=(44, 44, 48))  # the road
    return image.filter(ImageFilter.GaussianBlur(1))


def _road(rng) -> Image.Image:
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _ground(draw, rng, sky=((150, 186, 220), (214, 226, 236)), ground=(118, 122, 120), horizon=380)
    draw.polygon([(0, 900), (470, 380), (730, 380), (1200, 900)], fill=(96, 98, 100))
    for dash in range(6):  # the centre line
        y = 400 + dash * 85
        half = 3 + dash * 2
        draw.rectangle([600 - half, y, 600 + half, y + 40], fill=(226, 222, 206))
    for _ in range(5):  # potholes with water in them
        cx, cy = rng.randrange(380, 820), rng.randrange(560, 860)
        w, h = rng.randrange(70, 170), rng.randrange(30, 60)
        draw.ellipse([cx - w, cy - h, cx + w, cy + h], fill=(64, 58, 50))
        draw.ellipse([cx - w + 14, cy - h + 10, cx + w - 14, cy + h - 8], fill=(112, 128, 140))
    return image.filter(ImageFilter.GaussianBlur(1))


def _rubbish(rng) -> Image.Image:
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _ground(draw, rng, sky=((176, 196, 214), (224, 228, 226)), ground=(128, 112, 92), horizon=330)
    draw.rectangle([120, 250, 420, 640], fill=(46, 110, 70))  # a full bin
    draw.rectangle([100, 230, 440, 260], fill=(36, 90, 58))
    for _ in range(140):  # bags and boxes heaped around it
        x, y = rng.randrange(60, 1000), rng.randrange(520, 860)
        w, h = rng.randrange(30, 110), rng.randrange(24, 80)
        colour = rng.choice([(30, 30, 34), (210, 210, 204), (64, 100, 170), (170, 60, 50), (180, 150, 100)])
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(1))


DRAWINGS = {"street_lights": _street_light, "road": _road, "garbage": _rubbish}


def for_message(topic: str, title: str) -> list[files.Upload]:
    """One or two photos for a message about `topic`, for about half of those whose
    topic has a drawing (chosen by the title, so the demo stays the same build to
    build and the demo's own random numbers are not drawn on); none otherwise."""
    draw = DRAWINGS.get(topic)
    seed = zlib.crc32(title.encode())
    if draw is None or seed % 2:
        return []
    rng = random.Random(seed)
    uploads = []
    for i in range(2 if seed % 3 == 2 else 1):
        out = io.BytesIO()
        draw(rng).save(out, "JPEG", quality=82)
        uploads.append(SimpleUploadedFile(f"IMG_{seed % 10000:04d}_{i + 1}.jpg", out.getvalue(), "image/jpeg"))
    return files.read_all(uploads, allow_pdf=False)
