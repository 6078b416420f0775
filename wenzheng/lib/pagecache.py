"""Public pages served from the cache, and forgotten when something changes them.

Anonymous GETs of the public pages, the public API and Open311 (no session user, no
token, no flash message waiting) are kept in Django's cache (the database cache by
default, so every server of a county shares it; CACHE_URL names another) under a key
made of the path, the whole query string (filters, a search's `q`, the page), htmx's
header, the local day and the static files' release (a deploy's new stylesheet is on
every page at once). Each kept page carries the change token it was made under:
the token of the region the request names (by its code), or of the default region.
Every event appended to a county's chain changes, when its transaction commits, the
tokens of that county, of its city and of the default region (`regions_changed`),
so a reply, a closure, a review that holds a message back or spam marking is on the
pages at once; a page older than MAX_AGE is made again anyway
(units renamed in the admin, a changed category, which write no event).

One maker per page: when a kept page must be made again (its tokens changed, or it
grew older than MAX_AGE), the first request to see so takes a short lock in the cache
and makes it; requests arriving meanwhile are answered the previous copy (marked
`X-Page-Cache: stale`) instead of all making the same slow page at once. So a change
reaches the public within the time one request takes to make the page (the lock lasts
at most MAKING_SECONDS), not at once for every reader; a request for a page with no
previous copy waits for the one making it (up to WAIT_SECONDS, looking every WAIT_STEP) and is
answered that page (`X-Page-Cache: waited`), so the first minutes of a new day or of a
new release, when every page is made afresh, do not make each page once per waiting
request; after WAIT_SECONDS it makes the page itself.

A kept page is answered with an ETag and `Cache-Control: no-cache`: a browser or a
proxy may keep it but asks each time, and gets a 304 while it is unchanged.
"""

import contextlib
import contextvars
import hashlib
import secrets
import time

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

MAX_AGE = 300  # seconds: the backstop for changes that write no event
MAKING_SECONDS = 30  # the longest one request holds the right to make a page again
KEEP_SECONDS = MAX_AGE + 600  # a copy outlives its freshness, to be answered while the next is made
WAIT_SECONDS = 2.0  # the longest a request waits for another to make a page nobody has kept
WAIT_STEP = 0.02
DEFAULT = "default"
# Where the public reads live: what may be kept.
PREFIXES = (
    "/messages/",
    "/exposures/",
    "/statistics/",
    "/evaluation/public/",
    "/api/v1/messages",
    "/api/v1/statistics",
    "/api/v1/units",
    "/api/v1/regions",
    "/api/v1/categories",
    "/open311/v2/",
)


def _token_key(name: str) -> str:
    return f"pages:token:{name}"


# The regions of a run of changes renewed together (`renewed_once`), or None.
_gathering = contextvars.ContextVar("pages_gathering", default=None)


def regions_changed(region_ids) -> None:
    """New tokens for these regions, their cities and the default region, once the
    current transaction commits (at once outside one): a page made before the commit
    was kept under the old tokens and is never answered again."""
    ids = set(region_ids)
    gathering = _gathering.get()
    if gathering is not None:
        gathering.update(ids)
        return

    def bump():
        from wenzheng.units.models import Region

        names = {DEFAULT}
        # From the primary: a region made in this transaction may not be on a
        # replica yet, and a request reading from one may be what committed.
        for code, parent in Region.objects.using("default").filter(pk__in=ids).values_list("code", "parent__code"):
            names.update(filter(None, (code, parent)))
        cache.set_many({_token_key(n): secrets.token_hex(8) for n in names}, timeout=None)

    transaction.on_commit(bump)


@contextlib.contextmanager
def renewed_once():
    """The tokens renewed once for a whole run of changes made in one transaction
    (the demo county's 3,000 events), instead of once per event: three cache writes,
    not 10,000. Use inside the transaction; nothing is renewed if the run fails."""
    ids: set = set()
    token = _gathering.set(ids)
    try:
        yield
    finally:
        _gathering.reset(token)
    if ids:
        regions_changed(ids)


def _region_name(request) -> str:
    code = request.GET.get("region") or request.GET.get("jurisdiction_id")
    if not code:
        parts = request.path.strip("/").split("/")
        # /messages/<county>/<serial>/, /evaluation/public/<region>/..., /api/v1/messages/<county>/<serial>
        if parts[:1] == ["messages"] and len(parts) >= 3:
            code = parts[1]
        elif parts[:2] == ["evaluation", "public"] and len(parts) >= 3:
            code = parts[2]
        elif parts[:3] == ["api", "v1", "messages"] and len(parts) >= 5:
            code = parts[3]
    return code or DEFAULT


def cacheable(request) -> bool:
    if not settings.PUBLIC_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if not request.path.startswith(PREFIXES) and request.path != "/":
        return False
    if "messages" in request.COOKIES or "HTTP_AUTHORIZATION" in request.META or "api_key" in request.GET:
        return False
    return not request.user.is_authenticated


def release() -> str:
    """The static files' release: the hash of collectstatic's manifest (none in
    development). A kept page names stylesheets and scripts by their hashed names, so
    after a deploy the new workers keep their pages apart from the old ones' and
    nobody is answered a page that links a stylesheet the server no longer has."""
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def page_key(request) -> str:
    raw = f"{request.path}?{request.META.get('QUERY_STRING', '')}|{request.headers.get('HX-Request', '')}"
    return "pages:" + hashlib.sha256(f"{raw}|{timezone.localdate()}|{release()}".encode()).hexdigest()


class PublicPageCache:
    """The middleware (after authentication and messages, inside the security
    headers, which are added to a kept page as to a fresh one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable(request):
            return self.get_response(request)
        names = [_region_name(request)]
        key = page_key(request)
        found = cache.get_many([key, *map(_token_key, names)])
        tokens = tuple(found.get(_token_key(n), "") for n in names)
        kept = found.get(key)
        if kept is not None and len(kept) != 5:
            kept = None  # a copy written by an older release of this module
        if kept is not None and kept[0] == tokens and time.time() - kept[4] < MAX_AGE:
            return self._answer(request, kept[1], kept[2], kept[3])
        # Only a page that will be kept is worth waiting for: with a token missing the
        # page made now is answered but not kept (see _make).
        locked = all(tokens) and cache.add(key + ":making", 1, timeout=MAKING_SECONDS)
        if all(tokens) and not locked:
            if kept is not None:
                # Another request is making this page now: the previous copy meanwhile.
                return self._answer(request, kept[1], kept[2], kept[3], state="stale")
            made = self._wait(key, tokens)
            if made is not None:
                return self._answer(request, made[1], made[2], made[3], state="waited")
        try:
            return self._make(request, key, names, tokens)
        finally:
            if locked:
                cache.delete(key + ":making")

    @staticmethod
    def _wait(key, tokens):
        """The page another request is making, once it is kept; None when the maker
        let go of its lock without keeping one (a 404, a page with a cookie: not kept)
        or after WAIT_SECONDS (a slow maker): the caller makes it after all."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP)
            found = cache.get_many([key, key + ":making"])
            kept = found.get(key)
            if kept is not None and len(kept) == 5 and kept[0] == tokens:
                return kept
            if key + ":making" not in found:
                return None
        return None

    def _make(self, request, key, names, tokens):
        response = self.get_response(request)
        if self._keepable(request, response):
            if not all(tokens):
                # A token evicted or never set: start one (add: another process may be
                # doing the same), and keep the page under what the cache then holds.
                # A page made before a step's commit and kept after it under that
                # step's new token would be stale: the token is read before the page.
                for n, t in zip(names, tokens, strict=True):
                    if not t:
                        cache.add(_token_key(n), "new-" + secrets.token_hex(8), timeout=None)
                return self._tag(request, response, None)
            etag = '"' + hashlib.sha256(key.encode() + "".join(tokens).encode()).hexdigest()[:32] + '"'
            kept = (tokens, response.content, response["Content-Type"], etag, time.time())
            cache.set(key, kept, timeout=KEEP_SECONDS)
            return self._tag(request, response, etag)
        return response

    @staticmethod
    def _keepable(request, response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.has_header("Cache-Control")
        )

    @staticmethod
    def _tag(request, response, etag):
        response["Cache-Control"] = "public, no-cache"
        response["Vary"] = "Cookie, HX-Request"
        if etag:
            response["ETag"] = etag
        return response

    def _answer(self, request, content, content_type, etag, state="hit"):
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content, content_type=content_type)
        response["X-Page-Cache"] = state
        return self._tag(request, response, etag)
