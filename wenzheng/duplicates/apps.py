from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "wenzheng.duplicates"
    verbose_name = "并单（重复留言）"
