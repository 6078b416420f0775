"""What a person's text may hold before it is stored or shown elsewhere.

Text pasted from Word or a PDF brings control characters (a vertical tab, a form
feed, a bell) that nobody sees, that make XML invalid for every Open311 consumer and
that PostgreSQL refuses outright (NUL); JSON escapes can bring lone surrogates that
no database can encode. They are removed where text enters (the actions), and again
where text leaves as XML, for rows written before.
"""

import re

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates;
# and the two code points XML 1.0 forbids (U+FFFE, U+FFFF).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(value: str) -> str:
    """`value` without the characters above (everything a person can see is kept)."""
    return _INVISIBLE.sub("", value or "")


def has_nul(value: str) -> bool:
    return "\x00" in value
