"""Schemathesis against our own OpenAPI document: generated requests (a bounded
number per operation) never get a server error, and every response matches what
the document says (status codes, content type, body schema)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from wenzheng.api.models import ApiToken
from wenzheng.testing import Cast

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def token(db):
    """The county office's token, so the authenticated operations are reached too."""
    cast = Cast()
    cast.replied()
    # As Django's test client does: a finished request must not close the database
    # connection that holds the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield ApiToken.issue(user=cast.county_office, name="schemathesis")[1]
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# A few examples per operation in the suite; `make reliability` sets FUZZ_EXAMPLES for its long run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 20)
def test_the_api_keeps_to_its_document(case, token):
    # Not "schema-valid data is accepted": a period must read like 2026Q1 and a
    # category must exist, rules the schema cannot express; those requests get a 422
    # with a code, and the other checks hold them to the document like any response.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])


def test_the_document_is_openapi_3(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/my/messages/{region}/{serial}/reply" in document["paths"]


def test_the_docs_page_loads_nothing_from_elsewhere(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower()
    assert '<script src="/api/docs-assets/swagger-ui-bundle.js">' in page
    assert client.get("/api/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs-assets/..%2Fmain.py").status_code == 404
