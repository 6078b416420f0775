"""Bulk import and export, mounted at /bulk/."""

from django.urls import path

from . import views

app_name = "bulk"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.job, name="job"),
    path("imports/<int:pk>/problems.csv", views.job_problems, name="job-problems"),
    path("export/messages.<str:extension>", views.export_messages, name="export-messages"),
    path("export/events.<str:extension>", views.export_events, name="export-events"),
]
