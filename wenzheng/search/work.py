"""The search documents of a county's messages refreshed after its published
contacts changed (wenzheng.search.contacts), run by the background worker."""

from wenzheng.ops.worker import Work, register

from . import contacts


@register
class ContactRefreshWork(Work):
    name = "search-contacts"

    def claim(self):
        return contacts.claim()

    def run(self, refresh) -> str:
        rewritten = contacts.run(refresh)
        return (
            f"search: region {refresh.region_id}'s documents after a published contact was "
            f"{refresh.change}: {rewritten} rewritten"
        )
