"""Upload handling: spooled to a temporary file, refused past the size limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from rest_framework import status
from rest_framework.exceptions import APIException


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__({"file": [f"The upload is larger than the limit of {limit} bytes."]})


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each uploaded file to disk and stops once it passes the limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit: int = settings.PIPEWRIGHT_MAX_UPLOAD_BYTES
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, *args: Any, **kwargs: Any
    ) -> None:
        # Refuse before reading a byte when the client announces too much.
        if content_length and content_length > self.limit + 64 * 1024:
            raise UploadTooLarge(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return super().receive_data_chunk(raw_data, start)
