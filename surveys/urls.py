"""Customer-facing pages: the survey page and unsubscribing, by token."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("s/<str:token>/score/", views.record, name="record"),
    path("s/<str:token>/more/", views.follow_up, name="follow_up"),
    path("s/<str:token>/thanks/", views.thanks, name="thanks"),
    path("u/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("brand/logo/<str:digest>/", views.brand_logo, name="brand_logo"),
    path("brand/<str:version>.css", views.brand_style, name="brand_style"),
]
