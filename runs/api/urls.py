from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import deployments, schedules, views
from .deploy_setup import DeploySetupView

router = DefaultRouter()
router.register("runs", views.RunViewSet, basename="run")
router.register("node-runs", views.NodeRunViewSet, basename="node-run")
router.register("experiments", views.ExperimentViewSet, basename="experiment")
router.register("recurring-runs", schedules.RecurringRunViewSet, basename="recurring-run")
router.register("deployments", deployments.DeploymentViewSet, basename="deployment")
router.register(
    "environment-variables", deployments.EnvironmentVariableViewSet, basename="environment-variable"
)

urlpatterns = [
    path("pipelines/<int:pk>/run-setup/", views.RunSetupView.as_view(), name="run-setup"),
    path("pipelines/<int:pk>/export/", views.PipelineExportView.as_view(), name="pipeline-export"),
    path("pipelines/<int:pk>/deploy-setup/", DeploySetupView.as_view(), name="deploy-setup"),
    path("", include(router.urls)),
]
