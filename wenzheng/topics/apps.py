from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "wenzheng.topics"
    verbose_name = "事项分类与智能分拨"
