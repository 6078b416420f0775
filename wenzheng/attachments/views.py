"""Serving an attachment: to those wenzheng.attachments.access lets see it, with its
own type, never sniffed.

A public file may stop being public at any moment (withheld, hidden by a review, its
message withdrawn), so no cache may answer for it without asking: a public file is
sent with `Cache-Control: no-cache` and an ETag (a browser or a proxy keeps it and
gets a 304 while it may still be shown, a 404 once it may not); every other file
with `private, no-store`."""

import hashlib

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _

from .access import is_public, may_open
from .models import Attachment, storage

TRACKED = "tracked"  # the tracking codes a visitor proved with a passcode (wenzheng.public.views)


def serve(request, pk, thumbnail=False):
    attachment = get_object_or_404(Attachment.objects.select_related("message", "draft"), pk=pk)
    if not may_open(request, attachment, tracked_codes=request.session.get(TRACKED, {})):
        raise Http404(_("没有这个附件"))
    name = attachment.thumbnail if thumbnail else attachment.file
    if not name:
        raise Http404(_("没有这个附件"))
    public = is_public(attachment)
    # A stored file never changes (each upload gets a new random name): its name is
    # its version, hashed so that the name itself is not shown.
    etag = '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'
    if public:
        unchanged = get_conditional_response(request, etag=etag)
        if unchanged is not None:
            return _headers(unchanged, public=True, etag=etag)
    try:
        handle = storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在")) from None
    image = attachment.is_image
    response = FileResponse(
        handle,
        content_type="image/jpeg" if thumbnail else attachment.content_type,
        as_attachment=not image,  # a PDF is downloaded, never rendered inside our site
        filename=attachment.served_name,
    )
    if image:
        # An image opened on its own runs nothing, even if a browser were tricked.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return _headers(response, public=public, etag=etag)


def _headers(response, *, public: bool, etag: str):
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        response["Cache-Control"] = "no-cache"
        response["ETag"] = etag
    else:
        response["Cache-Control"] = "private, no-store"
    return response
