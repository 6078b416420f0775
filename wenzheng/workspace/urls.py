"""The staff workspace, mounted at /work/."""

from django.urls import path

from .views import city, county, home, messages, unit

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
    # The unit (handlers and the leader).
    path("unit/", unit.inbox, name="inbox"),
    path("unit/orders/", unit.orders, name="unit-orders"),
    path("unit/roster/", unit.roster, name="roster"),
    # One message, for every staff role that may see it.
    path("messages/<int:pk>/", messages.message, name="message"),
    path("messages/<int:pk>/<slug:step>/", messages.message_step, name="message-step"),
    path("extensions/<int:pk>/decision/", messages.extension_decision, name="extension-decision"),
    path("orders/<int:pk>/explanation/", messages.order_explanation, name="order-explanation"),
    # The county office.
    path("county/<slug:code>/", county.dashboard, name="county"),
    path("county/<slug:code>/dispatch/", county.dispatch, name="dispatch"),
    path("county/<slug:code>/approvals/", county.approvals, name="approvals"),
    path("county/<slug:code>/supervision/", county.supervision, name="supervision"),
    path("county/<slug:code>/find/", county.find, name="find"),
    path("county/<slug:code>/units/", county.units, name="units"),
    path("county/<slug:code>/units/<int:unit>/explanation/", county.order_new, name="order-new"),
    path("county/<slug:code>/units/<int:unit>/roster/", county.unit_roster, name="unit-roster"),
    path("county/<slug:code>/orders/", county.orders, name="county-orders"),
    path("county/<slug:code>/records/", county.records, name="records"),
    path("county/<slug:code>/records/<slug:kind>/", county.records, name="record"),
    # The city office.
    path("city/<slug:code>/", city.overview, name="city"),
    path("city/<slug:code>/approvals/", city.approvals, name="city-approvals"),
]
