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
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

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


def refusal_not_expected(case) -> bool:
    """Whether a generated "invalid" request is one the API rightly serves: its only
    fault an Authorization header, which this test replaces with the valid token, or
    a query parameter the operation does not have, which the API ignores as the
    pages and most APIs do (a consumer's extra `utm_source` breaks nothing)."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return True
    known = {parameter.name for parameter in case.operation.query}
    return any(name not in known for name in case.query or {})


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 20)
def test_the_api_keeps_to_its_document(case, token):
    # Not "schema-valid data is accepted": a period must read like 2026Q1 and a
    # category must exist, rules the schema cannot express; those requests get a 422
    # with a code, and the other checks hold them to the document like any response.
    excluded = [positive_data_acceptance]
    if refusal_not_expected(case):
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)


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
