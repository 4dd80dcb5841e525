from django.apps import AppConfig


class StorageBackendsConfig(AppConfig):
    name = "storage_backends"
    verbose_name = "Storage backends"
