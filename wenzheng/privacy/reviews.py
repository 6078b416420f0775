"""Putting what a citizen writes in the county office's review queue (先审后发)."""

from .models import CountyPrivacy, Review


def queue_for_review(message, *, at, follow_up=None):
    """Called by `submit` and `follow_up`, in their transaction: where the county
    reviews before publishing, a text the citizen agreed to publish waits for the
    office. Deadlines are not touched: they run from arrival whatever the review."""
    if not message.consent_to_publish or not CountyPrivacy.reviews(message.region):
        return None
    return Review.objects.create(message=message, follow_up=follow_up, queued_at=at)
