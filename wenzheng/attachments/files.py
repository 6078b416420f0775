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
  refused if they carry scripts, actions that run on opening, or embedded files
  (`pdf_active`: names read with their #xx escapes undone, inside object streams
  too, which are decompressed; an object stream that cannot be read is refused).

Every refusal is a `Refused` with a Chinese reason naming the file.
"""

import base64
import binascii
import io
import re
import unicodedata
import warnings
import zlib
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
# programs, embedded or attached files. A name ends at white space or a delimiter.
_END_OF_NAME = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)"
PDF_ACTIVE = re.compile(
    # Scripts, actions run on opening, embedded files; forms that send or load data
    # and links into other files (an attacker's trial). A plain web link (/URI) stays:
    # official documents cite their sources, and a link opens only when clicked.
    rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|EmbeddedFiles|RichMedia|XFA"
    rb"|SubmitForm|ImportData|GoToR|GoToE)" + _END_OF_NAME
)


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


def clean_name(name: str, extension: str | None) -> str:
    """The name the file is offered under: no folders, no control characters, its
    real extension; or, with `extension` None, the one it came with (cleaned), as its
    sender knows it, for a message about it (a refusal said “huge” of huge.jpg)."""
    name = unicodedata.normalize("NFKC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(ch for ch in name.rsplit(".", 1)[0] if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = stem.strip(" .")[:80] or "附件"
    if extension is None:
        extension = "".join(ch for ch in name.rsplit(".", 1)[1] if ch.isalnum())[:10] if "." in name else ""
    return f"{stem}.{extension}" if extension else stem


def _limit_text() -> str:
    return f"{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB"


def read(uploaded, *, allow_pdf: bool) -> Upload:
    """Check and prepare one uploaded file (a Django UploadedFile)."""
    label = clean_name(uploaded.name, None)
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise Refused(f"文件“{label}”超过{_limit_text()}，请压缩后再上传。")
    if uploaded.size == 0:  # a photo a phone's gallery had not finished saving, say
        raise Refused(f"{'文件' if allow_pdf else '照片'}“{label}”是空文件，请重新选择。")
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
    try:
        active = pdf_active(data)
    except Unreadable:
        raise Refused(
            f"PDF文件“{label}”含有无法检查的压缩内容，出于安全考虑不能上传，请用“打印为PDF”另存为普通PDF。"
        ) from None
    if active:
        raise Refused(f"PDF文件“{label}”含有脚本、自动操作或嵌入的文件，出于安全考虑不能上传，请另存为普通PDF。")
    return Upload(
        kind="pdf",
        content=data,
        content_type="application/pdf",
        extension="pdf",
        name=clean_name(name, "pdf"),
    )


# --- what a PDF holds ---------------------------------------------------------------
#
# A PDF's objects are dictionaries of names (/OpenAction, /JS …), written in the file
# as they are or, since PDF 1.5, packed into object streams, compressed. A name may
# spell any of its bytes as #xx (/J#61vaScript is /JavaScript). So the check reads
# every name with its escapes undone: in the whole file as it is (a reader may be sent
# by the cross-reference table to an object anywhere, even inside another stream's
# bytes), and inside every object stream, decompressed.
#
# The streams are found by reading the file from its start as a reader does (strings,
# comments, dictionaries, each stream's bytes skipped by its length), so that a string
# holding "<<", "obj" or "stream" cannot pass for a stream's dictionary. An object
# stream (its dictionary has /First, or /Type /ObjStm) that cannot be read (a filter
# other than Flate, ASCIIHex or ASCII85, a predictor, an encrypted or broken stream,
# more than PDF_MAX_INFLATED bytes), and a stream met only inside another's bytes, are
# refused rather than passed unread. Other streams (page content, images, fonts) hold
# no objects and are not decompressed.

PDF_MAX_INFLATED = 64 * 1024 * 1024
_WHITE = b"\x00\t\n\x0c\r "
_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_REGULAR = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_SPACE = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)+")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_FILTERS = {b"FlateDecode", b"Fl", b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85"}
_OBJECT_STREAM = re.compile(rb"/First" + _END_OF_NAME + rb"|/Type\s*/ObjStm" + _END_OF_NAME)


class Unreadable(ValueError):
    """A PDF whose objects cannot all be read."""


def _names_unescaped(data: bytes) -> bytes:
    return _NAME.sub(lambda m: _ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), m.group()), data)


def _string_end(data: bytes, i: int) -> int:
    """The end of the literal string that opens at data[i] ("(…)", nested, escaped)."""
    depth = 0
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unreadable("unterminated string")


def _stream_end(data: bytes, dictionary: bytes, start: int) -> int:
    """Where the bytes of the stream that begins at `start` end: at its /Length when
    "endstream" follows there, otherwise at the first "endstream" (as readers do)."""
    length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", dictionary)
    end = start + int(length.group(1)) if length else -1
    if length is None or not data[end : end + 40].lstrip(_WHITE).startswith(b"endstream"):
        end = data.find(b"endstream", start)
    if end == -1:
        raise Unreadable("a stream without its end")
    return end


def _streams(data: bytes):
    """Each stream of the file, read from its start: (where its keyword is, its
    dictionary with names unescaped, its bytes)."""
    i, n, opened, closed = 0, len(data), [], None
    while i < n:
        space = _SPACE.match(data, i)
        if space:
            i = space.end()
            continue
        if data.startswith(b"<<", i):
            opened.append(i)
            i, closed = i + 2, None
        elif data.startswith(b">>", i):
            start = opened.pop() if opened else None
            i += 2
            closed = (start, i) if start is not None and not opened else None
        elif data[i] == 0x28:  # (
            i, closed = _string_end(data, i), None
        elif data[i] == 0x3C:  # <: a hex string
            end = data.find(b">", i)
            i, closed = (n if end == -1 else end + 1), None
        elif data[i] == 0x2F:  # /: a name
            i, closed = _NAME.match(data, i).end(), None
        elif data[i] in b"[]{})>":
            i, closed = i + 1, None
        else:
            token = _REGULAR.match(data, i)
            keyword = _STREAM.match(data, i)
            if keyword and closed is not None:
                dictionary = _names_unescaped(data[closed[0] : closed[1]])
                end = _stream_end(data, dictionary, keyword.end())
                yield i, dictionary, data[keyword.end() : end]
                i, closed = end + len(b"endstream"), None
                continue
            i, closed = token.end(), None


def _inflated(dictionary: bytes, raw: bytes) -> bytes:
    """An object stream's bytes, decoded: Flate, ASCIIHex and ASCII85 only."""
    predictor = re.search(rb"/Predictor\s+(\d+)", dictionary)
    if predictor and predictor.group(1) != b"1":
        raise Unreadable("a predictor")
    found = re.search(rb"/Filter\s*(\[[^\]]*\]|/[^\x00\t\n\x0c\r /\[<>]+|\d+\s+\d+\s+R)", dictionary)
    filters = re.findall(rb"/([^\x00\t\n\x0c\r /\]]+)", found.group(1)) if found else []
    if (found and not filters) or any(f not in _FILTERS for f in filters):
        raise Unreadable("a filter that cannot be read")
    out = raw
    for f in filters:
        try:
            if f in (b"ASCIIHexDecode", b"AHx"):
                digits = re.sub(rb"[^0-9A-Fa-f]", b"", out.split(b">")[0])
                out = binascii.unhexlify(digits + b"0" * (len(digits) % 2))
            elif f in (b"ASCII85Decode", b"A85"):
                out = base64.a85decode(out.strip(_WHITE).removeprefix(b"<~").split(b"~>")[0], ignorechars=_WHITE)
            else:
                inflate = zlib.decompressobj()
                out = inflate.decompress(out, PDF_MAX_INFLATED)
                if not inflate.eof:
                    raise Unreadable("a broken or oversized stream")
        except (ValueError, zlib.error) as e:
            raise Unreadable(str(e)) from None
    return out


def pdf_active(data: bytes) -> bool:
    """Whether the PDF names a script, an action run on opening or on an event, a
    program to launch or an embedded file, anywhere a reader would find it.
    Unreadable if an object stream cannot be read."""
    if PDF_ACTIVE.search(_names_unescaped(data)):
        return True
    inflated, read = 0, set()
    for at, dictionary, raw in _streams(data):
        read.add(at)
        if not _OBJECT_STREAM.search(dictionary):
            continue
        objects = _inflated(dictionary, raw)
        inflated += len(objects)
        if inflated > PDF_MAX_INFLATED:
            raise Unreadable("too much to read")
        if PDF_ACTIVE.search(_names_unescaped(objects)):
            return True
    # A stream keyword after a dictionary that the reading above did not meet: inside
    # another stream's bytes or a string, where the cross-reference table may still
    # send a reader. Its dictionary cannot be told for sure: refused.
    for keyword in _STREAM.finditer(data):
        if keyword.start() in read:
            continue
        before = data[max(0, keyword.start() - 256) : keyword.start()]
        if before.rstrip(_WHITE).endswith(b">>") or _SPACE.sub(b" ", before).rstrip(_WHITE).endswith(b">>"):
            raise Unreadable("a stream inside another's bytes")
    return False


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
