"""Photos with messages, follow-ups and replies: kept without their metadata, served
only to those who may see them, hidden with the text they belong to, erased with the
citizen's data."""

import io
import re
from urllib.parse import quote

from django.core.files.storage import storages
from PIL import Image

from wenzheng.attachments import files
from wenzheng.attachments.models import Attachment
from wenzheng.attachments.testing import GPS_IFD, pdf, phone_photo, pretending
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.privacy import actions as privacy
from wenzheng.testing import CastTestCase


def stored(attachment) -> bytes:
    with storages["attachments"].open(attachment.file, "rb") as f:
        return f.read()


def post_form(cast, **extra):
    return {
        "unit": cast.unit_a.pk,
        "category": cast.appeal.pk,
        "title": "路灯坏了",
        "body": "凤凰路的路灯坏了，照片附上。",
        "name": "王五",
        "phone": "13700000000",
        "consent_to_publish": "on",
        **extra,
    }


class PostingPhotosTest(CastTestCase):
    def test_a_citizen_posts_a_message_with_photos_whose_location_is_gone(self):
        c = self.cast
        response = self.client.post(
            "/post/?county=luocheng", post_form(c, photos=[phone_photo(), phone_photo(name="b.jpg")])
        )
        self.assertRedirects(response, "/post/done/")
        message = Message.objects.get(title="路灯坏了")
        kept = list(message.attachments.all())
        self.assertEqual([a.name for a in kept], ["IMG_0001.jpg", "b.jpg"])
        self.assertTrue(all(a.source == "citizen" and a.follow_up_id is None for a in kept))
        data = stored(kept[0])
        self.assertNotIn(b"WZTESTPHONE", data)
        self.assertEqual(dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)), {})
        event = message.events.get(kind=Event.Kind.SUBMITTED)
        self.assertEqual(event.data["attachments"], [a.pk for a in kept])

    def test_a_photos_own_file_name_is_never_sent(self):
        # A phone's or a chat app's file name may carry a name or a place.
        c = self.cast
        self.client.post("/post/?county=luocheng", post_form(c, photos=[phone_photo(name="张三家门口.jpg")]))
        message = Message.objects.get(title="路灯坏了")
        photo = message.attachments.get()
        self.client.force_login(c.handler_a)
        disposition = self.client.get(f"/files/{photo.pk}/")["Content-Disposition"]
        self.assertEqual(disposition, f'inline; filename="{message.serial}-{photo.pk}.jpg"')
        self.assertEqual(photo.name, "张三家门口.jpg")  # kept for the record, never served

    def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_posted(self):
        response = self.client.post("/post/?county=luocheng", post_form(self.cast, photos=[pretending()]))
        self.assertEqual(response.status_code, 200)
        # Named as the citizen knows it, extension and all (not “photo”).
        self.assertContains(response, "文件“photo.jpg”不是JPEG、PNG或WebP格式的照片")
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Attachment.objects.exists())

    def test_a_refused_follow_up_photo_keeps_the_text_written(self):
        c = self.cast
        message = c.replied()
        self.client.force_login(c.citizen)
        url = f"/messages/{message.region.code}/{message.serial}/"
        text = "路灯修好三天又坏了，晚上一片漆黑，请再来看看。"
        response = self.client.post(url, {"text": text, "photos": [pretending()]})
        self.assertContains(response, text, status_code=400)  # in the box again, to send once mended
        self.assertContains(response, "不是JPEG、PNG或WebP格式的照片", count=2, status_code=400)  # top and field
        self.assertContains(response, "已写的内容保留在页面下方", status_code=400)
        self.assertFalse(message.follow_ups.exists())
        self.assertFalse(Attachment.objects.exists())
        empty = self.client.post(url, {"text": "", "photos": [phone_photo(size=(50, 40))]})
        self.assertContains(empty, "请填写追问内容。", status_code=400)
        self.assertContains(empty, "所选照片未保存，请重新选择。", status_code=400)  # not dropped unseen
        self.assertFalse(Attachment.objects.exists())
        # Refused by the action (no longer answerable): the text comes back too.
        Message.objects.filter(pk=message.pk).update(state=Message.State.RESPONDED)  # reopened meanwhile
        refused = self.client.post(url, {"text": text})
        self.assertContains(refused, text, status_code=400)

    def test_ten_photos_are_refused(self):
        response = self.client.post(
            "/post/?county=luocheng", post_form(self.cast, photos=[phone_photo(size=(50, 40)) for _ in range(10)])
        )
        self.assertContains(response, "最多上传9个文件")
        self.assertFalse(Message.objects.exists())

    def test_a_refused_step_leaves_no_file_behind(self):
        c = self.cast
        upload = files.read(phone_photo(), allow_pdf=False)
        message = c.submit()
        with self.assertRaises(actions.ActionRefused):
            # Not answered yet: no follow-up possible.
            actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="？", attachments=[upload])
        from wenzheng.attachments.store import discard

        names = list(upload.saved)
        discard([upload])
        self.assertFalse(any(storages["attachments"].exists(n) for n in names))
        self.assertFalse(Attachment.objects.exists())


class WhoSeesPhotosTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.client.post("/post/?county=luocheng", post_form(c, photos=[phone_photo()]))
        self.message = Message.objects.get(title="路灯坏了")
        self.photo = self.message.attachments.get()
        self.url = f"/files/{self.photo.pk}/"

    def test_nobody_but_the_writer_and_staff_sees_a_photo_before_its_message_is_published(self):
        c = self.cast
        self.assertEqual(self.client.get(self.url).status_code, 200, "the poster's session tracked it")
        self.client.logout()
        self.client.session.flush()
        from django.test import Client

        stranger = Client()
        self.assertEqual(stranger.get(self.url).status_code, 404)
        self.assertEqual(stranger.get(self.url + "thumbnail/").status_code, 404)
        stranger.force_login(c.handler_b)
        self.assertEqual(stranger.get(self.url).status_code, 404, "another unit")
        stranger.force_login(c.handler_a)
        mine = stranger.get(self.url)
        self.assertEqual(mine.status_code, 200)
        self.assertEqual(mine["Cache-Control"], "private, no-store")
        self.assertFalse(mine.has_header("ETag"))

    def test_once_published_it_is_public_with_the_right_headers_and_on_the_page(self):
        c = self.cast
        from django.test import Client

        public = Client()
        actions.reply(message=self.message, by=c.handler_a, text="已修复。")
        response = public.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("inline", response["Content-Disposition"])
        # Kept by a cache only to be asked about again: it may stop being public.
        self.assertEqual(response["Cache-Control"], "no-cache")
        etag = response["ETag"]
        again = public.get(self.url, headers={"If-None-Match": etag})
        self.assertEqual((again.status_code, again["ETag"], again["Cache-Control"]), (304, etag, "no-cache"))
        thumb = public.get(self.url + "thumbnail/")
        self.assertNotEqual(thumb["ETag"], etag)
        privacy.withhold_attachment(attachment=self.photo, by=c.county_office, reason="拍到了车牌")
        self.assertEqual(public.get(self.url, headers={"If-None-Match": etag}).status_code, 404)
        privacy.release_attachment(attachment=self.photo, by=c.county_office)
        self.assertEqual(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format, "JPEG")
        page = public.get(f"/messages/luocheng/{self.message.serial}/")
        self.assertContains(page, f'src="/files/{self.photo.pk}/thumbnail/"')

    def test_the_city_office_sees_the_photos_the_public_sees_and_no_others(self):
        """The city reads a message's texts masked; a photo cannot be masked (an ID
        card, a face, a plate), so it sees what the public sees, the county all."""
        from django.test import Client

        c = self.cast
        page_url = f"/work/messages/{self.message.pk}/"
        for role, before in (("city_office", 404), ("county_office", 200)):
            with self.subTest(role=role, published=False):
                staff = Client()  # not the poster's session, which tracks the message
                staff.force_login(getattr(c, role))
                self.assertEqual(staff.get(self.url).status_code, before)
                self.assertEqual(staff.get(self.url + "thumbnail/").status_code, before)
                shown = f"/files/{self.photo.pk}/" in staff.get(page_url).content.decode()
                self.assertEqual(shown, before == 200)
                self.assertEqual("附件：" in staff.get(page_url + "print/").content.decode(), before == 200)
        actions.reply(message=self.message, by=c.handler_a, text="已修复。")  # published
        self.client = Client()
        self.client.force_login(c.city_office)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertContains(self.client.get(page_url), f"/files/{self.photo.pk}/thumbnail/")
        privacy.withhold_attachment(attachment=self.photo, by=c.county_office, reason="拍到了身份证")
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertNotContains(self.client.get(page_url), f"/files/{self.photo.pk}/")
        self.client.force_login(c.county_office)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_withholding_the_message_or_the_photo_hides_it(self):
        c = self.cast
        from django.test import Client

        public = Client()
        actions.reply(message=self.message, by=c.handler_a, text="已修复。")
        privacy.withhold_attachment(attachment=self.photo, by=c.county_office, reason="拍到了车牌")
        self.assertEqual(public.get(self.url).status_code, 404)
        page = public.get(f"/messages/luocheng/{self.message.serial}/")
        self.assertNotContains(page, f"/files/{self.photo.pk}/")
        self.assertTrue(self.message.events.filter(kind=Event.Kind.ATTACHMENT_WITHHELD).exists())
        privacy.release_attachment(attachment=self.photo, by=c.county_office)
        self.assertEqual(public.get(self.url).status_code, 200)
        privacy.withhold(message=self.message, by=c.county_office, reason="涉及他人隐私")
        self.assertEqual(public.get(self.url).status_code, 404)

    def test_the_boards_row_says_how_many_photos_the_message_shows(self):
        c = self.cast
        from django.test import Client

        public = Client()
        actions.reply(message=self.message, by=c.handler_a, text="已修复。")
        # A follow-up's photo is not the message's own: its row counts one.
        upload = files.read(phone_photo(name="still.jpg"), allow_pdf=False)
        actions.follow_up(message=self.message, who=self._tracked(), text="还是不亮。", attachments=[upload])
        for params in ({}, {"q": "路灯"}, {"q": "路灯", "order": "newest"}):
            self.assertContains(
                public.get("/messages/", params), '<span class="badge photos">附图1张</span>', html=True
            )
        self.assertContains(public.get("/"), "附图1张")
        privacy.withhold_attachment(attachment=self.photo, by=c.county_office, reason="拍到了车牌")
        self.assertNotContains(public.get("/messages/", {"q": "路灯", "unit": c.unit_a.pk}), "附图")

    def test_a_follow_ups_photo_waits_for_its_review(self):
        c = self.cast
        from django.test import Client

        actions.reply(message=self.message, by=c.handler_a, text="已修复。")
        # From now on the county reviews what citizens write before it is public.
        privacy.set_review_before_publishing(region=c.county, by=c.county_office, on=True)
        upload = files.read(phone_photo(name="still.jpg"), allow_pdf=False)
        item = actions.follow_up(message=self.message, who=self._tracked(), text="还是不亮。", attachments=[upload])
        photo = Attachment.objects.get(follow_up=item)
        public = Client()
        self.assertEqual(public.get(f"/files/{photo.pk}/").status_code, 404)
        privacy.pass_review(message=self.message, by=c.county_office, follow_up=item)
        self.assertEqual(public.get(f"/files/{photo.pk}/").status_code, 200)

    def _tracked(self):
        passcode = self.client.session["tracked"][self.message.tracking_code]
        return actions.Citizen(passcode=passcode)

    def test_erasure_removes_the_citizens_photos_and_their_files(self):
        c = self.cast
        name = self.photo.file
        with self.captureOnCommitCallbacks(execute=True):
            privacy.erase_citizen(by=c.county_office, reason="网民申请", messages=[self.message])
        self.assertFalse(Attachment.objects.filter(message=self.message).exists())
        self.assertFalse(storages["attachments"].exists(name))


class UnitFilesTest(CastTestCase):
    def _draft_photo(self):
        """A message of unit A, which signs its replies off, and a draft reply with a photo."""
        c = self.cast
        c.unit_a.reply_signoff = True
        c.unit_a.save()
        message = c.submit()
        upload = files.read(phone_photo(), allow_pdf=True)
        draft = actions.reply(message=message, by=c.handler_a, text="已处理。", attachments=[upload])
        return message, draft, Attachment.objects.get(draft=draft)

    def test_a_unit_replies_with_a_pdf_served_as_a_download(self):
        c = self.cast
        message = c.submit()
        self.client.force_login(c.handler_a)
        response = self.client.post(
            f"/work/messages/{message.pk}/reply/",
            {f"reply-{message.pk}-text": "依据见附件。", f"reply-{message.pk}-files": [pdf(), phone_photo()]},
        )
        self.assertEqual(response.status_code, 302)
        reply = message.replies.get()
        kept = list(reply.attachments.order_by("position"))
        self.assertEqual([a.kind for a in kept], ["pdf", "image"])
        response = self.client.get(f"/files/{kept[0].pk}/")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(quote(kept[0].name), response["Content-Disposition"])  # the unit's own name
        # The unit's photo, as a citizen's, is named after its message.
        photo = self.client.get(f"/files/{kept[1].pk}/")
        self.assertEqual(photo["Content-Disposition"], f'inline; filename="{message.serial}-{kept[1].pk}.jpg"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_a_pdf_with_a_script_is_refused_and_nothing_is_replied(self):
        c = self.cast
        message = c.submit()
        self.client.force_login(c.handler_a)
        response = self.client.post(
            f"/work/messages/{message.pk}/reply/",
            {f"reply-{message.pk}-text": "见附件。", f"reply-{message.pk}-files": [pdf(script=True)]},
        )
        self.assertContains(response, "含有脚本", status_code=400)
        self.assertFalse(message.replies.exists())

    def test_an_unpublished_replys_files_are_for_its_unit_alone(self):
        c = self.cast
        message, draft, photo = self._draft_photo()
        opens = {"handler_a": 200, "handler_a2": 200, "leader_a": 200}
        for role in (
            "handler_a",
            "handler_a2",
            "leader_a",
            "county_office",
            "city_office",
            "admin",
            "handler_b",
            "citizen",
        ):
            with self.subTest(role=role):
                self.client.force_login(getattr(c, role))
                self.assertEqual(self.client.get(f"/files/{photo.pk}/").status_code, opens.get(role, 404))
                self.assertEqual(self.client.get(f"/files/{photo.pk}/thumbnail/").status_code, opens.get(role, 404))
        # The message page links the file for the unit only.
        self.client.force_login(c.county_office)
        self.assertNotContains(self.client.get(f"/work/messages/{message.pk}/"), f"/files/{photo.pk}/")
        self.client.force_login(c.leader_a)
        self.assertContains(self.client.get(f"/work/messages/{message.pk}/"), f"/files/{photo.pk}/")
        # Published, it is the message's as any reply's file.
        actions.approve_reply(draft=draft, by=c.leader_a)
        self.client.force_login(c.county_office)
        self.assertEqual(self.client.get(f"/files/{photo.pk}/").status_code, 200)

    def test_an_unpublished_replys_files_are_closed_to_its_unit_once_the_message_moves_away(self):
        c = self.cast
        message, _draft, photo = self._draft_photo()
        self.client.force_login(c.handler_a)
        self.assertEqual(self.client.get(f"/files/{photo.pk}/").status_code, 200)
        main = c.submit(unit="b")
        actions.merge_duplicate(message=message, into=main, by=c.county_office, reason="同一问题，由住建局统一答复。")
        for role in ("handler_a", "leader_a", "handler_b"):
            with self.subTest(role=role):
                self.client.force_login(getattr(c, role))
                self.assertEqual(self.client.get(f"/files/{photo.pk}/").status_code, 404)

    def test_a_drafts_files_go_public_with_it_and_not_before(self):
        c = self.cast
        _message, draft, photo = self._draft_photo()
        from django.test import Client

        self.assertEqual(Client().get(f"/files/{photo.pk}/").status_code, 404)
        actions.approve_reply(draft=draft, by=c.leader_a)
        photo.refresh_from_db()
        self.assertIsNotNone(photo.reply_id)
        self.assertEqual(Client().get(f"/files/{photo.pk}/").status_code, 200)


class KeptFilesTest(CastTestCase):
    """A reply returned by the leader, or taken back by its writer, came back as text
    alone: its photo stayed with the old draft, and the reply sent again (and
    published) had none, without a word."""

    _draft_photo = UnitFilesTest._draft_photo

    def form(self, message, **data):
        return {f"reply-{message.pk}-{name}": value for name, value in data.items()}

    def test_the_returned_replys_photo_is_offered_checked_and_goes_with_it_again(self):
        c = self.cast
        message, draft, photo = self._draft_photo()
        actions.return_reply(draft=draft, by=c.leader_a, note="请补充维修时间。")
        self.client.force_login(c.handler_a)
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "原附件（1个）已勾选为“保留原附件”")
        box = re.search(rf'<input[^>]*name="reply-{message.pk}-keep"[^>]*>', page.content.decode())[0]
        self.assertIn(f'value="{photo.pk}"', box)
        self.assertIn("checked", box)
        response = self.client.post(
            f"/work/messages/{message.pk}/reply/",
            self.form(message, text="已处理，周五前修好。", keep=[str(photo.pk)]) | {"form_key": "k1"},
        )
        self.assertEqual(response.status_code, 302, response.content[:300])
        again = message.drafts.get(state="pending")
        self.assertEqual(list(again.attachments.values_list("pk", flat=True)), [photo.pk])
        reply = actions.approve_reply(draft=again, by=c.leader_a)
        self.assertEqual(list(reply.attachments.values_list("pk", flat=True)), [photo.pk])
        # Nothing left to keep: the form offers no box.
        self.assertNotContains(self.client.get(f"/work/messages/{message.pk}/"), "保留原附件")

    def test_left_unchecked_it_stays_behind_and_anothers_file_is_not_to_be_taken(self):
        c = self.cast
        message, draft, photo = self._draft_photo()
        actions.withdraw_reply(draft=draft, by=c.handler_a)
        again = actions.reply(message=message, by=c.handler_a, text="已处理。")
        self.assertFalse(again.attachments.exists())
        actions.withdraw_reply(draft=again, by=c.handler_a)
        with self.assertRaises(actions.ActionRefused) as refused:
            actions.reply(message=message, by=c.handler_a2, text="我来答。", keep=[photo.pk])
        self.assertEqual(refused.exception.code, "kept_files_gone")
        mine = actions.reply(message=message, by=c.handler_a, text="已处理。", keep=[photo.pk])
        self.assertEqual(list(mine.attachments.all()), [photo])
