import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
application = get_wsgi_application()

# Say at once, in the server's log, whether the database keeps what it acknowledges
# (wenzheng.ops.durability; requests are refused under DURABILITY_CHECK=refuse).
from wenzheng.ops import durability  # noqa: E402

durability.check_at_start()
