"""A unit's PDF is shown and served by its name, to the public too: a name stored
before names were masked when stored (attachments.store) is masked now, as the
public pages mask the reply beside it (韦小明13912345678答复.pdf → 韦**139****5678答复.pdf)."""

from django.db import migrations

from wenzheng.privacy.masking import Masker


def mask_names(apps, schema_editor):
    Attachment = apps.get_model("attachments", "Attachment")
    PublicContact = apps.get_model("privacy", "PublicContact")
    maskers = {}
    found = Attachment.objects.filter(kind="pdf").select_related("message", "message__citizen").order_by("pk")
    for attachment in found.iterator(chunk_size=1000):
        message = attachment.message
        if message.region_id not in maskers:
            published = PublicContact.objects.filter(region_id=message.region_id).values_list("normalised", flat=True)
            maskers[message.region_id] = Masker(published)
        citizen = message.citizen
        names = [message.citizen_name, *((citizen.username, citizen.display_name) if citizen else ())]
        masked = maskers[message.region_id].mask(attachment.name, names=[n for n in names if n])
        if masked != attachment.name:
            attachment.name = masked
            attachment.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_changes"),
        ("attachments", "0001_attachments"),
        ("handling", "0014_alter_serialcounter_options"),
        ("privacy", "0003_public_contact_for_help"),
    ]

    operations = [migrations.RunPython(mask_names, migrations.RunPython.noop)]
