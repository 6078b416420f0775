from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "wenzheng.demo"
    verbose_name = "演示数据"
