"""A unit's PDF keeps its name as the public may read it: masked when stored, and
names stored before that masked by migration 0002 (found by an audit: a reply's
PDF named after the citizen showed their name and number on the public page)."""

from importlib import import_module

from django.apps import apps

from wenzheng.attachments import files
from wenzheng.attachments.models import Attachment
from wenzheng.attachments.testing import pdf
from wenzheng.handling import actions
from wenzheng.testing import CastTestCase

migration = import_module("wenzheng.attachments.migrations.0002_mask_pdf_names")


class PdfNamesTest(CastTestCase):
    def reply_with(self, name):
        message = self.cast.submit()
        uploads = files.read_all([pdf(name=name)], allow_pdf=True)
        actions.reply(message=message, by=self.cast.handler_a, text="已处理。", attachments=uploads)
        return message.attachments.get(kind=Attachment.Kind.PDF)

    def test_a_name_is_stored_masked_and_a_plain_one_as_it_is(self):
        self.assertEqual(self.reply_with("张三13912345678答复.pdf").name, "张*139****5678答复.pdf")
        self.assertEqual(self.reply_with("关于路灯维修的答复.pdf").name, "关于路灯维修的答复.pdf")

    def test_names_stored_before_are_masked_by_the_migration(self):
        stored = self.reply_with("关于路灯维修的答复.pdf")
        Attachment.objects.filter(pk=stored.pk).update(name="张三13912345678答复.pdf")  # as an older version kept it
        migration.mask_names(apps, None)
        stored.refresh_from_db()
        self.assertEqual(stored.name, "张*139****5678答复.pdf")
