from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "wenzheng.workdays"
    verbose_name = "工作日历"
