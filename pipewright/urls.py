"""Root URL map: browser routes, the REST API, health, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from runs import endpoints

from . import frontend, health

admin.site.site_header = "Pipewright administration"
admin.site.site_title = "Pipewright"

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("editor.api.urls")),
    path("", include("runs.api.urls")),
    path("", include("credentials.api.urls")),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from this URL (`?script`) rather
    # than inline, so the page runs under a CSP without 'unsafe-inline' scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/pipelines/", permanent=False)),
    path("healthz", health.healthz, name="healthz"),
    # Endpoint deployments: token-authenticated, no session, no CSRF (docs/deployments.md).
    path("endpoints/<str:name>", endpoints.call_endpoint, name="endpoint"),
    path("endpoints/<str:name>/runs/<int:run_id>", endpoints.endpoint_run, name="endpoint-run"),
    path(
        "endpoints/<str:name>/artifacts/<int:artifact_id>",
        endpoints.endpoint_artifact,
        name="endpoint-artifact",
    ),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include(api_patterns)),
    re_path(r"^pipelines/(?:(?P<pipeline_id>\d+)/(?:edit/|deploy/)?)?$", frontend.spa, name="pipelines"),
    re_path(r"^runs/(?:(?P<run_id>\d+)/)?$", frontend.spa, name="runs"),
    path("runs/compare/", frontend.spa, name="runs-compare"),
    re_path(r"^experiments/(?:(?P<experiment_id>\d+)/)?$", frontend.spa, name="experiments"),
    re_path(r"^operations/(?:new/|(?P<operation_id>\d+)/edit/)$", frontend.spa, name="operations"),
    re_path(r"^recurring/(?:(?P<recurring_id>\d+)/)?$", frontend.spa, name="recurring"),
    re_path(r"^deployments/(?:(?P<deployment_id>\d+)/)?$", frontend.spa, name="deployments"),
    path("environment/", frontend.spa, name="environment"),
    path("repositories/", frontend.spa, name="repositories"),
    path("artifacts/", frontend.spa, name="artifacts"),
    path("executions/", frontend.spa, name="executions"),
]
