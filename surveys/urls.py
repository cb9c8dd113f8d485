"""Customer-facing pages: the survey page and unsubscribing, by token."""

from django.urls import path

app_name = "surveys"

urlpatterns: list = []
