"""A fake S3-compatible store on the loopback, for the tests: one bucket kept in
memory, and the few calls django-storages makes (put, get, head, delete, list with a
delimiter). It checks no signature; it records each request's path and headers, so
a test can see what the client sent."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape


class FakeS3:
    def __init__(self, bucket: str):
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, dict]] = []
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _key(self):
                parts = urlsplit(self.path)
                bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
                store.requests.append((self.command, unquote(parts.path), dict(self.headers)))
                return bucket, key, parse_qs(parts.query, keep_blank_values=True)

            def _send(self, status, body=b"", content_type="application/xml", length=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _missing(self):
                self._send(404, b"<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>")

            def do_PUT(self):
                bucket, key, _ = self._key()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if bucket != store.bucket:
                    return self._missing()
                store.objects[key] = body
                self.send_response(200)
                self.send_header("ETag", '"fake"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                bucket, key, query = self._key()
                if bucket != store.bucket:
                    return self._missing()
                if not key:
                    return self._list(query)
                if key not in store.objects:
                    return self._missing()
                body = store.objects[key]
                ranged = self.headers.get("Range")
                if ranged:
                    start, _, end = ranged.removeprefix("bytes=").partition("-")
                    body = body[int(start) : int(end) + 1 if end else None]
                self._send(206 if ranged else 200, body, "application/octet-stream")

            def do_HEAD(self):
                bucket, key, _ = self._key()
                if bucket != store.bucket or key not in store.objects:
                    return self._missing()
                self._send(200, b"", "application/octet-stream", length=len(store.objects[key]))

            def do_DELETE(self):
                _, key, _ = self._key()
                store.objects.pop(key, None)
                self._send(204, b"")

            def _list(self, query):
                prefix = query.get("prefix", [""])[0]
                delimiter = query.get("delimiter", [""])[0]
                keys, folders = [], set()
                for key in sorted(store.objects):
                    if not key.startswith(prefix):
                        continue
                    rest = key[len(prefix) :]
                    if delimiter and delimiter in rest:
                        folders.add(prefix + rest.split(delimiter)[0] + delimiter)
                    else:
                        keys.append(key)
                contents = "".join(
                    f"<Contents><Key>{escape(k)}</Key><Size>{len(store.objects[k])}</Size>"
                    '<LastModified>2026-11-30T00:00:00.000Z</LastModified><ETag>"fake"</ETag></Contents>'
                    for k in keys
                )
                prefixes = "".join(
                    f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>" for p in sorted(folders)
                )
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                    f"<Name>{store.bucket}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount>"
                    f"<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}{prefixes}</ListBucketResult>"
                )
                self._send(200, body.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
