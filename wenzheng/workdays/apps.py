from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "wenzheng.workdays"
    verbose_name = "工作日历"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarDay, CalendarYear
        from .signals import calendar_changed

        for model in (CalendarDay, CalendarYear):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"calendar-changed-save-{model.__name__}")
            post_delete.connect(
                calendar_changed, sender=model, dispatch_uid=f"calendar-changed-delete-{model.__name__}"
            )
