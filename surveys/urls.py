"""Customer-facing pages: the survey page and unsubscribing, by token."""

from django.urls import path

from . import views, views_enps

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.answer, name="answer"),
    path("s/<str:token>/score/", views.record, name="record"),
    path("s/<str:token>/more/", views.follow_up, name="follow_up"),
    path("s/<str:token>/thanks/", views.thanks, name="thanks"),
    path("i/<str:code>/", views.short_link, name="short"),
    path("e/<str:token>/", views_enps.employee_answer, name="employee-answer"),
    path("u/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("brand/logo/<str:digest>/", views.brand_logo, name="brand_logo"),
    path("brand/<str:version>.css", views.brand_style, name="brand_style"),
]
