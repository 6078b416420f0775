"""A web worker made ready before it takes its first request (gunicorn's
post_worker_init, deploy/gunicorn.conf.py).

Django imports the URLconf, and with it every view and all that the views import
(scikit-learn and SciPy for hot issues, matplotlib for charts, openpyxl, python-docx),
when a process answers its first request; jieba's dictionary is read on the first
search with a term of three characters or more. A new worker (at start, after a
reload, and after every `max_requests`) made whichever citizen reached it first wait
for all of it: 2.1 s for the demo county's home page on a quiet machine, 4.8 s for a
newcomer's board while an index was being built, and 0.8 s more for 路灯维修. Done
here instead, before the worker accepts a connection, while the other workers serve.
"""

import time


def warm() -> float:
    """Import every view and read the search's dictionary; the seconds it took."""
    from django.urls import get_resolver

    from wenzheng.search import words

    started = time.monotonic()
    get_resolver().url_patterns  # noqa: B018 (a lazy property: reading it imports the URLconf)
    words.load_dictionary()
    return time.monotonic() - started
