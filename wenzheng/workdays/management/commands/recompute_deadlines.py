from django.core.management.base import BaseCommand

from wenzheng.handling.deadlines import recompute_open_deadlines, rejudge_fallback_stages


class Command(BaseCommand):
    help = (
        "Count the deadlines of open stages again after the calendar was edited, and judge again the "
        "completed stages whose deadline was counted by weekdays only."
    )

    def handle(self, **options):
        moved = recompute_open_deadlines(by=None)
        rejudged = rejudge_fallback_stages(by=None)
        self.stdout.write(f"{moved} open deadline(s) moved; {rejudged} completed stage(s) judged again.")
