"""System checks: the settings notices depend on."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from . import texts


@register()
def sms_settings(app_configs, **kwargs):
    problems = []
    try:
        import_string(settings.SMS_BACKEND)
    except ImportError:
        problems.append(Error(f"SMS_BACKEND={settings.SMS_BACKEND!r} cannot be imported", id="notifications.E001"))
    if not settings.SITE_URL.startswith(("http://", "https://")):
        problems.append(
            Error(f"SITE_URL must start with http:// or https://, not {settings.SITE_URL!r}", id="notifications.E002")
        )
    # A citizen's SMS carries a link: with a long SITE_URL and the signature it may
    # no longer fit one SMS of 70 characters (it is then sent as two, and billed so).
    # (Staff's carry theirs only where it fits: texts.sms.)
    whats = [*texts.CITIZEN_EVENTS.values(), texts.merged(answered=True), texts.unmerged_citizen(rating_withdrawn=True)]
    sample = texts.for_citizen(serial="2026-000046", what=max(whats, key=len), code="K7M2P9QX4R")
    length = len(settings.SMS_SIGNATURE) + len(texts.sms(sample, link="/t/K7M2P9QX4R", always=True))
    if length > texts.SMS_LIMIT:
        problems.append(
            Warning(
                f"a citizen's SMS with SITE_URL={settings.SITE_URL!r} and SMS_SIGNATURE is {length} characters, "
                f"more than one SMS ({texts.SMS_LIMIT}); a shorter SITE_URL keeps it to one",
                id="notifications.W001",
            )
        )
    return problems
