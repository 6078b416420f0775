"""The staff workspace, mounted at /work/."""

from django.urls import path

from .views import city, county, home, messages, oversight, printing, privacy, search, staff, unit

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
    # The unit (handlers and the leader).
    path("unit/", unit.inbox, name="inbox"),
    path("unit/orders/", unit.orders, name="unit-orders"),
    path("unit/roster/", unit.roster, name="roster"),
    # One message, for every staff role that may see it.
    path("messages/<int:pk>/", messages.message, name="message"),
    path("messages/<int:pk>/print/", printing.message_print, name="message-print"),
    # Its review before publishing (county office), before the steps' catch-all.
    path("messages/<int:pk>/review/", privacy.review, name="review"),
    path("messages/<int:pk>/review/<int:follow_up>/", privacy.review, name="review-follow-up"),
    path("messages/<int:pk>/merge-preview/", messages.merge_preview, name="merge-preview"),
    path("messages/<int:pk>/<slug:step>/", messages.message_step, name="message-step"),
    path("extensions/<int:pk>/decision/", messages.extension_decision, name="extension-decision"),
    path("attachments/<int:pk>/withhold/", messages.attachment_withhold, name="attachment-withhold"),
    path("attachments/<int:pk>/release/", messages.attachment_withhold, {"release": True}, name="attachment-release"),
    path("orders/<int:pk>/explanation/", messages.order_explanation, name="order-explanation"),
    path("orders/<int:pk>/return/", messages.order_return, name="order-return"),
    # The county office.
    path("county/<slug:code>/", county.dashboard, name="county"),
    path("county/<slug:code>/messages/", search.county_messages, name="county-messages"),
    path("county/<slug:code>/dispatch/", county.dispatch, name="dispatch"),
    path("county/<slug:code>/dispatch/bulk/", oversight.bulk_dispatch, name="bulk-dispatch"),
    path("county/<slug:code>/revisits/", oversight.revisits, name="revisits"),
    path("county/<slug:code>/proposals/", oversight.proposals, name="proposals"),
    path("county/<slug:code>/proposals/<int:pk>/", oversight.proposal_decision, name="proposal-decision"),
    path("county/<slug:code>/notices/", oversight.notices, name="notices"),
    path("county/<slug:code>/notices/<int:pk>/retry/", oversight.notice_retry, name="notice-retry"),
    path("county/<slug:code>/approvals/", county.approvals, name="approvals"),
    path("county/<slug:code>/supervision/", county.supervision, name="supervision"),
    path("county/<slug:code>/find/", county.find, name="find"),
    path("county/<slug:code>/units/", county.units, name="units"),
    path("county/<slug:code>/staff/", staff.staff, name="staff"),
    path("county/<slug:code>/staff/<int:pk>/", staff.staff_change, name="staff-change"),
    path("county/<slug:code>/staff/<int:pk>/password/", staff.staff_password, name="staff-password"),
    path("county/<slug:code>/units/<int:unit>/explanation/", county.order_new, name="order-new"),
    path("county/<slug:code>/units/<int:unit>/roster/", county.unit_roster, name="unit-roster"),
    path("county/<slug:code>/orders/", county.orders, name="county-orders"),
    path("county/<slug:code>/records/", county.records, name="records"),
    path("county/<slug:code>/records/<slug:kind>/", county.records, name="record"),
    path("exposures/<int:pk>/withdraw/", county.exposure_withdraw, name="exposure-withdraw"),
    # The county office: personal data (review before publishing, access records, erasure).
    path("county/<slug:code>/reviews/", privacy.reviews, name="reviews"),
    path("county/<slug:code>/privacy/", privacy.privacy_settings, name="privacy"),
    path("county/<slug:code>/privacy/words/<int:pk>/delete/", privacy.remove_word, name="remove-word"),
    path("county/<slug:code>/privacy/contacts/<int:pk>/delete/", privacy.remove_contact, name="remove-contact"),
    path("county/<slug:code>/privacy/contacts/<int:pk>/help/", privacy.contact_for_help, name="contact-help"),
    path("county/<slug:code>/privacy/access/", privacy.access_records, name="access-records"),
    path("county/<slug:code>/privacy/erase/", privacy.erase, name="erase"),
    # The city office.
    path("city/<slug:code>/", city.overview, name="city"),
    path("city/<slug:code>/approvals/", city.approvals, name="city-approvals"),
    path("city/<slug:code>/messages/", search.city_messages, name="city-messages"),
]
