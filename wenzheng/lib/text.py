"""What a person's text may hold before it is stored or shown elsewhere.

Text pasted from Word or a PDF brings control characters (a vertical tab, a form
feed, a bell) that nobody sees, that make XML invalid for every Open311 consumer and
that PostgreSQL refuses outright (NUL); JSON escapes can bring lone surrogates that
no database can encode. They are removed where text enters (the actions), and again
where text leaves as XML, for rows written before.
"""

import re
import unicodedata

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates;
# the two code points XML 1.0 forbids (U+FFFE, U+FFFF); and the bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which no Chinese
# text needs and which reorder what follows them on every page that shows it (a
# pasted U+202E made 反转文本 read 本文转反, on the board and in the unit's inbox).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def clean(value: str) -> str:
    """`value` without the characters above (everything a person can see is kept)."""
    return _INVISIBLE.sub("", value or "")


def has_nul(value: str) -> bool:
    return "\x00" in value


def visible(value: str) -> str:
    """`clean`, and without the format characters nobody sees either (Unicode's Cf:
    a zero-width space, a soft hyphen, a byte order mark)."""
    return "".join(ch for ch in clean(value) if unicodedata.category(ch) != "Cf")


def name(value: str) -> str:
    """A name (of a unit, a county, a person) as it is kept: `visible` (a zero-width
    space made 天峨县水利局 a second unit beside the first), runs of spaces made one."""
    return " ".join(visible(value).split())


# A resident ID number (身份证号) as the columns hold it.
ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")


def id_number(value: str) -> str:
    """An ID number as typed, made what ID_NUMBER checks: full-width digits and Ｘ
    made ASCII (NFKC: a phone's Chinese keyboard types them), x made X, the
    characters above and the spaces around it gone."""
    return unicodedata.normalize("NFKC", clean(value or "")).strip().upper()
