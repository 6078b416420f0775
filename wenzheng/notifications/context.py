from functools import cached_property

from wenzheng.accounts.models import Role

from .models import Notice

# The bell counts this many at most ("99+"): a count that stays cheap however many
# notices a person leaves unread.
BELL_LIMIT = 100


class Bell:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        unread = Notice.objects.filter(recipient=self.user, read_at__isnull=True, to_citizen=False)
        return unread[:BELL_LIMIT].count()

    @property
    def label(self) -> str:
        return "99+" if self.unread >= BELL_LIMIT else str(self.unread)


def bell(request):
    """The bell with the unread count on every staff page, counted only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role == Role.CITIZEN:
        return {}
    return {"bell": Bell(user)}
