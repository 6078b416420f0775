"""gunicorn's settings for wenzheng (`gunicorn -c deploy/gunicorn.conf.py wenzheng.wsgi`).

Every value can be changed from the environment without editing this file: gunicorn
reads GUNICORN_CMD_ARGS and WEB_CONCURRENCY itself; BIND and the rest are read here.
"""

import multiprocessing
import os

# Loopback only: the proxy (deploy/nginx/wenzheng.conf) is the one way in, so the
# X-Real-IP header it sets can be trusted (REAL_IP_HEADER).
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pre-forked sync workers: each request has a process to itself (documents with
# charts take a CPU for a second). Two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# A year-end report of a city's 10,000 units takes some seconds to draw; a request
# stuck longer than this is killed (and logged) rather than holding its worker.
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
graceful_timeout = 30
# Restart each worker now and then, so a slow leak can never grow without bound; but
# rarely: a worker takes ~0.4 s of CPU to import the app again (preload_app is off,
# below) and 2–3 s more to import the views (post_worker_init, at the end), and at
# the former 2,000 requests a busy server spent a quarter of its time restarting
# workers. Measured with wrk (50 connections, 2 workers, 2 cores): the bare
# view served 1,253 requests/s with a p99 of 1.0 s at 2,000, and 3,778 requests/s with
# a p99 of 17 ms without restarts (bench/pages.py, BENCHMARKS.md).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10
# A request line up to gunicorn's largest (its default, 4,094 bytes, is 450 Chinese
# characters percent-encoded): a shared link with a long search then reaches the app,
# which says in Chinese what is wrong with it, instead of gunicorn's English "414
# Request-URI Too Long". nginx's default buffers (8 KB) let such a line through.
limit_request_line = 8190
# Logs to stderr (the journal under systemd), each access line with its request id
# and without the query string: a search typed by staff holds a citizen's phone
# number or name, an Open311 client's api_key is a credential.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s "%(a)s"'
# Each worker imports the app itself: a reload (HUP, `systemctl reload`) then starts
# workers on the new code and the new static files' manifest. With preload_app the
# master kept the old ones, and after an update the new hashed CSS answered 404.
preload_app = False
proc_name = "wenzheng-web"
# No control socket: systemd's signals (reload = HUP) are the one way to manage it.
control_socket_disable = True


def post_worker_init(worker):
    """Each worker imports the views and reads the search's dictionary before it
    accepts its first request (wenzheng.ops.warm): otherwise whichever citizen
    reached a new worker first waited 2–5 s for it, after every restart."""
    from wenzheng.ops.warm import warm

    worker.log.info("Worker %s ready in %.1f s: the views imported, the search's dictionary read", worker.pid, warm())
