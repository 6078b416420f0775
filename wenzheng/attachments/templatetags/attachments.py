from django import template

register = template.Library()


@register.filter
def of(files_by_owner, key):
    """The files of one text: `files|of:reply.pk`."""
    return files_by_owner.get(key, []) if files_by_owner else []
