from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "wenzheng.public"
    verbose_name = "网络问政专区"
