"""Routing suggestions for messages arriving in the dispatch queue, computed by the
background worker (a few milliseconds each, but loading the model takes a moment)."""

from wenzheng.ops.worker import Work, register

from . import routing


@register
class RoutingWork(Work):
    name = "routing"

    def claim(self):
        # No claim row is needed: a suggestion is made once per message (its unique
        # constraint), so two workers at the same batch do no harm.
        if routing.current() is None:
            return None
        batch = list(routing.waiting(limit=200))
        return batch or None

    def run(self, batch) -> str:
        made = routing.suggest(batch)
        return f"routing: {made} suggestion(s) for {len(batch)} waiting message(s)"
