"""REST API routes of the surveys app (mounted at /api/v1/)."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("responses/", api.ResponseListView.as_view(), name="response-list"),
    path("responses/bulk/", api.ResponseBulkView.as_view(), name="response-bulk"),
    path("responses/export/", api.ResponseExportView.as_view(), name="response-export"),
    path("responses/<int:pk>/", api.ResponseDetailView.as_view(), name="response-detail"),
    path("customers/", api.CustomerListView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", api.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:pk>/erase/", api.CustomerEraseView.as_view(), name="customer-erase"),
    path(
        "customers/<int:pk>/unsubscribe/",
        api.CustomerUnsubscribeView.as_view(),
        name="customer-unsubscribe",
    ),
    path("surveys/", api.SurveyListView.as_view(), name="survey-list"),
    path("surveys/<slug:slug>/", api.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<slug:slug>/nps/", api.SurveyNpsView.as_view(), name="survey-nps"),
    path("surveys/<slug:slug>/drivers/", api.SurveyDriversView.as_view(), name="survey-drivers"),
    path("surveys/<slug:slug>/enps/", api.SurveyEnpsView.as_view(), name="survey-enps"),
    # Anything else under these resources (ending in a slash, so APPEND_SLASH
    # still redirects a known path sent without one): a 404 in the API's shape.
    re_path(r"^(?:responses|customers|surveys)/(?:.*/)?$", api.NotFoundView.as_view()),
]
