"""What an uploaded file becomes before it is kept: checked by its content, never by
its name, and for images decoded and written again.

- JPEG, PNG and WebP photos are recognised by their first bytes, fully decoded with
  Pillow (a file that does not decode is refused), turned upright by their EXIF
  orientation, and encoded again from the pixels alone: no EXIF (the phone's GPS
  location, its serial number, the time), no XMP, no comments, no ICC profile, no
  trailing bytes. At most IMAGE_MAX_SIDE pixels on the long side, with a thumbnail
  of THUMBNAIL_SIDE. Animated images keep their first frame. A picture of more than
  IMAGE_MAX_PIXELS is refused before it is decoded (a decompression bomb).
- PDF documents (from units only) are recognised by their header and end, and
  refused if they carry scripts, actions that run on opening, or embedded files.

Every refusal is a `Refused` with a Chinese reason naming the file.
"""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_MAX_SIDE = 2048
THUMBNAIL_SIDE = 360
IMAGE_MAX_PIXELS = 40_000_000
MAX_FILES = 9

SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
}
PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# What a PDF may not carry: JavaScript, actions run on opening or on events, launching
# programs, embedded or attached files.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|EmbeddedFiles|RichMedia|XFA)\b")


class Refused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Upload:
    """A file ready to be kept: its bytes as they will be stored, and a thumbnail."""

    kind: str  # "image" or "pdf"
    content: bytes = field(repr=False)
    content_type: str
    extension: str
    name: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes = field(default=b"", repr=False)
    saved: list = field(default_factory=list)  # storage names written so far


def sniff(head: bytes) -> str | None:
    """The kind of file its first bytes say it is."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for kind, signatures in SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            return kind
    return None


def clean_name(name: str, extension: str) -> str:
    """The name the file is offered under: no folders, no control characters, its
    real extension."""
    name = unicodedata.normalize("NFKC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(ch for ch in name.rsplit(".", 1)[0] if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = stem.strip(" .")[:80] or "附件"
    return f"{stem}.{extension}"


def _limit_text() -> str:
    return f"{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB"


def read(uploaded, *, allow_pdf: bool) -> Upload:
    """Check and prepare one uploaded file (a Django UploadedFile)."""
    label = clean_name(uploaded.name, "x")[:-2] or "附件"
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise Refused(f"文件“{label}”超过{_limit_text()}，请压缩后再上传。")
    if uploaded.size == 0:
        raise Refused(f"文件“{label}”是空的。")
    uploaded.seek(0)
    data = uploaded.read()
    kind = sniff(data[:16])
    allowed = "JPEG、PNG、WebP图片或PDF文件" if allow_pdf else "JPEG、PNG或WebP格式的照片"
    if kind is None or (kind == "pdf" and not allow_pdf):
        raise Refused(f"文件“{label}”不是{allowed}（按文件内容判断，与扩展名无关）。")
    if kind == "pdf":
        return _pdf(data, uploaded.name, label)
    return _image(data, kind, uploaded.name, label)


def _pdf(data: bytes, name: str, label: str) -> Upload:
    if b"%%EOF" not in data[-2048:]:
        raise Refused(f"文件“{label}”不是完整的PDF文件。")
    if PDF_ACTIVE.search(data):
        raise Refused(f"PDF文件“{label}”含有脚本、自动操作或嵌入的文件，出于安全考虑不能上传，请另存为普通PDF。")
    return Upload(
        kind="pdf",
        content=data,
        content_type="application/pdf",
        extension="pdf",
        name=clean_name(name, "pdf"),
    )


def _decoded(data: bytes, kind: str, label: str) -> Image.Image:
    bad = Refused(f"图片“{label}”无法识别或已损坏，请重新拍摄或另存后上传。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMAT[kind]]) as probe:
                if probe.width * probe.height > IMAGE_MAX_PIXELS:
                    raise Refused(f"图片“{label}”像素过多（{probe.width}×{probe.height}），请缩小后再上传。")
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMAT[kind]])
            image.seek(0)
            image.load()
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise bad from None
    except Image.DecompressionBombWarning:
        raise Refused(f"图片“{label}”像素过多，请缩小后再上传。") from None
    return image


def _image(data: bytes, kind: str, name: str, label: str) -> Upload:
    image = _decoded(data, kind, label)
    # Upright as the phone showed it: the orientation tag goes with the rest of EXIF.
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    pixels = image.convert("RGBA" if transparent else "RGB")
    pixels.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image from the pixels alone: nothing of the original's metadata (EXIF,
    # XMP, ICC, comments) can ride along into the saved file.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    content = io.BytesIO()
    if transparent:
        clean.save(content, "PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        clean.save(content, "JPEG", quality=85, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
    thumb = clean.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode == "RGBA":
        flat = Image.new("RGB", thumb.size, (255, 255, 255))
        flat.paste(thumb, mask=thumb.getchannel("A"))
        thumb = flat
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=80, optimize=True)
    return Upload(
        kind="image",
        content=content.getvalue(),
        content_type=content_type,
        extension=extension,
        name=clean_name(name, extension),
        width=clean.width,
        height=clean.height,
        thumbnail=small.getvalue(),
    )


def read_all(files, *, allow_pdf: bool, limit: int = MAX_FILES) -> list[Upload]:
    files = [f for f in files if f]
    if len(files) > limit:
        raise Refused(f"最多上传{limit}个文件，这次选了{len(files)}个。")
    return [read(f, allow_pdf=allow_pdf) for f in files]
