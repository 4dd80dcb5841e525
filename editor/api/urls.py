from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views
from .repositories import GitRepositoryViewSet

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("operations", views.OperationViewSet, basename="operation")
router.register("pipelines", views.PipelineViewSet, basename="pipeline")
router.register("pipeline-versions", views.PipelineVersionViewSet, basename="pipelineversion")
router.register("artifacts", views.ArtifactViewSet, basename="artifact")
router.register("repositories", GitRepositoryViewSet, basename="gitrepository")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
