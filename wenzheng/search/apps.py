from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "wenzheng.search"
    verbose_name = "全文检索"
