from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "wenzheng.attachments"
    verbose_name = "图片与附件"
