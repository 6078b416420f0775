from django.core.management.base import BaseCommand

from wenzheng.handling.deadlines import recompute_open_deadlines


class Command(BaseCommand):
    help = "Count the deadlines of open stages again after the calendar was edited."

    def handle(self, **options):
        moved = recompute_open_deadlines(by=None)
        self.stdout.write(f"{moved} open deadline(s) moved.")
