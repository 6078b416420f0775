from django.apps import AppConfig
from django.core import checks


class EventlogConfig(AppConfig):
    name = "wenzheng.eventlog"
    verbose_name = "办理记录"

    def ready(self):
        checks.register(event_chain_key, checks.Tags.security, deploy=True)


def event_chain_key(app_configs, **kwargs):
    """A short or development key can be guessed, and with it the log rewritten."""
    from django.conf import settings

    key = settings.EVENT_CHAIN_KEY
    if key == "insecure-development-chain-key" or len(key) < 32:
        return [
            checks.Warning(
                "EVENT_CHAIN_KEY is the development key or shorter than 32 characters.",
                hint="Generate one: python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > "
                "/etc/wenzheng/event_chain_key, and set EVENT_CHAIN_KEY_FILE to it.",
                id="eventlog.W001",
            )
        ]
    return []
