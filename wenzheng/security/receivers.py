"""Security events as Django and django-axes signal them, each made a record of the
audit log: sign-ins, failures, lockouts (with an alert to the office), sign-outs, and
every change made in the admin (its own change log, LogEntry)."""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import alerts, audit, middleware

Kind = audit.Kind


def _account(username):
    if not username:
        return None
    return get_user_model().objects.select_related("unit").filter(username=str(username)[:150]).first()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(Kind.LOGIN, user=user, request=request)
    middleware.start(request, user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    audit.record(Kind.LOGIN_FAILED, user=_account(username), username=username, request=request)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = _account(username)
    item = audit.record(Kind.LOCKED_OUT, user=user, username=str(username or ""), request=request)
    alerts.locked_out(item)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(Kind.LOGOUT, user=user, request=request)


@receiver(post_save, sender=LogEntry)
def _admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    kind = {ADDITION: Kind.ADMIN_ADDED, DELETION: Kind.ADMIN_DELETED}.get(instance.action_flag, Kind.ADMIN_CHANGED)
    audit.record(
        kind,
        user=instance.user,
        detail={
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type
            else "",
            "object": instance.object_id or "",
            "name": instance.object_repr[:200],
            "change": instance.get_change_message()[:500],
        },
    )
