from django.core.management.base import BaseCommand, CommandError

from wenzheng.eventlog import chain


class Command(BaseCommand):
    help = "Check the event log's hash chain and name the first broken link, if any."

    def handle(self, **options):
        checked, broken = chain.verify()
        if broken is not None:
            raise CommandError(
                f"Event chain BROKEN at {broken} ({checked} events before it verified). "
                "The log has been altered outside the application."
            )
        self.stdout.write(self.style.SUCCESS(f"Event chain intact: {checked} events verified."))
