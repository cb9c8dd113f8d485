"""The Delighted-compatible API's v1 routes. Delighted's official clients ask
for ``people``, its REST docs for ``people.json``: both are served."""

from django.urls import path

from . import views


def both(route: str, view, name: str):
    """``route`` and ``route.json``, one view; ``.json`` first, or a
    ``<str:pk>`` would take ``1.json`` for the id."""
    return [path(f"{route}.json", view, name=f"{name}-json"), path(route, view, name=name)]


urlpatterns = [
    *both("people", views.PeopleView.as_view(), "people"),
    *both(
        "people/<path:email>/survey_requests/pending",
        views.PendingSurveyRequestsView.as_view(),
        "pending-survey-requests",
    ),
    path("people/<path:identifier>", views.PersonView.as_view(), name="person"),
    *both("survey_responses", views.SurveyResponsesView.as_view(), "survey-responses"),
    *both("survey_responses/<str:pk>", views.SurveyResponseView.as_view(), "survey-response"),
    *both("metrics", views.MetricsView.as_view(), "metrics"),
    *both("unsubscribes", views.UnsubscribesView.as_view(), "unsubscribes"),
    *both("bounces", views.BouncesView.as_view(), "bounces"),
]
