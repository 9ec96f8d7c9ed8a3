from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, second_factor, views

urlpatterns = [
    path("", include("home.urls")),  # the dashboard (the top floor: pages composing several apps)
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("login/", second_factor.SignInView.as_view(), name="login"),
    path("2fa/setup/", second_factor.setup, name="two_factor_setup"),
    path("2fa/verify/", second_factor.verify, name="two_factor_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
    path("children/", include("children.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("imports/", include("imports.urls")),
    path("visits/", include("visits.urls")),
    path("campaigns/", include("visits.campaigns.urls")),
    path("adoption/", include("adoption.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),  # the read-only API (the top floor, with home)
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/requests/", views.role_requests, name="role_requests"),
    path("users/requests/<int:pk>/decide/", views.role_request_decide, name="role_request_decide"),
    path("users/<int:pk>/reset-2fa/", views.user_reset_second_factor, name="user_reset_second_factor"),
    path("audit/", views.audit_list, name="audit_list"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "dingzhou_welfare.errors.bad_request"
