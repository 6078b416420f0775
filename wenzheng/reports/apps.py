from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "wenzheng.reports"
    verbose_name = "统计"
