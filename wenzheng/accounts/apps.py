from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wenzheng.accounts"
    verbose_name = "账号"
