from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("accounts", views.LinkedAccountViewSet, basename="linkedaccount")

urlpatterns = [
    path("backends/<str:kind>/", views.BackendListView.as_view(), name="backends"),
    path("backends/<str:kind>/<str:name>/check/", views.BackendCheckView.as_view(), name="backend-check"),
    path("", include(router.urls)),
]
