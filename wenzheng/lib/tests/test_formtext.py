"""Every form with a length limit says which box is too long, in Chinese (issue 16)."""

import importlib
import pkgutil

from django import forms
from django.test import SimpleTestCase

import wenzheng
from wenzheng.lib.formtext import NamedLimits


def _all_forms():
    for module in pkgutil.walk_packages(wenzheng.__path__, "wenzheng."):
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith(".e2e"):
            continue
        if module.name.rsplit(".", 1)[-1] in ("forms", "scheme_form", "views", "admin", "tree_admin"):
            importlib.import_module(module.name)
    seen, todo = set(), [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [f for f in seen if f.__module__.startswith("wenzheng.") and ".tests" not in f.__module__]


class NamedLimitsTest(SimpleTestCase):
    def test_every_form_with_a_length_limit_names_the_field_in_its_message(self):
        found = _all_forms()
        self.assertGreater(len(found), 40)
        for form in found:
            limited = [
                name
                for name, field in form.base_fields.items()
                if isinstance(field, forms.CharField) and field.max_length is not None
            ]
            if limited:
                with self.subTest(form=f"{form.__module__}.{form.__name__}"):
                    self.assertTrue(issubclass(form, NamedLimits), limited)

    def test_the_message_says_which_box_and_how_much(self):
        from wenzheng.api.views import TokenForm

        field = next(f for f in TokenForm.base_fields.values() if getattr(f, "max_length", None))
        form = TokenForm(dict.fromkeys(TokenForm.base_fields, "字" * 500))
        self.assertFalse(form.is_valid())
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        self.assertIn(f"{str(field.label).rstrip('：:')}不能超过{field.max_length}个字（现有500个字）。", text)


class SomethingSeenTest(SimpleTestCase):
    def test_every_form_with_a_required_text_box_refuses_what_nobody_sees(self):
        for form in _all_forms():
            required = [
                name
                for name, field in form.base_fields.items()
                if isinstance(field, forms.CharField) and field.required and field.strip
            ]
            if required:
                with self.subTest(form=f"{form.__module__}.{form.__name__}"):
                    self.assertTrue(issubclass(form, NamedLimits), required)

    def test_a_box_of_zero_width_spaces_gets_the_boxs_own_required_message(self):
        from wenzheng.api.views import TokenForm

        form = TokenForm({"name": "\u200b\u202e\ufeff"})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["name"], ["请填写用途。"])  # named, not Django's 这个字段是必填项
        self.assertTrue(TokenForm({"name": "\u200b对接"}).is_valid())

    def test_a_box_made_required_after_the_form_is_built_refuses_it_too(self):
        from wenzheng.api.views import TokenForm

        form = TokenForm({"name": "\u200b"})
        form.fields["name"].required = False
        self.assertTrue(form.is_valid())  # optional: the action keeps it as no text
        form = TokenForm({"name": "\u200b"})
        form.fields["name"].required = True
        self.assertFalse(form.is_valid())


class TextBoxLimitTest(SimpleTestCase):
    def test_every_text_box_stops_at_a_limit_the_browser_knows(self):
        # The action refuses a text over its limit; where the form was on a list page
        # (回访, a dispatch queue) the text was gone with the page. The box's maxlength
        # stops the typing instead.
        for form in _all_forms():
            boxes = [
                name
                for name, field in form.base_fields.items()
                if isinstance(field, forms.CharField)
                and isinstance(field.widget, forms.Textarea)
                and field.max_length is None
            ]
            with self.subTest(form=f"{form.__module__}.{form.__name__}"):
                self.assertEqual(boxes, [])
