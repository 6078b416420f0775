from django.apps import AppConfig


class EventlogConfig(AppConfig):
    name = "wenzheng.eventlog"
    verbose_name = "办理记录"
