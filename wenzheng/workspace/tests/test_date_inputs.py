"""Date boxes carry the ISO value browsers need: the locale's 2026/11/30 shows blank in
<input type="date"> and blocks the form (issue 16, /work/county/luocheng/records/)."""

import datetime as dt
import re

import time_machine
from django import forms

from wenzheng.privacy.forms import AccessFilterForm
from wenzheng.testing import CastTestCase, local
from wenzheng.workspace import forms as workspace_forms

DATE_INPUT = re.compile(r'<input type="date"[^>]*>')


class DateInputsTest(CastTestCase):
    def test_the_records_page_fills_the_finding_date_as_an_iso_date(self):
        self.client.force_login(self.cast.county_office)
        with time_machine.travel(local(2026, 11, 30, 10), tick=False):
            page = self.client.get("/work/county/luocheng/records/").content.decode()
        boxes = DATE_INPUT.findall(page)
        self.assertTrue(boxes)
        self.assertIn('value="2026-11-30"', boxes[0])
        self.assertNotIn("2026/11/30", page)

    def test_every_date_field_in_the_staff_forms_renders_iso_dates(self):
        fields = [
            (name, field)
            for module in (workspace_forms,)
            for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, forms.BaseForm)
            for name, field in cls.base_fields.items()
            if isinstance(field, forms.DateField)
        ] + [("since", AccessFilterForm.base_fields["since"])]
        self.assertGreaterEqual(len(fields), 4)
        for name, field in fields:
            with self.subTest(field=name):
                html = field.widget.render(name, dt.date(2026, 12, 14))
                self.assertIn('type="date"', html)
                self.assertIn('value="2026-12-14"', html)
