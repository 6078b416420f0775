from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "wenzheng.search"
    verbose_name = "全文检索"

    def ready(self):
        from .engines import generic_plans

        post_migrate.connect(index_unindexed_messages, sender=self)
        connection_created.connect(generic_plans)


def index_unindexed_messages(using, plan=None, **kwargs):
    """A deployment that held messages before it had the search index gets them
    indexed once migrated, by this version's code and with every column its
    migrations made (what `manage.py rebuild_search_index --from-scratch` does).
    Not after migrating backwards: the tables are not this version's then."""
    from wenzheng.handling.models import Message

    if any(backwards for _, backwards in plan or ()):
        return

    from .index import rebuild
    from .models import SearchDocument

    if Message.objects.using(using).exists() and not SearchDocument.objects.using(using).exists():
        rebuild(from_scratch=True)

    from .derivation import mark_current_if_empty

    mark_current_if_empty(using)
