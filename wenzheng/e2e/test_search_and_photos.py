"""Searching the board and posting a photo, in a real browser on a phone."""

import io
import re
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from wenzheng.attachments.models import storage
from wenzheng.attachments.testing import GPS_IFD, MAKE, phone_photo
from wenzheng.handling import actions
from wenzheng.handling.models import Message

from .base import BrowserTestCase


class BoardSearchOnAPhoneTest(BrowserTestCase):
    def test_a_citizen_searches_路灯_and_sees_the_matches_highlighted(self):
        c = self.cast
        lamp = c.replied(title="新街路燈不亮")  # typed in traditional characters
        other = actions.submit(
            by=None, category=c.consultation, unit=c.unit_a, title="凤凰路积水", body="凤凰路一下雨就积水，请疏通。",
            name="李四", phone="13900000000", consent_to_publish=True,
        )  # fmt: skip
        actions.reply(message=other, by=c.handler_a, text="已安排疏通。")
        c.submit(title="路灯杆倾斜")  # not published yet: never found by the public

        page = self.new_page(phone=True)
        page.goto("/messages/")
        page.get_by_role("searchbox", name="搜索").fill("路灯")
        page.get_by_role("button", name="搜索").click()

        expect(page).to_have_url(re.compile(r"[?&]q=%E8%B7%AF%E7%81%AF"))
        results = page.locator("#results")
        expect(results).to_contain_text("找到1条含有“路灯”的公开留言")
        expect(results.get_by_role("link", name="新街路燈不亮")).to_be_visible()
        marks = results.locator("mark")
        expect(marks.first).to_be_visible()
        self.assertIn("路燈", marks.all_inner_texts(), "the traditional 路燈 is what matched, marked as written")
        # The body's 路灯 is marked too, and nothing of the other messages shows.
        expect(results.locator(".excerpt mark").first).to_have_text("路灯")
        expect(results.get_by_text(other.title)).to_have_count(0)
        expect(results.get_by_text("路灯杆倾斜")).to_have_count(0)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        self.shot(page, "board-search")

        results.get_by_role("link", name="新街路燈不亮").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("新街路燈不亮")
        self.assertIn(lamp.serial, page.content())


class BoardSearchTypedWithoutSpacesOnAPhoneTest(BrowserTestCase):
    def test_路灯维修_finds_the_words_apart_and_the_results_start_on_the_first_screen(self):
        c = self.cast
        c.replied(title="新街路灯不亮", category=c.appeal)  # its body: 路灯已经坏了…请尽快维修
        page = self.new_page(phone=True)
        page.goto("/messages/")
        # The other filters are folded away on a phone, so the results come first.
        more = page.locator("details.more-filters")
        expect(more).not_to_have_attribute("open", "")
        expect(page.get_by_label("类别")).to_be_hidden()
        page.get_by_role("searchbox", name="搜索").fill("路灯维修")
        page.get_by_role("button", name="搜索").click()
        results = page.locator("#results")
        expect(results).to_contain_text("没有找到含有“路灯维修”的留言，以下是同时含有“路灯”“维修”的留言。")
        first = results.get_by_role("link", name="新街路灯不亮")
        expect(first).to_be_in_viewport()
        self.assertEqual(results.locator(".excerpt mark").all_inner_texts(), ["路灯", "维修"])
        self.shot(page, "board-search-words")
        # Unfolded, a filter narrows the same search in place, and the fold says so.
        more.locator("summary").click()
        page.get_by_label("类别").select_option(label="咨询")
        expect(results).to_contain_text("找到0条含有“路灯维修”")
        expect(more.locator("summary")).to_have_text("更多筛选（已选1项）")  # counted in place
        page.get_by_label("类别").select_option(label="诉求")
        expect(results.get_by_role("link", name="新街路灯不亮")).to_be_visible()
        page.reload()
        expect(page.locator("details.more-filters summary")).to_have_text("更多筛选（已选1项）")
        expect(page.get_by_label("类别")).to_be_visible()


class BoardSearchRefusedOnAPhoneTest(BrowserTestCase):
    def test_a_refused_search_says_why_where_the_results_were(self):
        c = self.cast
        c.replied(title="路灯不亮")
        page = self.new_page(phone=True)
        page.goto("/messages/")
        box, button = page.get_by_role("searchbox", name="搜索"), page.get_by_role("button", name="搜索")
        results = page.locator("#results")

        # One character alone: the reason, in the results the tap replaced.
        box.fill("路")
        button.click()
        expect(results.get_by_role("alert")).to_contain_text("请至少输入两个相连的字")
        expect(results).to_contain_text("以下是未按这些条件筛选的留言")
        self.shot(page, "board-search-refused")

        # A zero-width space pasted inside the word: found as the word the reader sees.
        box.fill("路\u200b灯")
        button.click()
        expect(results).to_contain_text("找到1条含有")
        expect(results.get_by_role("alert")).to_have_count(0)

        # A NUL, which the server refuses with a 400: its page, not a tap that did nothing.
        box.fill("路灯\x00维修")
        button.click()
        expect(page.get_by_text("空字符")).to_be_visible()


class PhotoOnAPhoneTest(BrowserTestCase):
    def test_a_posted_photo_loses_its_location_and_shows_once_the_message_is_published(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        photo = folder / "IMG_0001.jpg"
        photo.write_bytes(phone_photo(size=(1600, 1200)).read())
        self.assertTrue(Image.open(photo).getexif().get_ifd(GPS_IFD), "the photo as the phone took it")

        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        page.get_by_label("留言对象").select_option(label="东门镇")
        page.get_by_label("留言类别").select_option(label="诉求")
        page.get_by_role("textbox", name="标题", exact=True).fill("新街路灯杆倒了")
        page.get_by_role("textbox", name="留言内容", exact=True).fill("新街路灯杆被车撞倒了，照片附上，请尽快处理。")
        page.get_by_role("textbox", name="姓名", exact=True).fill("张三")
        page.get_by_role("textbox", name="联系电话", exact=True).fill("13800000000")
        page.get_by_label("照片（选填）").set_input_files(str(photo))
        page.get_by_label("同意在网络问政专区公开").check()
        # On a slow connection the upload takes a while: the page says it is on its
        # way, and a second press sends nothing more. The sending is held here by a
        # listener after the page's own (on the window, where the event ends), which
        # notes whether the page let each press through.
        page.evaluate(
            """() => {
              window.pressed = [];
              window.addEventListener("submit", (event) => {
                window.pressed.push(!event.defaultPrevented);
                event.preventDefault();
              });
            }"""
        )
        page.get_by_role("button", name="提交留言").click()
        expect(page.get_by_role("status")).to_contain_text("正在上传，请稍候")
        page.get_by_role("button", name="提交留言").click()
        self.assertEqual(page.evaluate("() => window.pressed"), [True, False])
        with page.expect_navigation():
            page.evaluate("() => document.querySelector('form[enctype]').submit()")  # on its way at last
        expect(page.get_by_role("heading", name="留言已提交")).to_be_visible()

        message = Message.objects.get(title="新街路灯杆倒了")
        kept = message.attachments.get()
        with storage().open(kept.file, "rb") as f:
            data = f.read()
        image = Image.open(io.BytesIO(data))
        self.assertEqual(dict(image.getexif().get_ifd(GPS_IFD)), {}, "no GPS position in the stored file")
        self.assertNotIn(MAKE, image.getexif())
        self.assertNotIn(b"WZTESTPHONE", data)

        # Not public yet: the board has no page for it, and the file is not served.
        public = self.new_page(phone=True)
        response = public.goto(f"/files/{kept.pk}/thumbnail/")
        self.assertEqual(response.status, 404)

        actions.reply(message=message, by=self.cast.handler_a, text="已安排抢修，今天内恢复。")
        message.refresh_from_db()
        public.goto(f"/messages/{message.region.code}/{message.serial}/")
        thumbnail = public.get_by_role("img", name="图片1")
        expect(thumbnail).to_be_visible()
        # The browser really loaded and decoded it (a broken image has no natural width).
        public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
        self.assertGreater(thumbnail.evaluate("img => img.naturalWidth"), 0)
        self.assertEqual(thumbnail.get_attribute("src"), f"/files/{kept.pk}/thumbnail/")
        self.shot(public, "message-with-photo")


class SearchBoxesLookLikeTheOtherFieldsTest(BrowserTestCase):
    def test_it_styles_the_boards_search_box_and_the_unit_pickers_filter(self):
        # type=search once fell outside the shared input rule: a bare, tiny box.
        page = self.new_page(phone=True)
        page.goto("/messages/")
        look = """(el) => { const s = getComputedStyle(el);
          return [s.borderTopColor, s.borderTopLeftRadius, s.paddingLeft]; }"""
        expected = page.locator("#id_category").evaluate(look)
        self.assertEqual(page.get_by_role("searchbox", name="搜索").evaluate(look), expected)
        page.goto(f"/post/?county={self.cast.county.code}")
        self.assertEqual(page.locator("input.unit-filter").evaluate(look), expected)

    def test_a_photo_too_large_to_send_is_made_smaller_on_the_phone_first(self):
        """A 16 MB photo from a phone's camera was refused as larger than 10 MB: the
        page makes it smaller before it is sent, upright, and the server keeps it."""
        import os

        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        photo = folder / "IMG_0002.jpg"
        noise = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
        noise.save(photo, "JPEG", quality=95)
        self.assertGreater(photo.stat().st_size, 10 * 1024 * 1024, "larger than the server accepts")

        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        page.get_by_label("留言对象").select_option(label="东门镇")
        page.get_by_label("留言类别").select_option(label="诉求")
        page.get_by_role("textbox", name="标题", exact=True).fill("河堤垮塌")
        page.get_by_role("textbox", name="留言内容", exact=True).fill("河堤垮了一段，照片附上。")
        page.get_by_role("textbox", name="姓名", exact=True).fill("张三")
        page.get_by_role("textbox", name="联系电话", exact=True).fill("13800000000")
        chooser = page.get_by_label("照片（选填）")
        chooser.set_input_files(str(photo))
        page.get_by_label("同意在网络问政专区公开").check()
        # Pressed at once, while the photo is still being made smaller: sent when it is.
        page.get_by_role("button", name="提交留言").click()
        expect(page.get_by_role("heading", name="留言已提交")).to_be_visible(timeout=20_000)

        kept = Message.objects.get(title="河堤垮塌").attachments.get()
        with storage().open(kept.file, "rb") as f:
            image = Image.open(io.BytesIO(f.read()))
        self.assertEqual(image.size, (2048, 1536))
