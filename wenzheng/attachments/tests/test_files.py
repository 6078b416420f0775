"""What an upload becomes before it is kept (no database)."""

import io

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


class PdfTest(SimpleTestCase):
    def test_a_plain_pdf_is_accepted_for_units_only(self):
        self.assertEqual(files.read(pdf(), allow_pdf=True).content_type, "application/pdf")
        with self.assertRaisesMessage(files.Refused, "JPEG、PNG或WebP"):
            files.read(pdf(), allow_pdf=False)

    def test_a_pdf_with_a_script_is_refused(self):
        with self.assertRaisesMessage(files.Refused, "含有脚本"):
            files.read(pdf(script=True), allow_pdf=True)
