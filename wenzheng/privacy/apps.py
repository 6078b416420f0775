from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data (个人信息保护): masking on public surfaces, review before
    publishing (先审后发) with the sensitive-word list, records of access to contact
    details, and erasure on a citizen's request."""

    name = "wenzheng.privacy"
    verbose_name = "个人信息保护"
