from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:pk>/open/", views.notice_open, name="open"),
    path("notices/read/", views.mark_read, name="read"),
    path("notices/settings/", views.preferences, name="settings"),
    # Short, for an SMS: the tracking code is all it carries.
    path("t/<str:code>", views.landing, name="landing"),
    path("t/<str:code>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
