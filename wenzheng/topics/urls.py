from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("county/<slug:code>/routing/<int:pk>/accept/", views.accept, name="accept"),
    path("county/<slug:code>/routing/accept/", views.bulk_accept, name="bulk-accept"),
]
