"""Property-based tests (hypothesis) of every public and staff form, and of the
Open311 and JSON API inputs: whatever is typed, pasted or forged, the answer is never
a server error, never unescaped markup, and an XML answer is always well-formed XML.

The forms are not listed by hand: each role's pages (every URL of the access matrix
the role may open) are fetched and their <form>s read from the HTML, with their
fields, hidden values and options. Each form is then posted (or, for a GET form,
asked) with values drawn from hostile text: NUL and control characters, text pasted
from Word, full-width digits, far-future years, huge numbers, 20,000-character
texts, SQL, and markup that must come back escaped. Options are sometimes kept and
sometimes forged. Each example runs in a savepoint rolled back after it, so rate
limits and lockouts do not build up and every example starts from the same data.

FUZZ_EXAMPLES sets the examples per form (a few in the normal suite; `make
reliability` runs 10,000 or what it is given). With FUZZ_REPORT=path, each test
appends its figures (forms, examples, answers by status) there as JSON lines, which
RELIABILITY.md quotes. The Django admin's own forms are left to Django.
"""

import json
import os
import time
from collections import Counter
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenzheng.api.models import ApiToken
from wenzheng.handling import actions

from .test_access_matrix import M, MatrixFixture, all_urls

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
REPORT = os.environ.get("FUZZ_REPORT", "")
# The marker a hostile value carries: it must never come back as markup.
MARK = '"><i data-fuzz=1>'
RAW = b"<i data-fuzz"

NASTY = [
    "", " ", "\x00", "a\x00b", "\x0b\x0c\x1b", "\u200b\ufeff\u202e", "第一行\r\n第二行\u2028",
    "9999", "99999", "0", "-1", "1e309", "NaN", "inf", "2026Q5", "9999Q1", "0000-00-00", "2026-02-30",
    "２０２６", "１３８０００００００", "²", "٣", "9" * 30, "-" + "9" * 30,
    "'; DROP TABLE handling_message; --", "' OR '1'='1", "%00", "%s%s%n", "{{ 7*7 }}", "{% debug %}",
    "../../etc/passwd", "javascript:alert(1)", "//evil.example/", "https://evil.example/",
    MARK, f"<script>{MARK}</script>", f"标题{MARK}", "x" * 20000, "中" * 20000,
]  # fmt: skip
SUBMIT_BASE = {"category": "consultation", "title": "t", "body": "b", "name": "n", "phone": "13800000000"}
PRINTABLE = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent at all


def hostile_text():
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(PRINTABLE, max_size=200),
        st.text("0123456789０１２３４５６７８９-.:/TQqXx ", max_size=24),
        st.integers().map(str),
        st.dates().map(str),
        st.builds(lambda a, b: a + MARK + b, st.text(PRINTABLE, max_size=20), st.text(PRINTABLE, max_size=20)),
    )


# --- reading the forms off the pages ---------------------------------------------------


class Field:
    def __init__(self, name, kind, value, options=()):
        self.name, self.kind, self.value, self.options = name, kind, value, list(options)


class Form:
    def __init__(self, role, page, method, action, fields):
        self.role, self.page, self.method, self.action, self.fields = role, page, method, action, fields

    @property
    def key(self):
        """Forms alike for this fuzzing: same role, method, URL name and fields."""
        try:
            name = resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            name = self.action
        return (self.role, self.method, name, tuple(sorted(f.name for f in self.fields)))

    def __str__(self):
        return f"{self.role} {self.method} {self.action} (from {self.page})"


def read_forms(role, page, html: bytes) -> list[Form]:
    if not html.strip():
        return []
    doc = lxml.html.fromstring(html)
    found = []
    for form in doc.forms:
        action = urljoin(page, form.get("action") or page)
        if urlsplit(action).netloc or action.startswith(("/admin/", "/accounts/logout")):
            continue  # another site, Django's admin, or signing out (which ends the session)
        fields = []
        for element in form.inputs:
            name = element.get("name")
            if not name or element.get("disabled") is not None:
                continue
            tag = element.tag
            kind = element.get("type", "text").lower() if tag == "input" else tag
            if kind in ("submit", "button", "image", "reset"):
                continue
            if tag == "select":
                options = [o.get("value", o.text_content()) for o in element.iter("option")]
                value = element.value if not element.multiple else list(element.value)
            elif kind in ("checkbox", "radio"):
                options = [element.get("value", "on")]
                value = element.get("value", "on") if element.checked else None
            else:
                options, value = [], element.value or ""
            fields.append(Field(name, kind, value, options))
        # Radio buttons and checkboxes of one name are one field with their options.
        merged = {}
        for f in fields:
            if f.name in merged and f.kind in ("checkbox", "radio"):
                merged[f.name].options += f.options
                merged[f.name].value = merged[f.name].value or f.value
            else:
                merged.setdefault(f.name, f)
        found.append(Form(role, page, (form.method or "GET").upper(), action, list(merged.values())))
    return found


def uploaded(name: str, content: bytes) -> SimpleUploadedFile:
    """A file as a browser sends it: a name a browser cannot send ("", "/", "..": no
    file name left once the folders are cut) is sent as "f"."""
    name = name.replace("\x00", "")
    if os.path.basename(name).strip() in ("", ".", ".."):
        name = "f"
    return SimpleUploadedFile(name, content)


def field_values(field: Field):
    """What may arrive for one field: its own value, an offered option, hostile
    text, or nothing at all."""
    hostile = hostile_text()
    if field.kind == "file":
        content = st.one_of(st.binary(max_size=2000), st.text(PRINTABLE, max_size=500).map(str.encode))
        names = st.one_of(st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.docx", "../a.csv", "a"]), hostile)
        return st.one_of(st.none(), st.builds(uploaded, names, content))
    if field.options:
        offered = st.sampled_from(field.options)
        if field.kind == "select" and isinstance(field.value, list):  # a multiple select
            return st.one_of(st.lists(offered, max_size=4), st.lists(hostile, max_size=3))
        return st.one_of(offered, offered, hostile, st.none())
    if field.kind == "hidden":  # the form's own token or object: mostly kept, sometimes forged
        return st.one_of(st.just(field.value), st.just(field.value), hostile, st.none())
    return st.one_of(hostile, hostile, st.just(field.value), st.none())


def form_data(form: Form):
    return st.fixed_dictionaries({f.name: field_values(f) for f in form.fields}).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


# --- the tests ------------------------------------------------------------------------

# Who crawls which pages: one of each kind of person (the matrix covers the others).
CRAWLERS = ["anonymous", "citizen", "handler_a", "leader_a", "county_office", "city_office", "admin"]


class HostileFormsTest(MatrixFixture):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        # Messages in the states whose pages offer other steps: waiting for the unit,
        # waiting for dispatch by the county office.
        cls.waiting = c.submit()
        # The same text again: flagged as a duplicate of the first (并单 and its dismissal).
        cls.undispatched = c.submit(unit=None)
        # And merged into it (撤销并单).
        cls.merged = actions.merge_duplicate(
            message=c.submit(unit=None), into=cls.waiting, by=c.county_office, reason="同一问题"
        )
        cls.api_tokens = {role: ApiToken.issue(user=getattr(c, role), name="fuzz")[1] for role in CRAWLERS[1:]}

    def setUp(self):
        self.figures = Counter()
        self.slowest = []
        self.started = time.monotonic()

    def tearDown(self):
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as out:
                figures = {
                    "test": self._testMethodName,
                    "database": django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                    "examples_per_form": EXAMPLES,
                    "seconds": round(time.monotonic() - self.started, 1),
                    **dict(self.figures),
                    "slowest_forms": sorted(self.slowest, reverse=True)[:3],
                }
                out.write(json.dumps(figures, ensure_ascii=False) + "\n")

    def pages(self, role, prefixes):
        """The role's own pages under the URL names starting with `prefixes`."""
        for name, route in all_urls():
            if name not in M or not name.startswith(prefixes) or role not in M[name][0]:
                continue
            if name in ("logout", "captcha-audio", "captcha-image", "captcha-image-2x", "captcha-refresh"):
                continue
            yield reverse(name, kwargs=self.kwargs(name, route, role, True))
        if prefixes == ("workspace:",) and role in ("handler_a", "leader_a", "county_office", "admin"):
            for message in (self.waiting, self.undispatched, self.merged):
                yield reverse("workspace:message", kwargs={"pk": message.pk})

    def forms_of(self, prefixes) -> list[Form]:
        found = {}
        for role in CRAWLERS:
            for page in self.pages(role, prefixes):
                response = self.request(role, "GET", page)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    for form in read_forms(role, page, response.content):
                        found.setdefault(form.key, form)
        return list(found.values())

    def request(self, role, method, path, data=None, **extra):
        self.client.cookies.clear()
        if role != "anonymous":
            self.client.cookies[django_settings.SESSION_COOKIE_NAME] = self.session_of(role)
        with transaction.atomic():
            if method == "GET":
                response = self.client.get(path, data, follow=False, **extra)
            else:
                response = self.client.post(path, data, follow=False, **extra)
            if method != "GET" and response.status_code in (301, 302, 303):
                # Where a post leads: the page that shows what was stored, in the same savepoint.
                location = response["Location"]
                if location.startswith("/") and not location.startswith("/admin/"):
                    shown = self.client.get(location)
                    self.check(shown, f"{method} {path} → {location}")
            transaction.set_rollback(True)
        return response

    def check(self, response, what):
        self.figures[f"status_{response.status_code}"] += 1
        self.assertLess(response.status_code, 500, what)
        content_type = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "html" in content_type:
            self.assertNotIn(RAW, body, f"unescaped markup in the answer to {what}")
        if content_type.split(";")[0].strip() in ("application/xml", "text/xml"):
            lxml.etree.fromstring(body)  # raises on a control character or broken markup

    def fuzz(self, form: Form):
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=EXAMPLES <= 20,  # the suite's short run is the same every time
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=form_data(form))
        def one(data):
            self.figures["examples"] += 1
            response = self.request(form.role, form.method, form.action, data)
            self.check(response, f"{form} with {data!r:.300}")

        started = time.monotonic()
        one()
        self.figures["forms"] += 1
        self.slowest.append((round(time.monotonic() - started, 1), str(form)))

    def fuzz_all(self, prefixes, *, at_least):
        forms = self.forms_of(prefixes)
        self.assertGreaterEqual(len(forms), at_least, [str(f) for f in forms])  # the crawl found the forms
        for form in forms:
            with self.subTest(form=str(form)):
                self.fuzz(form)

    # The forms, in parts the two test workers share.
    def test_the_public_and_account_forms_hold(self):
        prefixes = tuple({n.split(":")[0] for n in M} - {"workspace", "evaluation", "bulk", "api"})
        self.fuzz_all(prefixes, at_least=8)

    def test_the_workspace_forms_hold(self):
        self.fuzz_all(("workspace:",), at_least=30)

    def test_the_evaluation_bulk_and_token_forms_hold(self):
        self.fuzz_all(("evaluation:", "bulk:", "api:tokens"), at_least=8)

    # Open311 and the JSON API, with hostile values in every parameter.

    def test_open311_holds(self):
        keys = ["jurisdiction_id", "api_key", "service_code", "service_request_id", "start_date", "end_date",
                "status", "description", "address_string", "email", "phone", "first_name", "last_name",
                "attribute[unit]", "attribute[title]", "attribute[consent_to_publish]", "lat", "long"]  # fmt: skip
        params = st.dictionaries(st.sampled_from(keys), hostile_text(), max_size=8)
        token = st.sampled_from([None, *self.api_tokens.values()])
        paths = st.sampled_from(
            ["/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/services.xml",
             "/open311/v2/services/consultation.json", "/open311/v2/discovery.xml",
             f"/open311/v2/requests/{self.mine.serial}.xml", f"/open311/v2/requests/{self.mine.serial}.json"]
        )  # fmt: skip

        @settings(max_examples=EXAMPLES * 20, deadline=None, derandomize=EXAMPLES <= 20, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(path=paths, method=st.sampled_from(["GET", "POST"]), data=params, key=token)
        def one(path, method, data, key):
            self.figures["examples"] += 1
            if key is not None and "api_key" not in data:
                data = {**data, "api_key": key}
            if method == "POST" and "service_code" not in data:
                data = {**data, "service_code": "consultation"}
            response = self.request("anonymous", method, path, data)
            self.check(response, f"{method} {path} {data!r:.300}")

        one()

    def test_the_json_api_holds(self):
        submit = st.fixed_dictionaries(
            {},
            optional={
                name: st.one_of(hostile_text(), st.integers(), st.booleans(), st.none(), st.lists(st.integers()))
                for name in [
                    "category",
                    "title",
                    "body",
                    "name",
                    "phone",
                    "consent_to_publish",
                    "unit",
                    "region",
                    "id_number",
                    "email",
                    "address",
                ]
            },
        ).map(lambda d: {**SUBMIT_BASE, **d})
        value = st.one_of(hostile_text(), st.integers(), st.booleans(), st.none(), st.lists(hostile_text(), max_size=2))
        step = st.dictionaries(
            st.sampled_from(["text", "note", "reason", "days", "unit", "explanation", "score", "comment", "decision"]),
            value,
            max_size=4,
        )
        query = st.dictionaries(
            st.sampled_from(["region", "period", "category", "unit", "q", "page", "state", "serial"]),
            hostile_text(),
            max_size=4,
        )
        routes = [("POST", "/api/v1/my/messages", submit)]
        for message in (self.waiting, self.undispatched, self.mine):
            base = f"/api/v1/my/messages/{message.region.code}/{message.serial}"
            names = ["dispatch", "respond", "reply", "transfer", "extensions", "close", "reopen", "spam", "reassign"]
            routes += [("POST", f"{base}/{name}", step) for name in [*names, "follow-up", "rate"]]
        routes += [
            ("GET", "/api/v1/messages", query),
            ("GET", "/api/v1/statistics", query),
            ("GET", "/api/v1/my/messages", query),
            ("GET", "/api/v1/units", query),
        ]  # fmt: skip

        @settings(max_examples=EXAMPLES * 20, deadline=None, derandomize=EXAMPLES <= 20, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(route=st.sampled_from(routes), data=st.data(), who=st.sampled_from(CRAWLERS))
        def one(route, data, who):
            method, path, body = route
            payload = data.draw(body)
            headers = {"HTTP_AUTHORIZATION": f"Bearer {self.api_tokens[who]}"} if who != "anonymous" else {}
            self.figures["examples"] += 1
            if method == "GET":
                response = self.request("anonymous", "GET", path, payload, **headers)
            else:
                raw = json.dumps(payload, ensure_ascii=False)
                response = self.request("anonymous", "POST", path, raw, content_type="application/json", **headers)
            self.check(response, f"{who} {method} {path} {payload!r:.300}")

        one()
