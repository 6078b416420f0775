from django import template
from django.utils.html import format_html

from wenzheng.handling import once

register = template.Library()


@register.simple_tag
def form_key():
    """A hidden field with a fresh key: this render of the form is submitted once."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_key())
