from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workorders:queue", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("", include("kefu.core.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("work-orders/", include("kefu.workorders.urls")),
    path("notifications/", include("kefu.notifications.urls")),
    path("callbacks/", include("kefu.callbacks.urls")),
    path("reports/", include("kefu.reports.urls")),
    path("corrective-actions/", include("kefu.improvement.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("privacy/", include("kefu.privacy.urls")),
    path("exchange/", include("kefu.exchange.urls")),
    path("quality/", include("kefu.quality.urls")),
    path("kpi/", include("kefu.kpi.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),
    path("patrols/", include("kefu.patrols.urls")),
    path("vendors/", include("kefu.vendors.urls")),
    path("search/", include("kefu.knowledge.search_urls")),
]

handler404 = "kefu.core.views.page_not_found"
handler403 = "kefu.core.views.permission_denied"
handler500 = "kefu.core.views.server_error"
