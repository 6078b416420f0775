from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "wenzheng.evaluation"
    verbose_name = "绩效考评"
