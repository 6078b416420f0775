"""Values from a request that code uses as a place or a row: checked before use,
because a forged one must get a clear answer, never a 500."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request, target: str | None) -> str | None:
    """`target` (a form's `next`) if it is a path on this site, else None.

    Only an absolute path: `redirect()` takes a value without a slash for a view name
    to reverse (NoReverseMatch, a 500, on a forged `next`), and a scheme or another
    host would make an open redirect. Whitespace and control characters are refused
    too (a header cannot carry a newline)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return None
    return target


def safe_next(request) -> str | None:
    """The page a form came from or leads to (`next`, posted or in the address), if
    it is one of ours."""
    return local_path(request, request.POST.get("next") or request.GET.get("next"))


def row_id(value) -> int | None:
    """A row's id from text, or None: ASCII digits only, at most 18 of them ("²" is a
    digit to str.isdigit() but not to int(), and 19 digits overflow SQLite's integer)."""
    value = str(value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None
