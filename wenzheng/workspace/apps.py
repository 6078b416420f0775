from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "wenzheng.workspace"
    verbose_name = "办理工作台"
