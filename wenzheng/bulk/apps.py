from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "wenzheng.bulk"
    verbose_name = "批量导入导出"
