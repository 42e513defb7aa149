from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from kefu.callbacks.api.views import CallbackViewSet
from kefu.channels.api.views import CallViewSet, ChannelAccountViewSet, ConversationViewSet
from kefu.customers.api.views import CustomerViewSet, OccupancyViewSet
from kefu.frontdesk.api.views import (
    ArrearsView,
    BillViewSet,
    FeeItemViewSet,
    KeyLoanViewSet,
    ParcelViewSet,
    PaymentViewSet,
    ReleasePassViewSet,
    RenovationViewSet,
    VisitorPassViewSet,
)
from kefu.improvement.api.views import CorrectiveActionViewSet
from kefu.knowledge.api.views import ArticleViewSet, CannedReplyViewSet, SearchView
from kefu.kpi.api.views import ScorecardTemplateViewSet, ScorecardViewSet
from kefu.notices.api.views import NoticeViewSet
from kefu.notifications.api.views import NotificationPreferenceMeView, WorkOrderMessagesView
from kefu.org.api.views import StaffViewSet, TeamViewSet
from kefu.patrols.api.views import PatrolFindingViewSet, PatrolRoundViewSet, PatrolRouteViewSet
from kefu.privacy.api.views import RevealView
from kefu.quality.api.views import QACheckViewSet
from kefu.repairs.api.views import EquipmentViewSet, MaterialViewSet, RepairRecordViewSet
from kefu.routing.api.views import MemberAbsenceViewSet, RoutingRuleViewSet
from kefu.sla.api.views import CalendarViewSet
from kefu.surveys.api.views import CampaignViewSet as SurveyCampaignViewSet
from kefu.vendors.api.views import (
    NonconformityViewSet,
    VendorAttendanceViewSet,
    VendorScorecardViewSet,
    VendorStaffViewSet,
    VendorViewSet,
)
from kefu.workorders.api.views import CategoryViewSet, WorkOrderViewSet
from kefu.workspace.api.views import UnitViewSet


class IntegerIdRouter(DefaultRouter):
    """Every object id in a path is a whole number: anything else (`/work-orders/abc/`,
    `/surveys/campaigns/null,null/`) does not match — a JSON 404 — instead of reaching a view
    that turns it into an int (a 500 before issue #15)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = IntegerIdRouter()
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("notices", NoticeViewSet, basename="notice")
router.register("customers", CustomerViewSet, basename="customer")
router.register("occupancies", OccupancyViewSet, basename="occupancy")
router.register("units", UnitViewSet, basename="unit")
router.register("categories", CategoryViewSet, basename="category")
router.register("teams", TeamViewSet, basename="team")
router.register("staff", StaffViewSet, basename="staff")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
router.register("calls", CallViewSet, basename="call")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("surveys/campaigns", SurveyCampaignViewSet, basename="survey-campaign")
router.register("qa-checks", QACheckViewSet, basename="qa-check")
router.register("kpi/scorecards", ScorecardViewSet, basename="kpi-scorecard")
router.register("kpi/templates", ScorecardTemplateViewSet, basename="kpi-template")
router.register("knowledge/articles", ArticleViewSet, basename="knowledge-article")
router.register("knowledge/replies", CannedReplyViewSet, basename="knowledge-reply")
router.register("release-passes", ReleasePassViewSet, basename="release-pass")
router.register("visitor-passes", VisitorPassViewSet, basename="visitor-pass")
router.register("key-loans", KeyLoanViewSet, basename="key-loan")
router.register("parcels", ParcelViewSet, basename="parcel")
router.register("renovations", RenovationViewSet, basename="renovation")
router.register("fees/items", FeeItemViewSet, basename="fee-item")
router.register("fees/bills", BillViewSet, basename="fee-bill")
router.register("fees/payments", PaymentViewSet, basename="fee-payment")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")
router.register("routing-absences", MemberAbsenceViewSet, basename="routing-absence")
router.register("patrol-routes", PatrolRouteViewSet, basename="patrol-route")
router.register("patrol-rounds", PatrolRoundViewSet, basename="patrol-round")
router.register("patrol-findings", PatrolFindingViewSet, basename="patrol-finding")
router.register("vendors", VendorViewSet, basename="vendor")
router.register("vendor-nonconformities", NonconformityViewSet, basename="vendor-nonconformity")
router.register("vendor-scorecards", VendorScorecardViewSet, basename="vendor-scorecard")
router.register("vendor-staff", VendorStaffViewSet, basename="vendor-staff")
router.register("vendor-attendance", VendorAttendanceViewSet, basename="vendor-attendance")
router.register("repair-records", RepairRecordViewSet, basename="repair-record")
router.register("repair-materials", MaterialViewSet, basename="repair-material")
router.register("equipment", EquipmentViewSet, basename="equipment")

urlpatterns = [
    path("v1/auth/", include("kefu.tokens.urls")),
    path("v1/portal/", include("kefu.portal.api_urls")),
    path("v1/notification-preferences/me/", NotificationPreferenceMeView.as_view(),
         name="notification-preferences-me"),
    path("v1/work-orders/<int:pk>/messages/", WorkOrderMessagesView.as_view(), name="work-order-messages"),
    path("v1/privacy/reveal/", RevealView.as_view(), name="privacy-reveal"),
    path("v1/reports/", include("kefu.reports.api.urls")),
    path("v1/standards/", include("kefu.standards.api.urls")),
    path("v1/search/", SearchView.as_view(), name="search"),
    path("v1/fees/arrears/", ArrearsView.as_view(), name="fee-arrears"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
