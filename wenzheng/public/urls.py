from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("messages/", views.board, name="board"),
    path("messages/<slug:region>/<str:serial>/", views.message, name="message"),
    path("post/", views.post, name="post"),
    path("post/done/", views.posted, name="posted"),
    path("track/", views.track, name="track"),
    path("track/forgot/", views.forgot_passcode, name="forgot-passcode"),
    path("track/<str:code>/", views.tracked, name="tracked"),
    path("exposures/", views.exposures, name="exposures"),
    path("statistics/", views.statistics, name="statistics"),
    path("me/", views.mine, name="mine"),
]
