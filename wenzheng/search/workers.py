"""What a rebuild's worker processes run (wenzheng.search.index.rebuild with
workers > 1). Imports nothing of Django's models at the top: a spawned process
unpickles these functions before django.setup() has run."""


def start():
    import django

    django.setup()


def documents_of(batch):
    """The documents of one batch, read through this process's own connection (the
    messages, which a rebuild does not change, as committed)."""
    from .documents import documents

    return documents(batch)


def refresh(batch):
    """One batch of a rebuild, in this process's own transaction (index.refresh)."""
    from .index import refresh

    return refresh(batch)
