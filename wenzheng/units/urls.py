from django.urls import path

from . import views

urlpatterns = [path("units/search/", views.search, name="unit-search")]
