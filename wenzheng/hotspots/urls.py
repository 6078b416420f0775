from django.urls import path

from . import views

app_name = "hotspots"

urlpatterns = [
    path("county/<slug:code>/hotspots/", views.county, name="county"),
    path("city/<slug:code>/hotspots/", views.city, name="city"),
    path("hotspots/<int:pk>/", views.group, name="group"),
]
