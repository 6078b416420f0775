from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "wenzheng.units"
    verbose_name = "单位与名单"
