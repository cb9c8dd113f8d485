"""REST API routes of the followups app (mounted at /api/v1/)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from followups.cases.api import CaseViewSet
from followups.incentives.api import GrantCheckView, GrantRedeemView
from followups.incentives.referrals_api import ReferralUseView
from followups.invitations.api import (
    InvitationBulkView,
    InvitationDetailView,
    InvitationListView,
)
from followups.outbox.api import MailEventsView
from followups.replies.api import InboundReplyView
from followups.reporting.api import DepartmentsView, KpiView
from followups.reporting.themes_api import ThemesView
from surveys.api import NotFoundView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("reports/kpis/", KpiView.as_view(), name="report-kpis"),
    path("reports/themes/", ThemesView.as_view(), name="report-themes"),
    path("reports/departments/", DepartmentsView.as_view(), name="report-departments"),
    path("referrals/use/", ReferralUseView.as_view(), name="referral-use"),
    path("mail/events/", MailEventsView.as_view(), name="mail-events"),
    path("mail/inbound/", InboundReplyView.as_view(), name="mail-inbound"),
    path("invitations/", InvitationListView.as_view(), name="invitation-list"),
    path("invitations/bulk/", InvitationBulkView.as_view(), name="invitation-bulk"),
    path("invitations/<int:pk>/", InvitationDetailView.as_view(), name="invitation-detail"),
    # Anything else under invitations/: a 404 in the API's shape.
    re_path(r"^invitations/(?:.*/)?$", NotFoundView.as_view()),
    path("grants/redeem/", GrantRedeemView.as_view(), name="grant-redeem"),
    path("grants/<str:code>/", GrantCheckView.as_view(), name="grant-check"),
    *router.urls,
]
