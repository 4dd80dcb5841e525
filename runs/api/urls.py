from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("runs", views.RunViewSet, basename="run")
router.register("experiments", views.ExperimentViewSet, basename="experiment")

urlpatterns = [path("", include(router.urls))]
