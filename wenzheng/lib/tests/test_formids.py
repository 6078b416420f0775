"""A forged id too large for any integer column is an invalid choice, not a 500."""

from django import forms

from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Unit

HUGE = "999999999999999999999999999999"


class PickForm(forms.Form):
    messages = forms.ModelMultipleChoiceField(queryset=Message.objects.all())
    unit = forms.ModelChoiceField(queryset=Unit.objects.all(), required=False)


class OutOfRangeIdTest(CastTestCase):
    def test_a_choice_of_several_refuses_an_id_no_column_can_hold(self):
        message = self.cast.submit()
        for value in (HUGE, f"-{HUGE}", str(2**63)):
            form = PickForm({"messages": [str(message.pk), value]})
            self.assertFalse(form.is_valid())
            self.assertEqual(form.errors.as_data()["messages"][0].code, "invalid_choice")
        self.assertTrue(PickForm({"messages": [str(message.pk), str(message.pk)]}).is_valid())
        self.assertFalse(PickForm({"messages": [str(2**63 - 1)]}).is_valid())  # the largest: simply not there

    def test_a_single_choice_refuses_it_too(self):
        form = PickForm({"messages": [str(self.cast.submit().pk)], "unit": HUGE})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors.as_data()["unit"][0].code, "invalid_choice")
