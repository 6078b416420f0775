"""The channels a notice reaches people by: one small interface and a registry.

- in-app (站内通知): the bell on every staff page; a notice is there the moment it is
  written, so there is nothing to send;
- e-mail: through Django's mail backend (SMTP on a server; console or file in
  development and tests);
- SMS: through the gateway backend in settings.SMS_BACKEND (wenzheng.notifications.sms).

`address` says where a notice goes on the channel now (or "" when nowhere: no
address, turned off, unsubscribed); it is asked again just before sending, so a
change of mind stops what is still queued.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from wenzheng.privacy.public import Publisher

from . import recipients, sms, texts


class SendFailed(Exception):
    """Sending did not work. `permanent`: trying again cannot help (a refused address)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel:
    name = ""
    label = ""
    #: Sent by the background worker (False: shown at once, nothing to send).
    queued = True

    def address(self, notice) -> str:
        if notice.to_citizen:
            return recipients.citizen_contact(notice.message, self.name)
        user = notice.recipient
        if user is None or not user.is_active:
            return ""
        return recipients.Person.of(user).address(self.name)

    def send(self, notice, address: str) -> str:
        """Send `notice` to `address`; returns the provider's reference, if any.
        Raises SendFailed."""
        raise NotImplementedError


_registry: dict[str, Channel] = {}


def register(cls: type[Channel]) -> type[Channel]:
    _registry[cls.name] = cls()
    return cls


def get(name: str) -> Channel:
    return _registry[name]


def all_channels() -> list[Channel]:
    return list(_registry.values())


def outward() -> list[Channel]:
    """The channels the worker sends on."""
    return [c for c in _registry.values() if c.queued]


@register
class InApp(Channel):
    name = "in_app"
    label = "站内通知"
    queued = False

    def address(self, notice) -> str:
        return "" if notice.to_citizen or notice.recipient_id is None else str(notice.recipient_id)

    def send(self, notice, address):
        # The notices page reads the notice itself; nothing leaves the system.
        return ""


@register
class Email(Channel):
    name = "email"
    label = "电子邮件"

    def send(self, notice, address):
        mail = EmailMessage(
            subject=subject(notice),
            body=body(notice),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers=_unsubscribe_headers(notice),
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as e:
            raise SendFailed(f"邮件服务器拒收该地址：{e.recipients}", permanent=True) from e
        except (smtplib.SMTPException, OSError) as e:
            raise SendFailed(f"邮件发送失败：{e}") from e
        return ""


@register
class Sms(Channel):
    name = "sms"
    label = "短信"

    def send(self, notice, address):
        try:
            return sms.backend().send(address, sms_text(notice))
        except sms.GatewayError as e:
            raise SendFailed(str(e), permanent=e.permanent) from e


def sms_text(notice) -> str:
    """The SMS of a notice, its link made absolute now (texts.sms). A citizen's leads
    to the page of their message; staff's through the notice itself, which marks it
    read as the bell does and says where a message moved to another unit went."""
    if notice.to_citizen:
        return texts.sms(notice.text, link=notice.link, always=True)
    link = reverse("notifications:open", args=[notice.pk]) if notice.link else ""
    return texts.sms(notice.text, link=link)


# --- e-mail -------------------------------------------------------------------------


def subject(notice) -> str:
    return f"【{notice.region.name}网络问政】{notice.get_kind_display()}"


def body(notice) -> str:
    lines = [notice.text, ""]
    if notice.to_citizen:
        # Their message by its title, as the public reads it (masked, or as the
        # office's review redacted it): an e-mail goes to an address typed once and
        # never confirmed, and may be forwarded; the public title is still theirs to
        # know it by.
        lines += [f"留言标题：{Publisher().title(notice.message)}", ""]
    if notice.kind == notice.Kind.DAILY_DIGEST:
        lines += [f"· {n.text}  {texts.public_url(n.link)}" for n in notice.digested_notices()]
        lines.append("")
    if notice.link:
        lines.append(texts.public_url(notice.link))
    if notice.to_citizen:
        stop = texts.public_url(reverse("notifications:unsubscribe", args=[notice.message.tracking_code]))
        lines += ["", f"不想再收到这条留言的通知，请打开以下链接，按“退订”：{stop}"]
    else:
        lines += ["", f"通知设置：{texts.public_url(reverse('notifications:settings'))}"]
    return "\n".join(lines)


def _unsubscribe_headers(notice) -> dict:
    if not notice.to_citizen:
        return {}
    code = notice.message.tracking_code
    url = texts.public_url(reverse("notifications:unsubscribe", args=[code]))
    # RFC 8058: a mail program may unsubscribe with one POST, no page in between.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
