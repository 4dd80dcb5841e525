from django.apps import AppConfig


class ComputeBackendsConfig(AppConfig):
    name = "compute_backends"
    verbose_name = "Compute backends"
