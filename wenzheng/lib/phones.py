"""Phone numbers as citizens type them: one rule for every form, the API and imports.

Accepted, and stored in one written form:
- a mainland mobile, 11 digits from 13 to 19 (13800138000), with or without +86 /
  0086 / 86 in front, spaces, dashes, dots or brackets: "+86 138 0013 8000" →
  "13800138000";
- a landline with its area code: 010, 02x (three digits) with an 8-digit number, or a
  four-digit code (0778) with a 7- or 8-digit number: "(0778) 722 1234" →
  "0778-7221234";
- a local landline without the area code: 7 or 8 digits not starting with 0 or 1.
Anything else, 10- or 12-digit "mobiles" above all (one digit missing or doubled),
is refused with a message that says what is expected.
"""

import re
import unicodedata

MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes of three digits (010, 020-029) take 8-digit numbers; the others (0xxx) 7 or 8.
LANDLINE = re.compile(r"(0(?:10|2\d))(\d{8})|(0[3-9]\d{2})(\d{7,8})")
LOCAL = re.compile(r"[2-9]\d{6,7}")
SEPARATORS = re.compile(r"[\s\-.()（）]")
BAD = "联系电话格式不对：手机号应为11位（可带+86），固定电话应带区号，如0778-7221234。"


class BadPhone(ValueError):
    """The text is not a phone number; str() is the message for the citizen."""


def normalise(raw: str) -> str:
    """The number in its stored form, or BadPhone."""
    # A Chinese input method may type full-width digits and signs (＋８６ １３８…).
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    else:
        if len(text) == 13 and text.startswith("861"):
            text = text[2:]
    if not (text.isascii() and text.isdigit()):
        raise BadPhone(BAD)
    if MOBILE.fullmatch(text):
        return text
    if found := LANDLINE.fullmatch(text):
        code, number = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
        return f"{code}-{number}"
    if LOCAL.fullmatch(text):
        return text
    if text.startswith("1"):
        raise BadPhone(f"手机号应为11位数字（现有{len(text)}位）。")
    raise BadPhone(BAD)


def mobile(raw: str) -> str:
    """A mainland mobile number from what was typed, or "" for a landline or
    anything an SMS cannot reach."""
    try:
        number = normalise(raw)
    except BadPhone:
        return ""
    return number if MOBILE.fullmatch(number) else ""
