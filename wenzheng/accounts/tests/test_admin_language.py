"""The administrator's pages for accounts read in Chinese (a newcomer adding a
county's staff met two English sentences of Django's that 5.2 does not translate,
and a list of a hundred permissions named "Can change …")."""

import json
import re

from django.contrib.auth.models import Group, Permission

from wenzheng.lib.admin import permission_label
from wenzheng.testing import CastTestCase

# A run of English words: a sentence or a permission's name, not a username or code.
ENGLISH = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z’']+){2,}")


def shown_text(page) -> list[str]:
    """What the page shows: its text and its buttons, without scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", page.content.decode(), flags=re.S)
    return re.findall(r">([^<>]+)<", html) + re.findall(r'<input[^>]*type="submit"[^>]*value="([^"]+)"', html)


class AdminLanguageTest(CastTestCase):
    def english(self, url):
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        return [text.strip() for text in shown_text(page) if ENGLISH.search(text)]

    def test_the_account_pages_have_no_english_sentence(self):
        self.client.force_login(self.cast.admin)
        group = Group.objects.create(name="测试组")
        group.permissions.set(Permission.objects.all())
        account = self.cast.handler_a.pk
        for url in [
            "/admin/accounts/user/add/",
            f"/admin/accounts/user/{account}/change/",
            f"/admin/accounts/user/{account}/password/",
            f"/admin/auth/group/{group.pk}/change/",
        ]:
            with self.subTest(url):
                # django-simple-captcha's model has no Chinese name: its own permissions.
                self.assertEqual([t for t in self.english(url) if "captcha store" not in t], [])

    def test_a_permission_reads_as_its_verb_and_the_models_name(self):
        permission = Permission.objects.get(codename="change_user")
        self.assertEqual(permission.name, "Can change 用户")
        self.assertEqual(permission_label(permission), "账号 | 用户 | 修改用户")
        made = Permission.objects.get(codename="change_serialcounter")
        self.assertEqual(permission_label(made), "留言办理 | 留言编号计数器 | 修改留言编号计数器")


class AdminScriptLanguageTest(CastTestCase):
    def test_the_two_box_pickers_and_actions_script_read_in_chinese(self):
        # A trial of a second county: "Choose all 通常承办单位", "Remove selected …" and
        # the arrows' help were English on the topic and user forms (Django 5.2's own
        # catalogue lacks them: locale/zh_Hans/LC_MESSAGES/djangojs.po).
        self.client.force_login(self.cast.admin)
        script = self.client.get("/admin/jsi18n/").content.decode()
        catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S)[1])
        self.assertEqual(catalog["Choose all %s"], "全选%s")
        self.assertEqual(catalog["Remove selected %s"], "移出所选%s")
        self.assertIn(
            "“选入”箭头按钮", catalog['Choose %s by selecting them and then select the "Choose" arrow button.']
        )
