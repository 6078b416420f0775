import time

from django.core.management.base import BaseCommand, CommandError

from wenzheng.eventlog import chain, replay
from wenzheng.eventlog.models import ChainHead
from wenzheng.security import audit

SHOWN = 200  # differences printed before "and N more"


class Command(BaseCommand):
    help = (
        "Check every county's event chain (keyed hashes, no gaps, the head), printed anchors "
        "(--anchor CHAIN:SEQ:HASH), and with --replay rebuild what the scores read from the events "
        "alone and name every row that differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="CHAIN:SEQ:HASH",
            help="a chain head printed on a bulletin or an evaluation run (SEQ:HASH also works); repeatable",
        )
        parser.add_argument(
            "--replay",
            action="store_true",
            help="rebuild message states, stages, closures, rosters and supervision records from the events "
            "and compare them with the tables",
        )

    def handle(self, *, anchor, replay: bool, **options):
        problems = []
        started = time.monotonic()
        total = 0
        for head in ChainHead.objects.select_related("region").order_by("pk"):
            checked, broken = chain.verify_chain(head)
            total += checked
            if broken is None:
                self.stdout.write(f"  {head.region.code}: {checked} events, head #{head.last_seq} {head.last_hash}")
            elif broken.wrong_key:
                raise CommandError(
                    f"Cannot verify: {broken}. Set EVENT_CHAIN_KEY_FILE to the key the log was written with "
                    "(it is not the database that is wrong, it is this server's key)."
                )
            else:
                problems.append(f"Event chain BROKEN at {broken} ({checked} events before it verified).")
        self.stdout.write(f"Chains checked: {total} events in {time.monotonic() - started:.1f}s.")
        # The security audit log (wenzheng.security) is a chain of its own, kept alike.
        audited = audit.verify()
        if audited.problem:
            problems.append(
                f"Security audit log BROKEN: {audited.problem} ({audited.checked} records before it verified)."
            )
        else:
            self.stdout.write(f"  security audit log: {audited.checked} records")
        # A published bulletin is what its publication's event says it was.
        from wenzheng.evaluation.publication import altered_bulletins

        bulletins, altered = altered_bulletins()
        problems += altered
        if bulletins and not altered:
            self.stdout.write(f"  published bulletins: {bulletins}, each as published")
        for text in anchor:
            problem = chain.check_anchor(text)
            if problem:
                problems.append(f"Anchor {text}: {problem}.")
            else:
                self.stdout.write(f"Anchor {text}: present, as printed.")
        if replay:
            problems += self._replay()
        if problems:
            raise CommandError("\n".join(problems) + "\nThe log or the tables were altered outside the application.")
        if total:
            self.stdout.write(self.style.SUCCESS(f"Event chain intact: {total} events verified."))
        else:
            self.stdout.write(self.style.SUCCESS("Event chain intact: 0 events verified (nothing recorded yet)."))

    def _replay(self) -> list[str]:
        started = time.monotonic()
        report = replay.replay()
        seconds = time.monotonic() - started
        said = (
            f"Replay: {report.messages} messages (with their stages and replies) and {report.records} records "
            f"checked against {report.events} events of {report.chains} chain(s) in {seconds:.1f}s"
        )
        if report.legacy_events:
            said += (
                f"; {report.legacy_events} events written before format 2 (before the log carried row ids) were "
                f"left out, and the {report.legacy_messages} messages and the records they made with them"
            )
        if report.skipped:
            said += f"; {report.skipped} rows changed while the check ran and were left out"
        self.stdout.write(said + ".")
        if not report.differences:
            self.stdout.write("Replay: every row agrees with its events.")
            return []
        lines = [f"Replay: {len(report.differences)} row value(s) differ from what the events say:"]
        lines += [f"  {d}" for d in report.differences[:SHOWN]]
        if len(report.differences) > SHOWN:
            lines.append(f"  … and {len(report.differences) - SHOWN} more")
        return lines
