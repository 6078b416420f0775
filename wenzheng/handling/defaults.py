"""The default categories, shared by the data migration that seeds them and by the
tests that must restore them after a TransactionTestCase empties the database."""

# The seed's three categories with DOMAIN.md's default limits: respond within 1
# working day; reply within 5 (河池, Xinhua 2011); extensions at most 15 in total.
CATEGORIES = [
    {"code": "consultation", "name": "咨询", "closure_rule": "reply", "order": 1},
    {"code": "suggestion", "name": "建议", "closure_rule": "reply", "order": 2},
    {"code": "appeal", "name": "诉求", "closure_rule": "resolve", "order": 3},
]
LIMITS = {"response_days": 1, "reply_days": 5, "max_extension_days": 15, "counted_in_bulletin": True}


def seed(category_model) -> None:
    for item in CATEGORIES:
        category_model.objects.get_or_create(
            code=item["code"],
            defaults={**LIMITS, "name": item["name"], "closure_rule": item["closure_rule"], "order": item["order"]},
        )
