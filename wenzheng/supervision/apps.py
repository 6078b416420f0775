from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "wenzheng.supervision"
    verbose_name = "督查督办"
