"""Open311 GeoReport v2, read over HTTP from a live server with the `georeport`
client from PyPI (which cannot POST: posting uses `requests`, its own transport),
in JSON and XML, and checked against the vendored GeoReport v2 JSON schemas."""

import datetime as dt
import json
from pathlib import Path

import requests
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from georeport import GeoReport
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from wenzheng.api.models import ApiToken
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import AppendOnlyTeardown, Cast

SCHEMAS = Path(__file__).parent / "georeport_v2"
_documents = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
REGISTRY = Registry().with_resources((name, Resource.from_contents(doc)) for name, doc in _documents.items())


def validate(data, schema):
    Draft202012Validator(_documents[schema], registry=REGISTRY).validate(data)


def as_xml_text(value):
    """A JSON value as the XML carries it (xmltodict reads text, None when empty)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {k: as_xml_text(v) for k, v in value.items()}
    return None if value is None else str(value)


class Open311Tests(AppendOnlyTeardown, StaticLiveServerTestCase):
    def setUp(self):
        self.cast = Cast()
        # Open311's jurisdiction is the county; the cast has two, so name it.
        self.published = self.cast.replied(category=self.cast.appeal)
        self.closed = self.cast.replied(title="井盖丢失")
        actions.close(message=self.closed, by=self.cast.leader_a, kind="answered")
        self.private = self.cast.submit(consent=False)
        self.root = f"{self.live_server_url}/open311/v2"

    def georeport(self, fmt="json"):
        return GeoReport(self.root, jurisdiction="luocheng", output_format=fmt)

    def test_discovery_in_json_and_xml(self):
        data = requests.get(f"{self.root}/discovery.json", timeout=10).json()
        validate(data, "discovery.json")
        self.assertEqual(data["endpoints"][0]["url"], self.root)
        # The cast's city serves its several counties: its group, by its full name (not 县…).
        self.assertEqual(data["contact"], "河池市网络问政工作领导小组办公室")
        xml = requests.get(f"{self.root}/discovery.xml", timeout=10)
        self.assertEqual(xml.headers["Content-Type"], "text/xml; charset=utf-8")
        self.assertTrue(xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>'))
        self.assertIn("<format>application/json</format>", xml.text)

    def test_services_are_our_categories(self):
        services = self.georeport().get_service_list()
        validate(services, "services.json")
        self.assertEqual([s["service_code"] for s in services], ["consultation", "suggestion", "appeal"])
        self.assertEqual(self.georeport("xml").get_service_list(), [as_xml_text(s) for s in services])

    def test_a_service_definition_lists_the_countys_units(self):
        definition = self.georeport().get_service_definition("appeal")
        validate(definition, "service-definition.json")
        units = next(a for a in definition["attributes"] if a["code"] == "unit")["values"]
        self.assertEqual({u["name"] for u in units}, {"东门镇", "县住房和城乡建设局"})
        xml = self.georeport("xml").get_service_definition("appeal")
        self.assertEqual(xml["service_code"], "appeal")
        self.assertEqual(len(xml["attributes"]["attribute"]), 3)

    def test_requests_list_the_published_messages_with_status_and_deadline(self):
        found = self.georeport().get_service_requests()
        validate(found, "requests.json")
        by_id = {r["service_request_id"]: r for r in found}
        self.assertEqual(set(by_id), {self.published.serial, self.closed.serial})  # not the private one
        self.assertEqual(by_id[self.closed.serial]["status"], "closed")
        self.assertEqual(by_id[self.published.serial]["status"], "open")
        self.assertEqual(by_id[self.published.serial]["status_notes"], "已回复")
        self.assertEqual(by_id[self.published.serial]["agency_responsible"], "东门镇")
        for request in found:
            self.assertIsNotNone(dt.datetime.fromisoformat(request["requested_datetime"]).tzinfo)
        xml = self.georeport("xml").get_service_requests()
        self.assertEqual(xml, [as_xml_text(r) for r in found])
        closed_only = self.georeport().get_service_requests(status="closed")
        self.assertEqual([r["service_request_id"] for r in closed_only], [self.closed.serial])

    def test_one_request_and_an_open_deadline(self):
        dispatched = self.cast.submit()
        token = ApiToken.issue(user=self.cast.county_office, name="t")[1]
        one = requests.get(
            f"{self.root}/requests/{dispatched.serial}.json", params={"jurisdiction_id": "luocheng", "api_key": token},
            timeout=10,
        ).json()  # fmt: skip
        validate(one, "requests.json")
        due = dispatched.open_stage("reply").due_at
        self.assertEqual(dt.datetime.fromisoformat(one[0]["expected_datetime"]), due)
        public = self.georeport().get_service_request(self.published.serial)
        validate([public], "requests.json")
        self.assertEqual(self.georeport("xml").get_service_request(self.published.serial), as_xml_text(public))
        missing = requests.get(f"{self.root}/requests/{self.private.serial}.json?jurisdiction_id=luocheng", timeout=10)
        self.assertEqual(missing.status_code, 404)
        validate(missing.json(), "errors.json")

    def test_posting_a_request_as_a_citizen(self):
        token = ApiToken.issue(user=self.cast.citizen, name="app")[1]
        form = {
            "api_key": token,
            "jurisdiction_id": "luocheng",
            "service_code": "appeal",
            "description": "新街路段井盖松动，车辆经过响声很大。",
            "address_string": "新街与环城路交叉口",
            "last_name": "李",
            "first_name": "四",
            "phone": "13900000000",
            "attribute[unit]": str(self.cast.unit_b.pk),
            "attribute[consent_to_publish]": "true",
        }
        for fmt in ("json", "xml"):
            with self.subTest(fmt):
                response = requests.post(f"{self.root}/requests.{fmt}", data=form, timeout=10)
                self.assertEqual(response.status_code, 201, response.text)
        created = requests.post(f"{self.root}/requests.json", data=form, timeout=10).json()
        validate(created, "post-response.json")
        year, number = (int(part) for part in created[0]["service_request_id"].split("-"))
        message = Message.objects.get(region=self.cast.county, year=year, number=number)
        self.assertEqual((message.unit, message.citizen_name), (self.cast.unit_b, "李四"))
        self.assertIn("地点：新街与环城路交叉口", message.body)
        mine = requests.get(
            f"{self.root}/requests/{message.serial}.json", params={"jurisdiction_id": "luocheng", "api_key": token},
            timeout=10,
        ).json()  # fmt: skip
        self.assertEqual((mine[0]["status"], mine[0]["agency_responsible"]), ("open", "县住房和城乡建设局"))

    def test_posting_is_refused_without_a_citizens_key(self):
        staff = ApiToken.issue(user=self.cast.handler_a, name="t")[1]
        cases = [({}, 403, "api_key_required"), ({"api_key": "wz_nothing_x"}, 403, "token_invalid"),
                 ({"api_key": staff}, 403, "forbidden_role")]  # fmt: skip
        for extra, status, code in cases:
            with self.subTest(code):
                form = {"jurisdiction_id": "luocheng", "service_code": "appeal", "description": "路灯坏了", **extra}
                response = requests.post(f"{self.root}/requests.json", data=form, timeout=10)
                self.assertEqual((response.status_code, response.json()[0]["code"]), (status, code))
                validate(response.json(), "errors.json")

    def test_the_jurisdiction_is_required_where_there_are_several_counties(self):
        response = requests.get(f"{self.root}/services.xml", timeout=10)
        self.assertEqual(response.status_code, 400)
        self.assertIn("<code>jurisdiction_required</code>", response.text)
        self.assertEqual(
            requests.get(f"{self.root}/services.json?jurisdiction_id=nowhere", timeout=10).status_code, 404
        )
