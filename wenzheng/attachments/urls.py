from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("<int:pk>/", views.serve, name="file"),
    path("<int:pk>/thumbnail/", views.serve, {"thumbnail": True}, name="thumbnail"),
]
