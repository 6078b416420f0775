"""What an upload becomes before it is kept (no database)."""

import base64
import binascii
import io
import zlib
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from PIL import Image

from wenzheng.attachments import files
from wenzheng.attachments.testing import GPS_IFD, pdf, phone_photo, png_with_alpha, pretending


class ImagesTest(SimpleTestCase):
    def test_it_reencodes_a_phone_photo_without_its_metadata_upright_and_smaller(self):
        upload = files.read(phone_photo(), allow_pdf=False)
        self.assertEqual((upload.kind, upload.content_type, upload.name), ("image", "image/jpeg", "IMG_0001.jpg"))
        kept = Image.open(io.BytesIO(upload.content))
        self.assertEqual(dict(kept.getexif()), {})
        self.assertEqual(dict(kept.getexif().get_ifd(GPS_IFD)), {})
        self.assertNotIn(b"WZTESTPHONE", upload.content)
        self.assertNotIn(b"Exif", upload.content)
        # Turned a quarter as its orientation said (3000×2000 → portrait), then fitted.
        self.assertEqual(kept.size, (files.IMAGE_MAX_SIDE * 2000 // 3000, files.IMAGE_MAX_SIDE))
        thumb = Image.open(io.BytesIO(upload.thumbnail))
        self.assertEqual(max(thumb.size), files.THUMBNAIL_SIDE)
        self.assertNotIn(b"Exif", upload.thumbnail)

    def test_webp_and_transparent_png_are_kept_as_pictures(self):
        webp = files.read(phone_photo(fmt="WEBP", name="a.webp"), allow_pdf=False)
        self.assertEqual(webp.content_type, "image/jpeg")
        self.assertNotIn(b"WZTESTPHONE", webp.content)
        png = files.read(png_with_alpha(), allow_pdf=False)
        self.assertEqual((png.content_type, png.name), ("image/png", "sketch.png"))

    def test_the_type_is_judged_by_content_not_by_name(self):
        with self.assertRaises(files.Refused) as refused:
            files.read(pretending(), allow_pdf=False)
        self.assertIn("按文件内容判断", refused.exception.reason)
        # A real photo named .txt is a photo, and is offered under its real extension.
        upload = files.read(phone_photo(name="证据.txt"), allow_pdf=False)
        self.assertEqual(upload.name, "证据.jpg")

    def test_a_file_that_starts_like_a_jpeg_but_does_not_decode_is_refused(self):
        broken = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 400)
        with self.assertRaisesMessage(files.Refused, "无法识别或已损坏"):
            files.read(broken, allow_pdf=False)

    def test_a_decompression_bomb_is_refused_before_it_is_decoded(self):
        image = Image.new("1", (9000, 9000))
        out = io.BytesIO()
        image.save(out, "PNG")
        with self.assertRaisesMessage(files.Refused, "像素过多"):
            files.read(SimpleUploadedFile("bomb.png", out.getvalue()), allow_pdf=False)

    @override_settings(ATTACHMENT_MAX_BYTES=1000)
    def test_the_size_limit_is_a_setting_and_named_in_the_refusal(self):
        with self.assertRaisesMessage(files.Refused, "超过"):
            files.read(phone_photo(), allow_pdf=False)

    def test_at_most_nine(self):
        with self.assertRaisesMessage(files.Refused, "最多上传9个文件"):
            files.read_all([png_with_alpha() for _ in range(10)], allow_pdf=False)

    def test_names_lose_folders_and_control_characters(self):
        self.assertEqual(files.clean_name("../../etc/pa\x00ss\u202ewd.jpg", "png"), "passwd.png")
        self.assertEqual(files.clean_name("", "jpg"), "附件.jpg")
        # The extension it came with, for a message about the file.
        self.assertEqual(files.clean_name("C:\\相册\\huge.j\x07pg", None), "huge.jpg")
        self.assertEqual(files.clean_name("fake", None), "fake")


class PdfTest(SimpleTestCase):
    def test_a_plain_pdf_is_accepted_for_units_only(self):
        self.assertEqual(files.read(pdf(), allow_pdf=True).content_type, "application/pdf")
        with self.assertRaisesMessage(files.Refused, "JPEG、PNG或WebP"):
            files.read(pdf(), allow_pdf=False)

    def test_a_pdf_with_a_script_is_refused(self):
        with self.assertRaisesMessage(files.Refused, "含有脚本"):
            files.read(pdf(script=True), allow_pdf=True)


def crafted(*objects: bytes) -> SimpleUploadedFile:
    """A PDF of these objects ("N 0 obj … endobj" each), with a cross-reference table."""
    body, offsets = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", []
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return SimpleUploadedFile("答复.pdf", body, content_type="application/pdf")


def stream(number: int, dictionary: bytes, data: bytes) -> bytes:
    return b"%d 0 obj << %s /Length %d >>\nstream\n%s\nendstream\nendobj" % (number, dictionary, len(data), data)


def object_stream(number: int, objects: bytes, *, extra=b"", encode=zlib.compress, filters=b"/FlateDecode") -> bytes:
    """An object stream holding object 3 (its text `objects`), compressed."""
    header = b"3 0 "
    return stream(
        number, b"/Type /ObjStm /N 1 /First %d /Filter %s %s" % (len(header), filters, extra), encode(header + objects)
    )


CATALOG = b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj"
PAGES = b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj"
OPENS_SCRIPT = b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"


class CraftedPdfTest(SimpleTestCase):
    """What a script-carrying PDF does to get past a check of its raw bytes."""

    def refused(self, upload, reason="含有脚本"):
        with self.assertRaisesMessage(files.Refused, reason):
            files.read(upload, allow_pdf=True)

    def test_names_spelled_with_escapes_are_read_as_names(self):
        self.refused(
            crafted(b"1 0 obj << /Type /Catalog /Open#41ction << /S /J#61vaScript /J#53 (x) >> >> endobj", PAGES)
        )
        self.refused(crafted(CATALOG, PAGES, b"3 0 obj << /Type /Action /S /#4C#61unch /F (calc.exe) >> endobj"))
        self.refused(
            crafted(CATALOG, PAGES, b"3 0 obj << /Type /Filespec /EF << /F 4 0 R >> /Emb#65ddedFile 4 0 R >> endobj")
        )

    def test_forms_that_send_or_load_data_and_links_into_other_files_are_refused(self):
        for action in (b"/SubmitForm /F (http://x.example/)", b"/ImportData /F (a.fdf)", b"/GoToR /F (b.pdf)"):
            with self.subTest(action=action):
                self.refused(crafted(CATALOG, PAGES, b"3 0 obj << /S " + action + b" >> endobj"))

    def test_a_script_inside_a_compressed_object_stream_is_found(self):
        self.refused(crafted(CATALOG, PAGES, object_stream(4, OPENS_SCRIPT)))
        # Encoded twice, and its dictionary's own names escaped.
        self.refused(
            crafted(
                CATALOG,
                PAGES,
                object_stream(
                    4,
                    b"<< /S /Launch /F (calc.exe) >>",
                    encode=lambda b: binascii.hexlify(zlib.compress(b)) + b">",
                    filters=b"[/ASCIIHexDecode /FlateDecode]",
                )
                .replace(b"/Type /ObjStm", b"/Type /Obj#53tm")
                .replace(b"/First", b"/Fir#73t"),
            )
        )
        self.refused(
            crafted(
                CATALOG,
                PAGES,
                object_stream(
                    4, OPENS_SCRIPT, encode=lambda b: base64.a85encode(zlib.compress(b)) + b"~>", filters=b"[/A85 /Fl]"
                ),
            )
        )

    def test_a_string_posing_as_a_header_does_not_hide_the_object_streams_dictionary(self):
        # Read backwards from "stream", "(1 0 obj<<)" would look like the dictionary's start.
        self.refused(crafted(CATALOG, PAGES, object_stream(4, OPENS_SCRIPT, extra=b"/X (1 0 obj<<) /Y 1")))

    def test_an_object_stream_that_cannot_be_read_is_refused(self):
        unreadable = "无法检查"
        self.refused(crafted(CATALOG, PAGES, object_stream(4, OPENS_SCRIPT, filters=b"/LZWDecode")), unreadable)
        self.refused(
            crafted(CATALOG, PAGES, object_stream(4, OPENS_SCRIPT, encode=lambda b: b"\x00garbage")), unreadable
        )
        self.refused(
            crafted(CATALOG, PAGES, object_stream(4, OPENS_SCRIPT, extra=b"/DecodeParms << /Predictor 12 >>")),
            unreadable,
        )
        with mock.patch.object(files, "PDF_MAX_INFLATED", 1000):
            self.refused(crafted(CATALOG, PAGES, object_stream(4, b"<< /A 1 >>" + b" " * 5000)), unreadable)

    def test_a_stream_hidden_in_another_streams_bytes_is_refused(self):
        hidden = object_stream(5, OPENS_SCRIPT)
        self.refused(crafted(CATALOG, PAGES, stream(4, b"/Subtype /Image", hidden)), "无法检查")

    def test_plain_pdfs_with_object_streams_and_binary_content_are_accepted(self):
        content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET")
        binary = bytes(range(256)) * 8 + b"/JS" + bytes(range(256))  # a font's bytes, say: not a name
        upload = crafted(
            CATALOG,
            object_stream(4, b"<< /Type /Pages /Kids [] /Count 0 >>"),
            stream(5, b"/Filter /FlateDecode", content),
            stream(6, b"/Filter /FlateDecode", zlib.compress(binary)),
        )
        self.assertEqual(files.read(upload, allow_pdf=True).content_type, "application/pdf")

    def test_pdfs_written_by_common_software_are_accepted(self):
        from matplotlib.figure import Figure

        figure = Figure()
        figure.add_subplot().plot([1, 2, 3], [2, 1, 3])
        out = io.BytesIO()
        figure.savefig(out, format="pdf")
        self.assertEqual(files.read(SimpleUploadedFile("图.pdf", out.getvalue()), allow_pdf=True).kind, "pdf")
        out = io.BytesIO()
        Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "PDF")
        self.assertEqual(files.read(SimpleUploadedFile("扫描件.pdf", out.getvalue()), allow_pdf=True).kind, "pdf")
