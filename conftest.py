import tempfile
from unittest import mock

import pytest
from django.test import override_settings


@pytest.hookimpl(trylast=True)  # after pytest-django's order (test cases before committing ones)
def pytest_collection_modifyitems(items):
    """Classes whose data takes a minute to make (`run_first`: the demo county) go
    first: pytest-xdist sends each worker a first batch of a few hundred consecutive
    tests, so one worker gets such a class whole and makes its data once (split over
    two batches, both workers made it)."""
    items.sort(key=lambda item: not getattr(getattr(item, "cls", None), "run_first", False))


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Test accounts need no key stretching; production keeps Django's default. SMS are
    kept in memory, as Django's test runner keeps e-mail."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SMS_BACKEND="wenzheng.notifications.sms.LocmemBackend",
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_passcode_hashing():
    """Passcodes, hashed with 20,000 rounds at every submission (wenzheng.handling.passcodes),
    need no stretching in tests either: one round. The stored form names its rounds, so
    checking works the same."""
    from wenzheng.handling.passcodes import PasscodeHasher

    with mock.patch.object(PasscodeHasher, "iterations", 1):
        yield


@pytest.fixture(autouse=True, scope="session")
def _calendar_checked_at_every_use():
    """A test's calendar edits are rolled back afterwards, behind the kept calendar's
    back: look at its stamp at every use (production looks once a second)."""
    with override_settings(WORKDAY_CALENDAR_CHECK_SECONDS=0):
        yield


@pytest.fixture(autouse=True, scope="session")
def _attachments_in_a_temporary_folder():
    """Photos uploaded by tests go to a folder of their own, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="wenzheng-media-") as folder, override_settings(MEDIA_ROOT=folder):
        yield


@pytest.fixture(autouse=True, scope="session")
def _public_pages_made_afresh():
    """A TestCase never commits, so the events that renew kept public pages never
    reach the cache: tests read pages made afresh, except those of the cache itself
    (wenzheng/lib/tests/test_pagecache.py), which turn it on and commit."""
    with override_settings(PUBLIC_PAGE_CACHE=False):
        yield


@pytest.fixture(autouse=True, scope="session")
def _durability_checked_once(django_db_setup, django_db_blocker):
    """A process checks its database's durability at its first request
    (wenzheng.ops.durability): done here once, so that no test counts those queries
    among its first page's."""
    from wenzheng.ops import durability

    with django_db_blocker.unblock():
        durability.check()


@pytest.fixture(autouse=True, scope="session")
def _no_routing_model_of_the_checkout(tmp_path_factory):
    """A routing model trained in the checkout (var/router) must not steer the tests:
    the tests that want one train it into their own directory."""
    with override_settings(ROUTER_DIR=str(tmp_path_factory.mktemp("router"))):
        yield
