"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches /usr/bin/chromium (install it with
scripts/ensure-system test). Each key page is saved as a screenshot at desktop and phone
widths under test-artifacts/screenshots/.
"""

import os
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from playwright.sync_api import expect, sync_playwright

from wenzheng.testing import AppendOnlyTeardown, Cast

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root, Chromium needs --no-sandbox; the rest keep it off this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# What sticks out past the right edge of the screen, to name it when a layout breaks.
WIDEST_ELEMENTS = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && el.children.length === 0) {
      out.push(`${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent || "").trim().slice(0, 20)}`);
    }
  }
  return out.slice(0, 8);
}"""
# Basic WCAG checks every key page must pass: a language, one h1, a name for every
# form control, button, link and chart.
ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  if (document.documentElement.lang !== "zh-CN") problems.push("html lang is not zh-CN");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 headings`);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button"].includes(el.type)) continue;
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    const name = el.textContent.trim() || el.getAttribute("aria-label");
    if (!name) problems.push(`nameless ${el.outerHTML.slice(0, 60)}`);
  }
  for (const el of document.querySelectorAll("img:not([alt])")) problems.push(`img without alt ${el.src}`);
  for (const el of document.querySelectorAll("svg[role=img]")) {
    if (!el.querySelector("title")) problems.push("chart without a title");
  }
  return problems;
}"""
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


class BrowserTestCase(AppendOnlyTeardown, StaticLiveServerTestCase):
    """A live server on the test database, a Chromium, and the test cast."""

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API keeps an event loop on this thread, which makes Django
        # refuse ORM calls from the test body; the test itself is plain sync code.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls._playwright = sync_playwright().start()
        cls.browser = cls._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls._playwright.stop()
        super().tearDownClass()

    def setUp(self):
        self.cast = Cast()
        self.contexts = []

    def tearDown(self):
        for context in self.contexts:
            context.close()

    def new_page(self, *, phone=False):
        """A fresh browser session (its own cookies), in Chinese, Beijing time."""
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=self.live_server_url,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

    def sign_in(self, page, username, password="pw"):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    def shot(self, page, name):
        """Save the page at desktop and phone widths, and check it: basic accessibility,
        and no broken layout (nothing wider than the phone's screen)."""
        problems = page.evaluate(ACCESSIBILITY_PROBLEMS)
        self.assertEqual(problems, [], f"{name}: accessibility problems")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
        original = page.viewport_size
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=SCREENSHOTS / f"{slug}-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOTS / f"{slug}-phone.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            wide = page.evaluate(WIDEST_ELEMENTS)
            self.fail(f"{name}: the page is wider than a phone screen by {overflow}px: {wide}")
        page.set_viewport_size(original)
