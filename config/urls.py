from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from kefu.core import urls as core_urls
from kefu.customers import urls as customers_urls
from kefu.org.views import set_language
from kefu.workspace import urls as workspace_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workorders:queue", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    # The "core" namespace: the ping, and the language switch whose view belongs to org (it keeps
    # the choice on the staff profile); core's own URLconf imports no app above it.
    path("", include(([path("language/", set_language, name="set_language"), *core_urls.urlpatterns], "core"))),
    # The "customers" namespace: customers' pages, and the 360 page and units list that the top
    # floor (kefu.workspace) assembles from several apps.
    path("customers/", include(([*workspace_urls.customer_patterns, *customers_urls.urlpatterns], "customers"))),
    path("work-orders/", include("kefu.workorders.urls")),
    path("workspace/", include((workspace_urls.workspace_patterns, "workspace"))),
    path("notifications/", include("kefu.notifications.urls")),
    path("callbacks/", include("kefu.callbacks.urls")),
    path("reports/", include("kefu.reports.urls")),
    path("corrective-actions/", include("kefu.improvement.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("privacy/", include("kefu.privacy.urls")),
    path("exchange/", include("kefu.exchange.urls")),
    path("quality/", include("kefu.quality.urls")),
    path("kpi/", include("kefu.kpi.urls")),
    path("standards/", include("kefu.standards.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),
    path("frontdesk/", include("kefu.frontdesk.urls")),
    path("patrols/", include("kefu.patrols.urls")),
    path("vendors/", include("kefu.vendors.urls")),
    path("repairs/", include("kefu.repairs.urls")),
    path("search/", include("kefu.knowledge.search_urls")),
    path("channels/", include("kefu.channels.urls")),
    # The customers' own door (H5 / WeChat in-app browser): its own look and its own cookie.
    path("m/", include("kefu.portal.urls")),
    path("notices/", include("kefu.notices.urls")),
]

handler400 = "kefu.core.views.bad_request"
handler404 = "kefu.core.views.page_not_found"
handler403 = "kefu.core.views.permission_denied"
handler500 = "kefu.core.views.server_error"
