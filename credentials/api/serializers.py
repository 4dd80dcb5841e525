from __future__ import annotations

from typing import Any

from rest_framework import serializers

from credentials.backends import KINDS
from credentials.models import LinkedAccount


class BackendSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KINDS)
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    options_schema = serializers.JSONField()
    secret_fields = serializers.ListField(child=serializers.CharField())


class BackendCheckSerializer(serializers.Serializer[Any]):
    options = serializers.DictField(required=False, default=dict)
    account = serializers.IntegerField(required=False, allow_null=True, default=None)


class CheckResultSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    message = serializers.CharField()


class LinkedAccountSerializer(serializers.ModelSerializer[LinkedAccount]):
    """Secrets are write-only: the response says which are set, never their values."""

    options = serializers.DictField(
        required=False, default=dict, help_text="backend options; secret ones are stored encrypted"
    )
    secret_fields_set = serializers.SerializerMethodField()

    class Meta:
        model = LinkedAccount
        fields = [
            "id",
            "kind",
            "backend",
            "label",
            "options",
            "secret_fields_set",
            "created_at",
            "updated_at",
            "last_checked_at",
            "last_check_ok",
        ]
        read_only_fields = ["created_at", "updated_at", "last_checked_at", "last_check_ok"]

    def get_secret_fields_set(self, account: LinkedAccount) -> list[str]:
        return account.secret_fields_set

    def to_representation(self, instance: LinkedAccount) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["options"] = dict(instance.options)  # public options only
        return data


class LinkedAccountUpdateSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(max_length=120, required=False)
    options = serializers.DictField(required=False)
