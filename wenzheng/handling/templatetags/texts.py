"""A long text shown folded: its first few hundred characters, the rest a tap away
(a 10,000-character message put the reply, the rating and the steps screens below
it on a phone)."""

import re

from django import template

register = template.Library()

# Texts longer than this are folded; the part shown ends at a sentence's end near HEAD.
LONG = 1200
HEAD = 600
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def split(text: str) -> tuple[str, str]:
    """(what is shown, what is folded): the whole text and nothing for a short one."""
    text = text or ""
    if len(text) <= LONG:
        return text, ""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, HEAD // 2, HEAD)]
    cut = ends[-1] if ends else HEAD
    return text[:cut], text[cut:]


@register.inclusion_tag("includes/long_text.html")
def long_text(text):
    head, rest = split(text)
    # Counted as a reader sees it: a line break is one character (a browser sends two).
    return {"head": head, "rest": rest, "length": len((text or "").replace("\r\n", "\n"))}
