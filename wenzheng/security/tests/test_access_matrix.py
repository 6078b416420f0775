"""The access matrix: every URL of the URLconf × every role × an object of its own
and one of another's, with the answer each must get.

The URLs are read from the URLconf itself: a URL added without a row here fails
`test_every_url_is_in_the_matrix`. Each row says which roles get the page for the
role's own object (their county, their unit, their message, their notice) and which
for another's (the other county's, another unit's, someone else's); everyone else is
refused (403 or 404, never the page) or, when signed out, sent to sign in.

"Own" is the role's side: county A's objects for the people of county A (and for the
city office and the administrator, who oversee both), county B's for county B's
office. The handler of unit B is asked about unit A's message as "own" (same county,
another unit: refused) and about county B's as "other". A view
that takes only POST is tried with an empty POST: being let in means the form
answered (200, a redirect, or a 400 for the empty form), not that anything changed.

The admin's URLs are generated from the registered models: the administrator gets
each (a model that cannot be added says 403 for "add"), every other role of the cast
is sent to sign in (none is staff).
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from wenzheng.api.models import ApiToken
from wenzheng.attachments import files, store
from wenzheng.attachments.testing import phone_photo
from wenzheng.evaluation import runs, schemes
from wenzheng.evaluation.models import Scheme
from wenzheng.handling import actions
from wenzheng.notifications.models import Delivery, Notice
from wenzheng.privacy import actions as privacy_actions
from wenzheng.reports import periods
from wenzheng.supervision.models import ExplanationProposal
from wenzheng.testing import CastTestCase, local
from wenzheng.topics.models import RoutingSuggestion

ROLES = [
    "anonymous", "citizen", "handler_a", "leader_a", "handler_b",
    "county_office", "other_county_office", "city_office", "admin",
]  # fmt: skip
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
UNIT_A = {"handler_a", "leader_a"}
STAFF = SIGNED_IN - {"citizen"}
OFFICES = {"county_office", "other_county_office", "city_office", "admin"}
# The office of the object's own county (A's office about A, B's about B) and the
# administrator, who acts for every county.
COUNTY_OWN = {"county_office", "other_county_office", "admin"}
ADMIN = {"admin"}
NOBODY: set = set()

# name → (who gets it for their own object, who for another's). A URL without an
# object has the same answer both ways. `login` marks the views that send a signed-out
# visitor to sign in (the others refuse, or serve, the anonymous like anyone).
M = {
    # --- public -------------------------------------------------------------------
    "public:home": (EVERYONE, EVERYONE),
    "public:board": (EVERYONE, EVERYONE),
    "public:message": (EVERYONE, EVERYONE),  # a published message: public
    "public:post": (EVERYONE, EVERYONE),
    "public:posted": (EVERYONE, EVERYONE),  # no receipt in the session: sent to tracking
    "public:track": (EVERYONE, EVERYONE),
    "public:forgot-passcode": (EVERYONE, EVERYONE),
    "public:tracked": (EVERYONE, EVERYONE),  # no passcode in the session: sent to tracking
    "public:exposures": (EVERYONE, EVERYONE),
    "public:statistics": (EVERYONE, EVERYONE),
    "public:mine": (SIGNED_IN, SIGNED_IN),  # staff are sent to their workspace
    "ops:health": (EVERYONE, EVERYONE),
    "ops:ready": (EVERYONE, EVERYONE),  # for the load balancer
    "unit-search": (NOBODY, NOBODY),  # no ?region= in the path: 404 for all (unit names are public)
    # A file on a message still waiting (not published): the staff who may see the
    # message's citizen's details, and the citizen who wrote it; never the public,
    # nor the city office (it reads texts masked, and a photo cannot be: attachments.access).
    "attachments:file": (UNIT_A | COUNTY_OWN | {"citizen"}, {"admin"}),
    "attachments:thumbnail": (EVERYONE, EVERYONE),  # a photo on a published message: public
    "notifications:landing": (EVERYONE, EVERYONE),  # the tracking code in an SMS is the key
    "notifications:unsubscribe": (EVERYONE, EVERYONE),
    "captcha-image": (EVERYONE, EVERYONE),
    "captcha-image-2x": (NOBODY, NOBODY),  # CAPTCHA_2X_IMAGE is off: 404 for all
    "captcha-audio": (NOBODY, NOBODY),  # no speech synthesiser configured: 404 for all
    "captcha-refresh": (NOBODY, NOBODY),  # answers scripts (X-Requested-With) only: 404 to a plain GET
    "security:captcha-new": (EVERYONE, EVERYONE),  # 换一张 read in-page: a new CAPTCHA, no one's data
    "evaluation:publications": (EVERYONE, EVERYONE),
    "evaluation:public-results": (NOBODY, NOBODY),  # nothing published in the fixture
    "evaluation:public-bulletin": (NOBODY, NOBODY),
    # --- accounts -------------------------------------------------------------------
    "login": (EVERYONE, EVERYONE),
    "logout": (EVERYONE, EVERYONE),
    "signup": (EVERYONE, EVERYONE),
    "password-reset": (EVERYONE, EVERYONE),
    "password-reset-confirm": (EVERYONE, EVERYONE),  # no code asked for in the session: back to the request form
    "home-for-role": (SIGNED_IN, SIGNED_IN),
    "security:verify": (NOBODY, NOBODY),  # no sign-in waiting for a code: everyone sent to sign in
    "security:password": (SIGNED_IN, SIGNED_IN),
    "security:second-factor": (OFFICES, OFFICES),
    "security:audit-log": (COUNTY_OWN, ADMIN),
    "notifications:list": (SIGNED_IN, SIGNED_IN),
    "notifications:open": (SIGNED_IN, NOBODY),  # one's own notice only
    "notifications:read": (SIGNED_IN, SIGNED_IN),
    "notifications:settings": (SIGNED_IN, SIGNED_IN),
    "api:tokens": (SIGNED_IN, SIGNED_IN),
    "api:revoke": (SIGNED_IN, NOBODY),  # one's own token only
    # --- the workspace --------------------------------------------------------------
    "workspace:home": (STAFF, STAFF),
    "workspace:inbox": ({"handler_a", "leader_a", "handler_b"}, {"handler_a", "leader_a", "handler_b"}),
    "workspace:unit-orders": ({"handler_a", "leader_a", "handler_b"}, {"handler_a", "leader_a", "handler_b"}),
    "workspace:roster": ({"handler_a", "leader_a", "handler_b"}, {"handler_a", "leader_a", "handler_b"}),
    "workspace:message": (UNIT_A | COUNTY_OWN | {"city_office"}, {"city_office", "admin"}),
    "workspace:review": (COUNTY_OWN, ADMIN),
    "workspace:review-follow-up": (COUNTY_OWN, ADMIN),
    "workspace:message-step": (UNIT_A | COUNTY_OWN | {"city_office"}, {"city_office", "admin"}),
    "workspace:merge-preview": (COUNTY_OWN, ADMIN),  # who may merge: the county office
    "workspace:message-print": (UNIT_A | COUNTY_OWN | {"city_office"}, {"city_office", "admin"}),
    # Withholding one file from the public (or releasing it): the county office of the message.
    "workspace:attachment-withhold": (COUNTY_OWN, ADMIN),
    "workspace:attachment-release": (COUNTY_OWN, ADMIN),
    # Extensions are decided by the county office; the city only watches.
    "workspace:extension-decision": (COUNTY_OWN, ADMIN),
    # The written explanation: the unit's leader, or the county office recording a paper one.
    "workspace:order-explanation": ({"leader_a"} | COUNTY_OWN, ADMIN),
    # Sending an explanation back, withdrawing an exposure: the county office's.
    "workspace:order-return": (COUNTY_OWN, ADMIN),
    "workspace:exposure-withdraw": (COUNTY_OWN, ADMIN),
    "workspace:city": ({"city_office", "admin"}, {"city_office", "admin"}),
    "workspace:city-approvals": ({"city_office", "admin"}, {"city_office", "admin"}),
    "workspace:city-messages": ({"city_office", "admin"}, {"city_office", "admin"}),
    # Accepting the routing model's suggestion is a dispatch: the county office's.
    "topics:accept": (COUNTY_OWN, ADMIN),
    "topics:bulk-accept": (COUNTY_OWN, ADMIN),
    # Hot issues: a county's office (the admin for any), the city office over its counties.
    "hotspots:county": (COUNTY_OWN, ADMIN),
    "hotspots:city": ({"city_office", "admin"}, {"city_office", "admin"}),
    "hotspots:group": (COUNTY_OWN | {"city_office"}, {"city_office", "admin"}),
}
COUNTY_PAGES = [
    "county", "dispatch", "bulk-dispatch", "revisits", "proposals", "proposal-decision", "notices", "notice-retry",
    "approvals", "supervision", "find", "units", "order-new", "unit-roster", "county-orders", "records", "record",
    "reviews", "privacy", "remove-word", "remove-contact", "contact-help", "access-records", "erase", "county-messages",
    "staff", "staff-change", "staff-password",
]  # fmt: skip
for _name in COUNTY_PAGES:
    # A county's office pages: its own office, and the administrator for any county.
    M[f"workspace:{_name}"] = (COUNTY_OWN, ADMIN)
EVALUATION_OFFICE = [
    "index", "run-new", "compare", "bulletin", "bulletin-docx", "bulletin-xlsx",
    "findings-import", "findings-template", "schemes", "scheme-import",
]  # fmt: skip
for _name in EVALUATION_OFFICE:
    M[f"evaluation:{_name}"] = (OFFICES, OFFICES)
# Publishing a county's bulletin: its office, the city's, the admin (the body names the county).
M["evaluation:bulletin-publish"] = (OFFICES, {"city_office", "admin"})
for _name in ["scheme", "scheme-export", "scheme-edit", "scheme-adopt"]:
    # A county's own scheme: its office, the city's, the admin (a shared one: every office).
    M[f"evaluation:{_name}"] = (COUNTY_OWN | {"city_office"}, {"city_office", "admin"})
for _name in ["run", "unit", "unit-print", "report", "run-publish", "report-docx", "report-xlsx"]:
    # A county's run: its office, the city's, the admin.
    M[f"evaluation:{_name}"] = (COUNTY_OWN | {"city_office"}, {"city_office", "admin"})
M |= {
    "bulk:imports": (COUNTY_OWN, COUNTY_OWN),
    "bulk:job": (COUNTY_OWN, ADMIN),
    "bulk:job-problems": (COUNTY_OWN, ADMIN),
    "bulk:export-messages": (STAFF, STAFF),  # each exports what they may see
    "bulk:export-events": (OFFICES, OFFICES),
    # --- the API: token, not session; what each may read is the API tests' business ---
    "api:v1:openapi-json": (EVERYONE, EVERYONE),
    "api:v1:openapi-view": (EVERYONE, EVERYONE),
    "api:docs-asset": (EVERYONE, EVERYONE),
    "api:open311-discovery": (EVERYONE, EVERYONE),
    "api:open311-services": (EVERYONE, EVERYONE),
    "api:open311-service": (EVERYONE, EVERYONE),
    "api:open311-requests": (EVERYONE, EVERYONE),
    "api:open311-request": (EVERYONE, EVERYONE),  # a published message: public
}
API_PUBLIC = {"regions", "categories", "units", "board", "published", "statistics", "api-root"}
# Views that send a signed-out visitor to sign in (the rest refuse or serve them).
LOGIN_FIRST = {
    name for name, (own, other) in M.items()
    if name.startswith(("workspace:", "evaluation:", "bulk:", "topics:", "hotspots:", "notifications:", "api:t",
                        "api:revoke", "security:"))
    and name not in {"evaluation:publications", "evaluation:public-results", "evaluation:public-bulletin",
                     "notifications:landing", "notifications:unsubscribe", "security:verify"}
} | {"public:mine", "home-for-role"}  # fmt: skip
# Views that send everyone, signed in or not, to sign in when there is nothing to do.
ALWAYS_TO_SIGN_IN = {"security:verify"}


def all_urls():
    """(name, pattern) of every URL in the URLconf, the admin's left to their own test."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                yield (f"{namespace}{p.name}" if p.name else None), prefix + str(p.pattern)

    return [(name, route) for name, route in walk(get_resolver().url_patterns) if not route.startswith("admin/")]


class MatrixFixture(CastTestCase):
    """The cast's objects on both sides (own and other) and how to ask for a URL as
    a role; the hostile-input tests crawl their forms from the same pages."""

    maxDiff = None

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        monday = local(2026, 3, 2, 9)
        cls.mine = c.replied(at=monday)
        cls.follow_up = actions.follow_up(message=cls.mine, who=actions.Citizen(user=c.citizen), text="何时修？")
        cls.theirs = actions.submit(
            by=c.other_citizen, category=c.consultation, unit=c.unit_c, title="河堤", body="河堤裂缝。",
            name="李四", phone="13900000000", consent_to_publish=True, at=monday,
        )  # fmt: skip
        actions.reply(message=cls.theirs, by=c.handler_c, text="已派人查看。", at=monday)
        cls.theirs_follow_up = actions.follow_up(
            message=cls.theirs, who=actions.Citizen(user=c.other_citizen), text="何时修？"
        )
        pending_a, pending_c = c.submit(), c.submit(unit="c", by="other_citizen")
        cls.extension = actions.request_extension(message=pending_a, by=c.handler_a, days=2, reason="协调。")
        cls.theirs_extension = actions.request_extension(message=pending_c, by=c.handler_c, days=2, reason="协调。")
        later = timezone.now() + dt.timedelta(days=10)
        cls.order = actions.order_written_explanation(
            unit=c.unit_a, by=c.county_office, reason="超期。", messages=[], backlog_deadline=later
        )
        cls.theirs_order = actions.order_written_explanation(
            unit=c.unit_c, by=c.other_county_office, reason="超期。", messages=[], backlog_deadline=later
        )
        cls.exposure, cls.theirs_exposure = (
            actions.publish_exposure(unit=unit, by=office, title="曝光", body="超期。", outlet="县电视台")
            for unit, office in ((c.unit_a, c.county_office), (c.unit_c, c.other_county_office))
        )
        cls.proposal = cls._proposal(c.unit_a)
        cls.theirs_proposal = cls._proposal(c.unit_c)
        privacy_actions.add_sensitive_words(region=c.county, by=c.county_office, words="拆迁")
        privacy_actions.add_sensitive_words(region=c.other_county, by=c.other_county_office, words="征地")
        cls.contact = privacy_actions.add_public_contact(
            region=c.county, by=c.county_office, value="0778-8212345", label="县政务中心"
        )
        cls.theirs_contact = privacy_actions.add_public_contact(
            region=c.other_county, by=c.other_county_office, value="0778-8812345", label="县政务中心"
        )
        cls.notices, cls.tokens, cls.deliveries = {}, {}, {}
        for role in ROLES[1:]:
            user = getattr(c, role)
            cls.notices[role] = Notice.objects.create(
                key=f"matrix:{role}", kind="arrived", recipient=user, region=c.county, text="测试", created_at=monday
            )
            cls.tokens[role] = ApiToken.issue(user=user, name="测试")
        for county in (c.county, c.other_county):
            notice = Notice.objects.create(
                key=f"failed:{county.code}",
                kind="arrived",
                recipient=c.handler_a,
                region=county,
                text="x",
                created_at=monday,
            )
            cls.deliveries[county.code] = Delivery.objects.create(
                notice=notice, channel="email", state="failed", next_attempt_at=monday
            )
        scheme = Scheme.objects.latest_version("default")
        q1 = periods.parse("2026Q1")
        cls.run_a = runs.run_evaluation(scheme=scheme, region=c.county, period=q1, now=local(2026, 6, 1))
        cls.run_c = runs.run_evaluation(scheme=scheme, region=c.other_county, period=q1, now=local(2026, 6, 1))
        cls.schemes = {
            county.code: schemes.store({**schemes.snapshot(scheme), "name": f"{county.name}方案"}, owner=county)[0]
            for county in (c.county, c.other_county)
        }
        from wenzheng.bulk.models import ImportJob

        cls.jobs = {
            county.code: ImportJob.objects.create(
                region=county, created_by=c.admin, created_at=monday, filename="a.csv", content=b"x"
            )
            for county in (c.county, c.other_county)
        }
        cls.routed = {
            county.code: actions.submit(
                by=c.citizen, category=c.consultation, region=county, title="路灯不亮", body="新街的路灯晚上不亮。",
                name="张三", phone="13800000000", consent_to_publish=True, at=monday,
            )
            for county in (c.county, c.other_county)
        }  # fmt: skip
        for message, unit in ((cls.routed[c.county.code], c.unit_a), (cls.routed[c.other_county.code], c.unit_c)):
            RoutingSuggestion.objects.create(
                message=message, model_version="matrix", computed_at=monday, unit=unit, unit_confidence=0.9
            )
        # A photo on each published message (public) and on each waiting one (not).
        cls.photos = {
            key: store.attach(
                files.read_all([phone_photo()], allow_pdf=False), message=message, source="citizen", at=monday
            )[0]
            for key, message in {
                "mine": cls.mine,
                "theirs": cls.theirs,
                "pending_a": pending_a,
                "pending_c": pending_c,
            }.items()
        }
        from wenzheng.hotspots.models import Hotspot

        cls.hotspots = {
            county.code: Hotspot.objects.create(
                region=county, window="week", computed_at=monday, starts_at=monday, central=message, count=3,
                previous_count=0, daily=[0, 0, 0, 0, 0, 0, 3],
            )
            for county, message in ((c.county, cls.mine), (c.other_county, cls.theirs))
        }  # fmt: skip
        from captcha.models import CaptchaStore

        cls.captcha = CaptchaStore.generate_key()

    @classmethod
    def _proposal(cls, unit):
        return ExplanationProposal.objects.create(
            unit=unit, period="2026Q1", proposed_at=timezone.now(), reason="超期。", backlog_deadline=timezone.now()
        )

    # --- the objects each URL is asked about ----------------------------------------

    def kwargs(self, name, route, role, own: bool):
        """The URL's arguments for an object of `role`'s own (own=True) or another's."""
        c = self.cast
        own_side = own != (role == "other_county_office")  # county B's office: its own is county B
        county = c.county if own_side else c.other_county
        mine = self.mine if own_side else self.theirs
        values = {
            "pk": None,
            "code": county.code,
            "region": county.code,
            "serial": mine.serial,
            "step": "respond",
            "follow_up": (self.follow_up if own_side else self.theirs_follow_up).pk,
            "unit": (c.unit_a if own_side else c.unit_c).pk,
            "kind": "finding",
            "extension": "csv",
            "fmt": "json",
            "rid": mine.serial,
            "name": "swagger-ui.css",
            "key": self.captcha,
            "period": "2026Q1",
        }
        pk = {
            "workspace:message": mine.pk,
            "workspace:review": mine.pk,
            "workspace:review-follow-up": mine.pk,
            "workspace:message-step": mine.pk,
            "workspace:merge-preview": mine.pk,
            "workspace:message-print": mine.pk,
            "workspace:attachment-withhold": self.photos["mine" if own_side else "theirs"].pk,
            "workspace:attachment-release": self.photos["mine" if own_side else "theirs"].pk,
            "attachments:file": self.photos["pending_a" if own_side else "pending_c"].pk,
            "attachments:thumbnail": self.photos["mine" if own_side else "theirs"].pk,
            "topics:accept": self.routed[county.code].pk,
            "hotspots:group": self.hotspots[county.code].pk,
            "workspace:extension-decision": (self.extension if own_side else self.theirs_extension).pk,
            "workspace:order-explanation": (self.order if own_side else self.theirs_order).pk,
            "workspace:order-return": (self.order if own_side else self.theirs_order).pk,
            "workspace:exposure-withdraw": (self.exposure if own_side else self.theirs_exposure).pk,
            "workspace:staff-change": (c.handler_a if own_side else c.handler_c).pk,
            "workspace:staff-password": (c.handler_a if own_side else c.handler_c).pk,
            "workspace:proposal-decision": (self.proposal if own_side else self.theirs_proposal).pk,
            "workspace:notice-retry": self.deliveries[county.code].pk,
            "workspace:remove-word": self._word(county).pk,
            "workspace:remove-contact": (self.contact if own_side else self.theirs_contact).pk,
            "workspace:contact-help": (self.contact if own_side else self.theirs_contact).pk,
            "notifications:open": self._notice(role, own),
            "api:revoke": self._token(role, own),
            "evaluation:run": (self.run_a if own_side else self.run_c).pk,
            "evaluation:unit": (self.run_a if own_side else self.run_c).pk,
            "evaluation:unit-print": (self.run_a if own_side else self.run_c).pk,
            "evaluation:report": (self.run_a if own_side else self.run_c).pk,
            "evaluation:run-publish": (self.run_a if own_side else self.run_c).pk,
            "evaluation:report-docx": (self.run_a if own_side else self.run_c).pk,
            "evaluation:report-xlsx": (self.run_a if own_side else self.run_c).pk,
            "evaluation:scheme": self.schemes[county.code].pk,
            "evaluation:scheme-export": self.schemes[county.code].pk,
            "evaluation:scheme-edit": self.schemes[county.code].pk,
            "evaluation:scheme-adopt": self.schemes[county.code].pk,
            "bulk:job": self.jobs[county.code].pk,
            "bulk:job-problems": self.jobs[county.code].pk,
        }.get(name)
        values["pk"] = pk
        if name.startswith("workspace:city") or name == "hotspots:city":
            values["code"] = c.city.code
        if name in ("notifications:landing", "notifications:unsubscribe"):
            values["code"] = mine.tracking_code
        if name == "public:tracked":
            values["code"] = mine.tracking_code
        names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
        return {a or b: values[a or b] for a, b in names}

    def post_data(self, name, role, own):
        """A valid body for the POST-only views that answer a malformed one with a 404
        (so that "let in" and "refused" can be told apart)."""
        if name == "evaluation:bulletin-publish":
            own_side = own != (role == "other_county_office")
            county = self.cast.county if own_side else self.cast.other_county
            return {"region": county.code, "period": "2026Q1"}
        return None

    def _word(self, county):
        from wenzheng.privacy.models import SensitiveWord

        return SensitiveWord.objects.filter(region=county).first()

    def _notice(self, role, own):
        if role == "anonymous":
            return self.notices["citizen"].pk
        if own:
            return self.notices[role].pk
        return self.notices["citizen" if role != "citizen" else "handler_a"].pk

    def _token(self, role, own):
        if role == "anonymous":
            return self.tokens["citizen"][0].pk
        if own:
            return self.tokens[role][0].pk
        return self.tokens["citizen" if role != "citizen" else "handler_a"][0].pk

    # --- asking ------------------------------------------------------------------------

    def session_of(self, role):
        """The role's session key, signed in once per test (every request's changes,
        a sign-out included, are rolled back, so the session outlives them)."""
        sessions = self.__dict__.setdefault("_sessions", {})
        if role not in sessions:
            self.client.force_login(getattr(self.cast, role))
            sessions[role] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        return sessions[role]

    def answer(self, role, path, *, api=False, data=None):
        """ok (the page, a redirect into the site, a form's 400), login (sent to sign
        in), or denied (403, 404)."""
        self.client.cookies.clear()
        headers = {}
        if role != "anonymous":
            if api:
                headers["Authorization"] = f"Bearer {self.tokens[role][1]}"
            else:
                self.client.cookies[settings.SESSION_COOKIE_NAME] = self.session_of(role)
        # Each request in a savepoint rolled back: a POST let in (a word removed, a
        # token revoked) changes nothing for the next role.
        with transaction.atomic():
            response = self.client.get(path, headers=headers)
            if response.status_code == 405:
                response = self.client.post(path, data or {}, headers=headers)
            transaction.set_rollback(True)
        status = response.status_code
        self.assertLess(status, 500, f"{role} {path}")
        self.assertNotEqual(status, 429, f"{role} {path}")
        if status in (301, 302, 303):
            return "login" if response["Location"].startswith("/accounts/login/") else "ok"
        if status in (401, 403, 404):
            return "denied"
        return "ok"

    def expected(self, name, role, own):
        if name in ALWAYS_TO_SIGN_IN:
            return "login"
        allowed = M[name][0 if own else 1]
        if role in allowed:
            return "ok"
        if role == "anonymous" and name in LOGIN_FIRST:
            return "login"
        return "denied"


class MatrixTest(MatrixFixture):
    def test_every_url_is_in_the_matrix(self):
        missing = []
        for name, route in all_urls():
            if name is None or (
                name.startswith("api:v1:") and name.split(":")[-1] not in ("openapi-json", "openapi-view")
            ):
                continue  # the API's operations: below
            if name not in M:
                missing.append(f"{name} ({route})")
        self.assertEqual(missing, [], "URLs with no row in the access matrix")
        self.assertEqual(sorted(set(M) - {n for n, _ in all_urls()}), [], "rows for URLs that no longer exist")

    def check_rows(self, *prefixes):
        from django.urls import reverse

        wrong = []
        for name, route in all_urls():
            if name not in M or not name.startswith(prefixes):
                continue
            for own in (True, False):
                for role in ROLES:
                    path = reverse(name, kwargs=self.kwargs(name, route, role, own))
                    got = self.answer(role, path, data=self.post_data(name, role, own))
                    want = self.expected(name, role, own)
                    if got != want:
                        wrong.append(f"{name} {'own' if own else 'other'} {role}: {path} → {got}, expected {want}")
        self.assertEqual(wrong, [])

    # In three parts, so that the two test workers share the 2,000-odd requests.
    def test_the_workspace_answers_every_role_as_the_matrix_says(self):
        self.check_rows("workspace:")

    def test_evaluation_and_bulk_answer_every_role_as_the_matrix_says(self):
        self.check_rows("evaluation:", "bulk:")

    def test_every_other_url_answers_every_role_as_the_matrix_says(self):
        self.check_rows(*{name.split(":")[0] for name in M} - {"workspace", "evaluation", "bulk"})

    def test_the_api_refuses_what_a_token_may_not_read(self):
        """The API's own operations: public reads answer everyone; the rest want a
        token, and a stranger's message is a 404 (the API tests cover each step)."""
        own, other = self.mine, self.theirs
        for role in ROLES:
            got = self.answer(role, f"/api/v1/my/messages/luocheng/{own.serial}", api=True)
            want = "ok" if role in UNIT_A | {"county_office", "admin", "city_office", "citizen"} else "denied"
            self.assertEqual(got, want, role)
            got = self.answer(role, f"/api/v1/my/messages/huanjiang/{other.serial}", api=True)
            self.assertEqual(got, "ok" if role in {"other_county_office", "city_office", "admin"} else "denied", role)
            self.assertEqual(self.answer(role, "/api/v1/me", api=True), "denied" if role == "anonymous" else "ok")
            self.assertEqual(self.answer(role, "/api/v1/statistics", api=True), "ok")


class AdminMatrixTest(CastTestCase):
    def test_every_admin_url_admits_the_administrator_only(self):
        wrong = []
        for model, model_admin in admin.site._registry.items():
            meta = model._meta
            row = model._default_manager.order_by("pk").first()
            base = f"/admin/{meta.app_label}/{meta.model_name}/"
            paths = [(base, "view"), (f"{base}add/", "add")]
            if row is not None:
                paths += [(f"{base}{row.pk}/change/", "view"), (f"{base}{row.pk}/history/", "view")]
                paths += [(f"{base}{row.pk}/delete/", "delete")]
            for path, what in paths:
                for role in ROLES:
                    self.client.logout()
                    if role != "anonymous":
                        self.client.force_login(getattr(self.cast, role))
                    response = self.client.get(path)
                    self.assertLess(response.status_code, 500, path)
                    if role == "admin" and response.status_code == 302 and path == base:
                        # A list that opens at a default filter (the holidays at this year).
                        self.assertTrue(response["Location"].startswith(base + "?"), response["Location"])
                        response = self.client.get(response["Location"])
                    if role == "admin":
                        request = type("R", (), {"user": self.cast.admin})()
                        allowed = {
                            "view": True,
                            "add": model_admin.has_add_permission(request),
                            "delete": model_admin.has_delete_permission(request, row),
                        }[what]
                        want = 200 if allowed else 403
                    else:
                        want = 302  # not staff: to the sign-in page
                    if response.status_code != want:
                        wrong.append(f"{path} {role}: {response.status_code}, expected {want}")
                    elif want == 302 and not response["Location"].startswith(("/admin/login/", "/accounts/login/")):
                        wrong.append(f"{path} {role}: sent to {response['Location']}")
        self.assertEqual(wrong, [])
