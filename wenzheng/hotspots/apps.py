from django.apps import AppConfig


class HotspotsConfig(AppConfig):
    name = "wenzheng.hotspots"
    verbose_name = "热点问题"
