from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wenzheng.api"
    verbose_name = "开放接口"
