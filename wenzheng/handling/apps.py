from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "wenzheng.handling"
    verbose_name = "留言办理"
