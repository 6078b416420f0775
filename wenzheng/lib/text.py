"""What a person's text may hold before it is stored or shown elsewhere.

Text pasted from Word or a PDF brings control characters (a vertical tab, a form
feed, a bell) that nobody sees, that make XML invalid for every Open311 consumer and
that PostgreSQL refuses outright (NUL); JSON escapes can bring lone surrogates that
no database can encode. They are removed where text enters (the actions), and again
where text leaves as XML, for rows written before.
"""

import re
import unicodedata
from functools import cache
from importlib import resources

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates;
# the two code points XML 1.0 forbids (U+FFFE, U+FFFF); and the bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which no Chinese
# text needs and which reorder what follows them on every page that shows it (a
# pasted U+202E made 反转文本 read 本文转反, on the board and in the unit's inbox).
# Also the zero-width space, the word joiner, the byte order mark and the soft hyphen,
# which only hide what they sit in (路灯\u200b不亮 is not found by 路灯不亮), and a
# zero-width joiner beside Chinese, Latin or full-width text or at either end, where it
# joins nothing (it makes 👩\u200d🚒 one picture, and the half forms of Indic
# scripts: there it stays).
_PLAIN = "\x00-\x7f\u3000-\u9fff\uff00-\uffef"
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069"
    "\u200b\u2060\ufeff\u00ad]"
    f"|(?<=[{_PLAIN}])\u200d|\u200d(?=[{_PLAIN}])|^\u200d|\u200d$"
)


# A terminal's escape sequences, pasted with text copied from a console or a log: a
# colour (ESC [ 31 m), a title (ESC ] … BEL) or a single-character escape. Removing
# the ESC alone left "[31m" in the message; the whole sequence is one control. Also
# their C1 forms (CSI U+009B, OSC U+009D), before _INVISIBLE removes U+0080–U+009F.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: parameters, intermediates, a final byte
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, ended by BEL or ST
    r"|\x1b[ -/]*[0-~]"  # any other escape: intermediates and a final byte
)


def clean(value: str) -> str:
    """`value` without the characters above and the terminal escape sequences they
    begin (everything a person can see is kept), its line breaks one LF each (a
    browser sends a textarea's as CR LF; an old Mac file's are CR alone)."""
    value = value or ""
    if "\x1b" in value or "\x9b" in value or "\x9d" in value:
        value = _ESCAPES.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", value)


def has_nul(value: str) -> bool:
    return "\x00" in value


# What nobody sees: Unicode's format characters (category Cf, as Python 3.11's
# Unicode 14 lists them: a zero-width space, a soft hyphen, a byte order mark, the
# joiners) and the other default-ignorable code points (DerivedCoreProperties:
# variation selectors, the combining grapheme joiner, the Hangul fillers), and the
# blank braille pattern. Between a phone number's digits they hide it from every
# pattern that looks for one. A test checks the list against unicodedata's Cf.
FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    # Default-ignorable, not Cf.
    "\u034f\u115f-\u1160\u17b4-\u17b5\u180b-\u180d\u180f\u2065\u3164\ufe00-\ufe0f\uffa0"
    "\ufff0-\ufff8\U000e0000\U000e0002-\U000e001f\U000e0080-\U000e0fff\u2800]"
)


def visible(value: str) -> str:
    """`clean`, and without the format characters nobody sees either (FORMAT)."""
    return FORMAT.sub("", clean(value))


def without_format(value: str) -> tuple[str, list[int] | None]:
    """`value` without its format characters (FORMAT), and where in `value` each
    character left was; None for the second when there were none (the same text)."""
    if not FORMAT.search(value):
        return value, None
    where = [i for i, ch in enumerate(value) if not FORMAT.match(ch)]
    return "".join(value[i] for i in where), where


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
    return unicodedata.normalize("NFKC", visible(value or "")).strip().upper()


def typed_code(value: str) -> str:
    """A code read off a slip or a text message and typed (a tracking code, a
    passcode): as `id_number`, and without the spaces or dashes typed between its
    groups."""
    return "".join(id_number(value).replace("-", " ").split())


@cache
def traditional_to_simplified() -> dict[str, str]:
    """OpenCC's traditional → simplified character table, one character for one (its
    first choice where it offers several): 路燈 is 路灯, 韋 is 韦."""
    table = {}
    text = (resources.files("opencc_purepy") / "dicts" / "TSCharacters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1 and source != target:
            table[source] = target
    return table
