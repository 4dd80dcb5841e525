"""Backends and linked accounts API: thin views over credentials.accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.accounts import AccountInvalid, check_backend, create_account, record_check, update_account
from credentials.backends import KINDS, Kind, UnknownBackend, backend, backends
from credentials.models import LinkedAccount

from .serializers import (
    BackendCheckSerializer,
    BackendSerializer,
    CheckResultSerializer,
    LinkedAccountSerializer,
    LinkedAccountUpdateSerializer,
)


def _kind(value: str) -> Kind:
    if value not in KINDS:
        raise NotFound(f"no backend kind {value!r}; kinds: {', '.join(KINDS)}")
    return value  # type: ignore[return-value]


class BackendListView(APIView):
    @extend_schema(responses=BackendSerializer(many=True))
    def get(self, request: Request, kind: str) -> Response:
        """The backends of one kind (`compute` or `storage`) with the JSON Schema of their options."""
        return Response([info.as_dict() for info in backends(_kind(kind))])


class BackendCheckView(APIView):
    @extend_schema(request=BackendCheckSerializer, responses=CheckResultSerializer)
    def post(self, request: Request, kind: str, name: str) -> Response:
        """Test a connection with these options (and the secrets of a linked account of yours)."""
        try:
            backend(_kind(kind), name)
        except UnknownBackend as exc:
            raise NotFound(str(exc)) from exc
        body = BackendCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = dict(body.validated_data["options"])
        account = None
        if body.validated_data["account"] is not None:
            account = LinkedAccount.objects.filter(
                pk=body.validated_data["account"], owner=request.user
            ).first()
            if account is None:
                raise serializers.ValidationError({"account": ["not one of your linked accounts"]})
            options = {
                **account.resolved_options(),
                **{k: v for k, v in options.items() if v not in ("", None)},
            }
        result = check_backend(_kind(kind), name, options)
        if account is not None:
            record_check(account, result)
        return Response({"ok": result.ok, "message": result.message})


class LinkedAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[LinkedAccount],
):
    """Your saved credentials per backend. Secret options are write-only."""

    serializer_class = LinkedAccountSerializer
    queryset = LinkedAccount.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self) -> QuerySet[LinkedAccount]:
        queryset = LinkedAccount.objects.filter(owner=self.request.user)
        for key in ("kind", "backend"):
            if value := self.request.query_params.get(key):
                queryset = queryset.filter(**{key: value})
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = LinkedAccountSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            account = create_account(
                request.user, data["kind"], data["backend"], data["label"], data["options"]
            )
        except UnknownBackend as exc:
            raise serializers.ValidationError({"backend": [str(exc)]}) from exc
        except AccountInvalid as exc:
            raise serializers.ValidationError({k: [v] for k, v in exc.errors.items()}) from exc
        return Response(LinkedAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LinkedAccountUpdateSerializer, responses=LinkedAccountSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        body = LinkedAccountUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            update_account(account, body.validated_data.get("label"), body.validated_data.get("options"))
        except AccountInvalid as exc:
            raise serializers.ValidationError({k: [v] for k, v in exc.errors.items()}) from exc
        return Response(LinkedAccountSerializer(account).data)

    @extend_schema(request=None, responses=CheckResultSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str | None = None) -> Response:
        """Test the account's saved credentials against its backend."""
        account = self.get_object()
        result = check_backend(account.kind, account.backend, account.resolved_options())  # type: ignore[arg-type]
        record_check(account, result)
        return Response({"ok": result.ok, "message": result.message})
