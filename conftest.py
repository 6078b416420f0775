import pytest
from django.test import override_settings


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
def _calendar_checked_at_every_use():
    """A test's calendar edits are rolled back afterwards, behind the kept calendar's
    back: look at its stamp at every use (production looks once a second)."""
    with override_settings(WORKDAY_CALENDAR_CHECK_SECONDS=0):
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_routing_model_of_the_checkout(tmp_path_factory):
    """A routing model trained in the checkout (var/router) must not steer the tests:
    the tests that want one train it into their own directory."""
    with override_settings(ROUTER_DIR=str(tmp_path_factory.mktemp("router"))):
        yield
