"""The pages people live in, on a 390 px phone (issue 16): long tables keep unit names
readable and say when they scroll sideways, chart labels are big enough to read, and
the print views fit A4. Screenshots of each page at both widths are saved for review
under test-artifacts/screenshots/."""

import datetime as dt

from playwright.sync_api import expect

from wenzheng.evaluation import runs, schemes
from wenzheng.evaluation.defaults import DEFAULT
from wenzheng.evaluation.models import Scheme
from wenzheng.evaluation.tests.fixtures import build_q1, build_towns
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.testing import local
from wenzheng.units.models import Unit

from .base import PHONE, SCREENSHOTS, BrowserTestCase

Q1 = periods.parse("2026Q1")

# How a row's unit name is laid out: its length and the lines it takes (one character a
# line is what the issue saw on a phone).
NAME_LINES = """() => [...document.querySelectorAll(".table-scroll th[scope=row]")]
  .filter((th) => th.offsetParent !== null)
  .map((th) => {
    const link = th.querySelector("a") || th;
    const range = document.createRange();
    range.selectNodeContents(link);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return {name: link.textContent.trim(), lines: tops.size};
  })"""
# Tables wider than their box, and whether a visible hint follows them.
WIDE_TABLES = """() => [...document.querySelectorAll(".table-scroll")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => {
    const hint = box.nextElementSibling;
    return {caption: (box.querySelector("caption") || {}).textContent,
            hinted: !!hint && hint.classList.contains("scroll-hint") && hint.offsetHeight > 0};
  })"""
# Where the pager's parts are: the tops of the page numbers shown, and the boxes of
# 上一页 and 下一页.
PAGER = """() => {
  const nav = document.querySelector("nav.pagination");
  const shown = [...nav.querySelectorAll(".pages > *")].filter((e) => e.offsetParent !== null);
  const box = (e) => e && e.getBoundingClientRect().toJSON();
  return {numbers: shown.map((e) => e.textContent.trim()),
          tops: [...new Set(shown.map((e) => Math.round(e.getBoundingClientRect().top)))],
          previous: box(nav.querySelector("[rel=prev]")), next: box(nav.querySelector("[rel=next]")),
          overflow: nav.scrollWidth - nav.clientWidth};
}"""
# Every chart label's size on the screen, in CSS pixels.
CHART_LABELS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {
      out.push({text: t.textContent, px: parseFloat(t.getAttribute("font-size")) * scale});
    }
  }
  return out;
}"""

# How much of each text box's example (placeholder) its box hides, in CSS pixels.
PLACEHOLDERS_CUT = """() => [...document.querySelectorAll("input[placeholder]")]
  .filter((box) => box.offsetParent !== null)
  .map((box) => {
    const style = getComputedStyle(box);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {placeholder: box.placeholder, cut: Math.round(context.measureText(box.placeholder).width - room)};
  })
  .filter((box) => box.cut > 0)"""


class PhoneLayoutsTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        schemes.store(DEFAULT)  # the migration's default scheme, gone with the flush between tests
        self.m = build_q1(self.cast)
        build_towns(self.cast)

    def evaluate(self):
        scheme = Scheme.objects.latest_version("default")
        return runs.run_evaluation(scheme=scheme, region=self.cast.county, period=Q1, now=local(2026, 6, 1))

    def assertReadableOnAPhone(self, page, name):
        names = page.evaluate(NAME_LINES)
        self.assertTrue(names, f"{name}: no unit table")
        # A name may take two lines on a phone, never fewer than four characters a line.
        narrow = [n for n in names if n["lines"] > 1 and len(n["name"]) / n["lines"] < 4]
        self.assertEqual(narrow, [], f"{name}: unit names squeezed")
        unhinted = [t for t in page.evaluate(WIDE_TABLES) if not t["hinted"]]
        self.assertEqual(unhinted, [], f"{name}: tables that scroll sideways without a hint")
        small = [t for t in page.evaluate(CHART_LABELS) if t["px"] < 10]
        self.assertEqual(small[:5], [], f"{name}: chart labels too small to read")
        # Found by a newcomer: the box for another period cut its example off.
        self.assertEqual(page.evaluate(PLACEHOLDERS_CUT), [], f"{name}: examples cut off in their boxes")
        self.shot(page, name)

    def test_the_home_page_on_a_phone(self):
        page = self.new_page(phone=True)
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        self.assertReadableOnAPhone(page, "phone-home")

    def test_the_home_page_lists_a_few_units_on_a_phone_and_all_on_request(self):
        """Found by a tester: every unit's rates made the home page 7,500 px tall on a
        phone. Five of each kind are shown there, and a link shows them all, without
        script; a desktop shows them all as before."""
        since = dt.date(2020, 1, 1)
        for n in range(4):
            Unit.objects.create(region=self.cast.county, name=f"第{n}乡", kind="township", registered_on=since)
        for n in range(10):
            Unit.objects.create(region=self.cast.county, name=f"县第{n}局", kind="department", registered_on=since)
        rows = "[...document.querySelectorAll('.home-units tbody tr')].filter((r) => r.offsetParent !== null).length"
        context = self.browser.new_context(
            viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=self.live_server_url,
            java_script_enabled=False,
        )  # fmt: skip
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/?region=luocheng")
        self.assertEqual(page.locator(".home-units tbody tr").count(), 19)  # 8 townships, 11 departments
        self.assertEqual(page.evaluate(rows), 10)
        expect(page.get_by_role("caption").filter(has_text="部门（11个）")).to_be_visible()
        short = page.evaluate("document.documentElement.scrollHeight")
        page.get_by_role("link", name="查看全部单位（19个）").click()
        self.assertEqual(page.evaluate(rows), 19)
        expect(page.get_by_role("link", name="查看全部单位（19个）")).to_be_hidden()
        self.assertGreater(page.evaluate("document.documentElement.scrollHeight"), short + 200)
        # A desktop: every unit, and no link.
        desktop = self.new_page()
        desktop.goto("/?region=luocheng")
        self.assertEqual(desktop.evaluate(rows), 19)
        expect(desktop.get_by_role("link", name="查看全部单位（19个）")).to_be_hidden()
        phone = self.new_page(phone=True)
        phone.goto("/?region=luocheng")
        self.shot(phone, "phone-home-units")

    def test_the_statistics_page_on_a_phone(self):
        page = self.new_page(phone=True)
        page.goto("/statistics/?region=luocheng")  # a county's page charts its units
        page.get_by_label("统计期间", exact=True).select_option("2026Q1")
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", name="2026年第一季度情况通报")).to_be_visible()
        labels = page.evaluate(CHART_LABELS)
        self.assertIn("东门镇", [t["text"] for t in labels])
        self.assertReadableOnAPhone(page, "phone-statistics")
        # A name and five figures fit the screen: nothing to scroll sideways for.
        self.assertEqual(page.evaluate(WIDE_TABLES), [])
        url = page.url
        page.set_viewport_size({"width": 360, "height": 780})  # a narrower phone: they scroll, with the hint
        page.goto(url)
        self.assertReadableOnAPhone(page, "phone-statistics-360")

    def test_the_ranking_on_a_phone(self):
        stored = self.evaluate()
        page = self.new_page(phone=True)
        self.sign_in(page, "county_office")
        page.goto(f"/evaluation/runs/{stored.pk}/")
        expect(page.get_by_text("东门镇").first).to_be_visible()
        self.assertReadableOnAPhone(page, "phone-ranking")
        hint = page.locator(".scroll-hint.shown").first
        expect(hint).to_contain_text("左右滑动")

    def test_a_scrolled_tables_name_heading_stays_over_its_column(self):
        """Found by a tester: scrolled sideways, the name column stayed but its heading
        slid away, and a piece of the next heading showed over the name column."""
        stored = self.evaluate()
        page = self.new_page(phone=True)
        self.sign_in(page, "county_office")
        page.goto(f"/evaluation/runs/{stored.pk}/")
        edges = page.evaluate(
            """() => [...document.querySelectorAll(".table-scroll")]
              .filter((b) => b.scrollWidth > b.clientWidth + 1 && b.querySelector("tbody th[scope=row]"))
              .map((b) => {
                b.scrollIntoView({block: "center"});  // elementFromPoint sees the screen only
                b.scrollLeft = b.scrollWidth;
                const name = b.querySelector("tbody th[scope=row]");
                const heading = b.querySelector("thead tr").cells[name.cellIndex];
                const left = (e) => Math.round(e.getBoundingClientRect().left);
                const top = heading.getBoundingClientRect().top + 5;
                return {heading: heading.textContent, left: [left(heading), left(name)],
                        shown: heading.contains(document.elementFromPoint(left(heading) + 5, top))};
              })"""
        )
        self.assertTrue(edges, "no table scrolls sideways")
        for table in edges:
            self.assertEqual(table["left"][0], table["left"][1], table)
            self.assertTrue(table["shown"], f"another heading shows over the name column's: {table}")
        page.screenshot(path=self.screenshot_dir() / "phone-ranking-scrolled.png", full_page=True)

    def test_a_messages_deadlines_read_on_a_phone(self):
        """Found by a tester: on a phone the 办理时限 table showed 环节, 办理单位, 起算 and
        时限; 期限, 完成 and 结果, what matters, were off the screen to the right."""
        page = self.new_page(phone=True)
        self.sign_in(page, "handler_a")
        page.goto(f"/work/messages/{self.m['m1'].pk}/")
        table = page.locator("table.stages")
        expect(table).to_contain_text("按时")
        cells = table.evaluate(
            """(t) => [...t.tBodies[0].rows].map((row) => {
              const box = (e) => e.getBoundingClientRect();
              const cell = (name) => row.querySelector(`.stage-${name}`);
              return {stage: box(row.cells[0]).top, outcome: box(cell("outcome")).top,
                      due: box(cell("due")).top, unit: box(cell("unit")).top,
                      right: Math.max(...[...row.cells].map((c) => box(c).right)),
                      label: getComputedStyle(cell("due"), "::before").content};
            })"""
        )
        self.assertTrue(cells)
        width = page.evaluate("window.innerWidth")
        for row in cells:
            self.assertLessEqual(row["right"], width, row)  # nothing off the screen
            self.assertLess(abs(row["outcome"] - row["stage"]), 10, row)  # the result beside the stage
            self.assertLess(row["due"], row["unit"], row)  # 期限 before the rest
            self.assertEqual(row["label"], '"期限"', row)
        self.assertEqual(page.evaluate(WIDE_TABLES), [])
        self.shot(page, "phone-message-deadlines")
        # A table still where there is room: its headings shown, one row a stage.
        page.set_viewport_size({"width": 1280, "height": 860})
        expect(table.locator("thead")).to_be_visible()
        self.assertEqual(table.evaluate("(t) => getComputedStyle(t.tBodies[0].rows[0]).display"), "table-row")

    def test_the_boards_pager_on_a_phone(self):
        """The numbers on one line (one either side of this page), the two buttons side
        by side under them: it once wrapped anywhere, over three lines."""
        for n in range(130):  # seven pages of 20 with build_q1's
            self.cast.replied(title=f"第{n}条留言")
        page = self.new_page(phone=True)
        page.goto("/messages/?region=luocheng&page=4")
        pager = page.evaluate(PAGER)
        self.assertEqual(pager["numbers"], ["1", "…", "3", "4", "5", "…", "7"])
        # One line: a number's box is 40 px high, "…" a line of text centred beside it.
        self.assertLess(max(pager["tops"]) - min(pager["tops"]), 20, pager)
        previous, following = pager["previous"], pager["next"]
        self.assertEqual(round(previous["top"]), round(following["top"]))
        self.assertGreater(previous["top"], pager["tops"][0])
        self.assertLess(previous["right"], following["left"])
        self.assertLessEqual(pager["overflow"], 0)
        expect(page.locator(".pagination .pages-of")).to_be_hidden()
        self.shot(page, "phone-board-pager")

    def test_the_print_views_fit_a4(self):
        stored = self.evaluate()
        page = self.new_page()
        self.sign_in(page, "county_office")
        for name, url in [
            ("print-message", f"/work/messages/{self.m['m1'].pk}/print/"),
            ("print-evaluation-sheet", f"/evaluation/runs/{stored.pk}/units/{self.cast.unit_a.pk}/print/"),
        ]:
            with self.subTest(page=name):
                page.goto(url)
                page.emulate_media(media="print")
                # A4's printable width at 16 mm margins: 178 mm, about 673 CSS px.
                page.set_viewport_size({"width": 673, "height": 950})
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 1, f"{name} is wider than A4")
                expect(page.get_by_role("button", name="打印")).to_be_hidden()
                pdf = page.pdf(format="A4", print_background=True)
                self.assertTrue(pdf.startswith(b"%PDF"))
                page.emulate_media(media="screen")
                page.set_viewport_size({"width": 1280, "height": 860})
                page.screenshot(path=self.screenshot_dir() / f"{name}.png", full_page=True)

    def test_a_long_unbroken_note_leaves_the_record_its_columns(self):
        """A note of one long unbroken string (a pasted link, a row of digits) wrapped,
        but took the 经办 column's width: the names beside it went a character a line."""
        message = self.cast.submit()
        actions.respond(message=message, by=self.cast.handler_a, note="https://example.cn/" + "x" * 400)
        page = self.new_page()
        self.sign_in(page, "county_office")
        page.goto(f"/work/messages/{message.pk}/print/")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 673, "height": 950})
        widths = page.evaluate(
            "[...document.querySelector('table.record tbody tr:last-child').cells].map((c) => c.offsetWidth)"
        )
        self.assertGreater(widths[2], 150, widths)  # 44 mm of A4's 178
        self.assertGreater(widths[0], 95, widths)  # the time on one line
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), 1)

    def screenshot_dir(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS

    def test_the_offices_units_and_evaluation_pages_fit_a_phone(self):
        # The units table's hidden link words (position: absolute) and the evaluation
        # form's long scheme name once made these pages scroll sideways as a whole.
        page = self.new_page(phone=True)
        self.sign_in(page, "county_office")
        for name, url in [("phone-county-units", "/work/county/luocheng/units/"), ("phone-evaluation", "/evaluation/")]:
            with self.subTest(page=name):
                page.goto(url)
                expect(page.get_by_role("heading", level=1)).to_be_visible()
                self.shot(page, name)

    def test_a_messages_deadlines_fit_beside_the_steps_on_a_desktop(self):
        # The 办理时限 table in the message page's column: dates and times on one line
        # each made its 结果 column scroll out of sight on a 1280-pixel screen.
        page = self.new_page()
        self.sign_in(page, "handler_a")
        page.goto(f"/work/messages/{self.m['m1'].pk}/")
        expect(page.get_by_role("heading", name="办理时限")).to_be_visible()
        self.assertEqual(page.evaluate(WIDE_TABLES), [])
        expect(page.locator("table.stages")).to_contain_text("按时")

    def test_a_messages_steps_are_a_tap_away_on_a_phone(self):
        # On a phone the 办理 column follows the whole thread: a long message put its
        # 签收 and 回复 screens below, with nothing at the top to say so.
        page = self.new_page(phone=True)
        self.sign_in(page, "handler_a")
        page.goto(f"/work/messages/{self.m['m4'].pk}/")
        steps = page.get_by_role("heading", name="办理", exact=True)
        jump = page.get_by_role("link", name="去办理")
        expect(jump).to_be_visible()
        jump.click()
        expect(steps).to_be_in_viewport()
        desktop = self.new_page()
        self.sign_in(desktop, "handler_a")
        desktop.goto(f"/work/messages/{self.m['m4'].pk}/")
        expect(desktop.get_by_role("link", name="去办理")).to_be_hidden()  # the column is beside the thread


class HeaderOnAPhoneTest(BrowserTestCase):
    def test_a_long_countys_name_leaves_the_menu_button_and_its_count_beside_it(self):
        """Found by a newcomer: with an unread notice, 菜单 1 wrapped under 罗城仫佬族
        自治县网络问政 and doubled the header's height."""
        city = self.cast.city
        city.name = "罗城仫佬族自治县"  # the deployment's name: a long county's
        city.save()
        self.cast.submit()  # a notice for the unit's handlers
        page = self.new_page(phone=True)
        self.sign_in(page, "handler_a")
        page.goto("/work/unit/")
        expect(page.locator(".menu-toggle .bell-count")).to_be_visible()
        brand = page.locator("header.site .brand").bounding_box()
        button = page.locator(".menu-toggle").bounding_box()
        self.assertLess(button["y"], brand["y"] + brand["height"], "the button is on the brand's line")
        self.assertLessEqual(brand["x"] + brand["width"], button["x"])
        self.shot(page, "phone-header-with-a-notice")
        # A finger's target: every item of the opened menu 44 px tall (they were 32).
        page.locator(".menu-toggle").click()
        heights = page.locator("#site-nav li > a, #site-nav li > form > button").evaluate_all(
            "items => items.map(e => e.getBoundingClientRect().height)"
        )
        self.assertTrue(heights)
        self.assertGreaterEqual(min(heights), 44, heights)
