from django.contrib import admin

from .models import LinkedAccount


@admin.register(LinkedAccount)
class LinkedAccountAdmin(admin.ModelAdmin[LinkedAccount]):
    # The ciphertext is left out on purpose: admins see that an account exists, not its secrets.
    list_display = ["label", "owner", "kind", "backend", "updated_at", "last_check_ok"]
    list_filter = ["kind", "backend"]
    fields = ["owner", "kind", "backend", "label", "options", "last_checked_at", "last_check_ok"]
    readonly_fields = ["last_checked_at", "last_check_ok"]
