"""A citizen's notice keeps its words and its link's path apart: the address is made
from SITE_URL when it is sent (texts.sms, channels.body), no longer written into its
text when it is queued. Those still to be sent lose the address they were queued
with, so a server with another SITE_URL sends its own; those sent keep the words
they were sent with."""

from django.conf import settings
from django.db import migrations

# Deliveries that may still be sent: waiting, held for a digest, or failed (the
# office may send them again).
NOT_SENT = ["queued", "sending", "held", "failed"]


def _waiting(apps):
    Notice = apps.get_model("notifications", "Notice")
    found = Notice.objects.filter(to_citizen=True, deliveries__state__in=NOT_SENT).exclude(link="").distinct()
    return Notice, found.only("pk", "text", "link")


def words_only(apps, schema_editor):
    Notice, found = _waiting(apps)
    changed = []
    for notice in found.iterator(chunk_size=2000):
        # "留言2026-000046已答复，查询码K7M2P9QX4R，http://127.0.0.1:8000/t/K7M2P9QX4R"
        cut = notice.text.rfind("，http")
        if cut >= 0 and notice.text.endswith(notice.link):
            notice.text = notice.text[:cut]
            changed.append(notice)
    Notice.objects.bulk_update(changed, ["text"], batch_size=1000)


def with_address(apps, schema_editor):
    """Back to the address in the text, as the code before this wants it."""
    Notice, found = _waiting(apps)
    site = settings.SITE_URL.rstrip("/")
    changed = []
    for notice in found.iterator(chunk_size=2000):
        if not notice.text.endswith(notice.link):
            notice.text = f"{notice.text}，{site}{notice.link}"
            changed.append(notice)
    Notice.objects.bulk_update(changed, ["text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0009_notice_kind_supervised")]

    operations = [migrations.RunPython(words_only, with_address)]
