"""S3 storage: a bucket on MinIO, AWS S3 or any S3-compatible endpoint.

Every key lives under the configured prefix: `check_key` refuses keys that are
absolute, empty or climb with `..`, so an object name is always
`<prefix>/<key>` and no key can address an object outside the prefix.
Uploads are streamed in parts of `PART_SIZE` (multipart above one part), so
at most a few parts are in memory at once, whatever the size of the artifact.
Credentials are kept by the SDK's credentials provider only: they never
appear in a message, a repr or a log line of this module.
"""

from __future__ import annotations

import io
import os
import socket
import ssl
from datetime import timedelta
from typing import IO, Any, BinaryIO, cast
from urllib.parse import urlsplit
from xml.etree import ElementTree

import certifi
import urllib3
from minio import Minio
from minio.credentials import StaticProvider
from minio.error import InvalidResponseError, S3Error, ServerError
from minio.helpers import check_bucket_name
from urllib3.exceptions import MaxRetryError
from urllib3.response import BaseHTTPResponse

from .base import BackendCheckFailed, HashingReader, StorageBackend, StoredObject, check_key

PART_SIZE = 10 * 1024 * 1024
PARALLEL_UPLOADS = 3
# Operations: a connect timeout that fails fast, a read timeout long enough for a
# slow part, retries on 5xx and dropped connections.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0
# `check()` answers within a few seconds and does not retry.
CHECK_CONNECT_TIMEOUT = 3.0
CHECK_READ_TIMEOUT = 5.0

# Codes an S3 server answers when it does not accept the keys themselves.
CREDENTIAL_ERRORS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "InvalidSecurity",
    "MissingSecurityHeader",
}
MISSING_OBJECT = {"NoSuchKey", "NoSuchObject"}


def parse_endpoint(endpoint: str, secure: bool = True) -> tuple[str, bool]:
    """("host:port", secure) from "host:port" or an http(s):// URL; the
    URL's scheme decides `secure`."""
    endpoint = endpoint.strip()
    if "://" not in endpoint:
        endpoint = f"{'https' if secure else 'http'}://{endpoint}"
    parts = urlsplit(endpoint)
    if "@" in parts.netloc:
        # Said before any message that would echo the endpoint back.
        raise ValueError("S3 endpoint: put the credentials in access key and secret key, not in the URL")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"S3 endpoint {endpoint!r}: the scheme must be http or https")
    if not parts.hostname:
        raise ValueError(f"S3 endpoint {endpoint!r} names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"S3 endpoint {endpoint!r}: give only scheme, host and port, without a path")
    return parts.netloc, parts.scheme == "https"


def _http_client(connect: float, read: float, retries: int) -> urllib3.PoolManager:
    """A pool like the SDK's own, with our timeouts and retries."""
    retry = urllib3.Retry(
        total=retries,
        connect=retries,
        read=retries,
        backoff_factor=0.2,
        status_forcelist=[500, 502, 503, 504] if retries else [],
        raise_on_status=False,
        redirect=False,
    )
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect, read=read),
        maxsize=PARALLEL_UPLOADS + 2,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=retry,
    )


class _ObjectStream(io.RawIOBase):
    """The body of a GET, read as it arrives; closing it releases the connection."""

    def __init__(self, response: BaseHTTPResponse) -> None:
        self._response: BaseHTTPResponse | None = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._response is None:
            raise ValueError("I/O operation on a closed object stream")
        view = memoryview(buffer).cast("B")
        data = self._response.read(len(view), decode_content=False)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._response is not None:
            response, self._response = self._response, None
            response.close()
            response.release_conn()
        super().close()


class S3Storage(StorageBackend):
    name = "s3"
    label = "S3 / MinIO"
    options_schema = {
        "type": "object",
        "required": ["endpoint", "bucket"],
        "additionalProperties": False,
        "properties": {
            "endpoint": {
                "type": "string",
                "title": "Endpoint",
                "description": "URL of the S3 service, e.g. https://s3.eu-west-1.amazonaws.com or "
                "http://minio.internal:9000; the scheme decides between TLS and plain HTTP.",
                "minLength": 1,
            },
            "bucket": {
                "type": "string",
                "title": "Bucket",
                "description": "Name of an existing bucket that receives the artifacts.",
                "minLength": 3,
                "maxLength": 63,
            },
            "prefix": {
                "type": "string",
                "title": "Prefix",
                "description": "Folder inside the bucket under which every artifact is stored, "
                "e.g. pipewright/artifacts; empty for the bucket's top level.",
                "default": "",
            },
            "region": {
                "type": "string",
                "title": "Region",
                "description": "Region of the bucket, e.g. eu-west-1; leave empty to ask the server "
                "(MinIO usually needs none).",
                "default": "",
            },
            "access_key": {
                "type": "string",
                "title": "Access key",
                "description": "Access key ID; empty for anonymous access.",
                "writeOnly": True,
                "default": "",
            },
            "secret_key": {
                "type": "string",
                "title": "Secret key",
                "description": "Secret access key that belongs to the access key.",
                "writeOnly": True,
                "default": "",
            },
        },
    }

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        prefix: str = "",
        access_key: str = "",
        secret_key: str = "",
        region: str = "",
        secure: bool = True,
    ) -> None:
        self.endpoint, self.secure = parse_endpoint(endpoint, secure)
        try:
            check_bucket_name(bucket)
        except ValueError:
            raise ValueError(f"{bucket!r} is not a valid S3 bucket name") from None
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_key(self.prefix)
        self.region = region.strip()
        # The provider is the only holder of the keys; nothing here prints it.
        self._credentials = StaticProvider(access_key, secret_key) if access_key else None
        self._client = self._make_client(_http_client(CONNECT_TIMEOUT, READ_TIMEOUT, retries=3))

    @property
    def url(self) -> str:
        """Where the backend points, without credentials: http(s)://host:port."""
        return f"{'https' if self.secure else 'http'}://{self.endpoint}"

    def __repr__(self) -> str:
        return (
            f"S3Storage(endpoint={self.url!r}, bucket={self.bucket!r}, prefix={self.prefix!r}, "
            f"region={self.region!r})"
        )

    def _make_client(self, http: urllib3.PoolManager) -> Minio:
        return Minio(
            self.endpoint,
            secure=self.secure,
            region=self.region or None,
            credentials=self._credentials,
            http_client=http,
        )

    # keys

    def object_name(self, key: str) -> str:
        """The object name of `key` in the bucket, always under the prefix."""
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _relative(self, object_name: str) -> str:
        return object_name[len(self.prefix) + 1 :] if self.prefix else object_name

    # the contract

    def save(self, key: str, source: IO[bytes]) -> StoredObject:
        name = self.object_name(key)
        reader = HashingReader(source)
        # length=-1: size unknown, read part by part; a single PUT below one part.
        self._client.put_object(
            self.bucket,
            name,
            cast(BinaryIO, reader),
            length=-1,
            part_size=PART_SIZE,
            num_parallel_uploads=PARALLEL_UPLOADS,
        )
        return StoredObject(key=key, size=reader.size, checksum=reader.sha256.hexdigest())

    def open(self, key: str) -> IO[bytes]:
        name = self.object_name(key)
        try:
            response = self._client.get_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in MISSING_OBJECT:
                raise FileNotFoundError(f"no object {key!r} in {self.describe()}") from None
            raise
        return io.BufferedReader(_ObjectStream(response), buffer_size=1024 * 1024)

    def delete(self, key: str) -> None:
        name = self.object_name(key)
        try:
            self._client.remove_object(self.bucket, name)
        except S3Error as exc:
            if exc.code not in MISSING_OBJECT:
                raise

    def exists(self, key: str) -> bool:
        name = self.object_name(key)
        try:
            self._client.stat_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in MISSING_OBJECT:
                return False
            raise
        return True

    # beyond the contract

    def list_keys(self, prefix: str = "") -> list[str]:
        """Keys under the configured prefix (and under `prefix`, relative to it), sorted."""
        if prefix:
            check_key(prefix.rstrip("/"))
        base = f"{self.prefix}/" if self.prefix else ""
        objects = self._client.list_objects(self.bucket, prefix=base + prefix, recursive=True)
        return sorted(self._relative(str(obj.object_name)) for obj in objects if not obj.is_dir)

    def presigned_get_url(self, key: str, expires_seconds: int = 3600) -> str:
        """A URL that lets anyone holding it GET the object for `expires_seconds`."""
        name = self.object_name(key)
        expires = timedelta(seconds=expires_seconds)
        return self._client.presigned_get_object(self.bucket, name, expires=expires)

    def presigned_put_url(self, key: str, expires_seconds: int = 3600) -> str:
        """A URL that lets anyone holding it PUT the object (one request, up to 5 GiB)."""
        name = self.object_name(key)
        expires = timedelta(seconds=expires_seconds)
        return self._client.presigned_put_object(self.bucket, name, expires=expires)

    def describe(self) -> str:
        where = f"s3 bucket {self.bucket!r}"
        if self.prefix:
            where += f" under {self.prefix + '/'!r}"
        return f"{where} at {self.url}"

    def check(self) -> None:
        """Reach the endpoint, have the keys accepted and list the bucket under
        the prefix, within a few seconds; BackendCheckFailed says what is wrong."""
        http = _http_client(CHECK_CONNECT_TIMEOUT, CHECK_READ_TIMEOUT, retries=0)
        client = self._make_client(http)
        base = f"{self.prefix}/" if self.prefix else ""
        try:
            next(iter(client.list_objects(self.bucket, prefix=base)), None)
        except S3Error as exc:
            raise BackendCheckFailed(self._s3_error_message(exc)) from None
        except (InvalidResponseError, ElementTree.ParseError):
            raise BackendCheckFailed(
                f"{self.url} answered, but not as an S3 service would; is this the S3 endpoint?"
            ) from None
        except ServerError as exc:
            raise BackendCheckFailed(
                f"{self.url} failed with HTTP {exc.status_code}; the service may be down"
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise BackendCheckFailed(f"cannot reach {self.url}: {_network_reason(exc)}") from None
        finally:
            http.clear()

    def _s3_error_message(self, exc: S3Error) -> str:
        code = exc.code
        if code in CREDENTIAL_ERRORS:
            return f"the access key or secret key was refused by {self.url} ({code})"
        if code == "NoSuchBucket":
            return f"bucket {self.bucket!r} does not exist at {self.url}"
        if code in ("AccessDenied", "AllAccessDisabled"):
            under = f" under {self.prefix + '/'!r}" if self.prefix else ""
            return f"the keys were accepted, but they may not list bucket {self.bucket!r}{under}"
        if code in ("AuthorizationHeaderMalformed", "AuthorizationQueryParametersError"):
            return f"bucket {self.bucket!r} is not in region {self.region or 'us-east-1'!r}; set its region"
        if code in ("PermanentRedirect", "Redirect", "IllegalLocationConstraintException"):
            return f"bucket {self.bucket!r} is served by another endpoint or region than {self.url}"
        return f"{self.url} refused the request: {code}: {exc.message}"


def _network_reason(exc: BaseException) -> str:
    """Why a connection failed, in words: walks urllib3's wrapping to the OS error."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        else:
            current = current.__cause__ or current.__context__
    for error in seen:
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return "host name not found"
        if isinstance(error, ssl.SSLError | urllib3.exceptions.SSLError):
            return "TLS handshake failed (does the endpoint speak https, and is its certificate trusted?)"
        if isinstance(error, urllib3.exceptions.ConnectTimeoutError | TimeoutError):
            if isinstance(error, urllib3.exceptions.NewConnectionError):
                continue
            return f"no answer within {CHECK_CONNECT_TIMEOUT:g} s"
        if isinstance(error, urllib3.exceptions.ReadTimeoutError):
            return f"connected, but no answer within {CHECK_READ_TIMEOUT:g} s"
        if isinstance(error, ConnectionResetError | urllib3.exceptions.ProtocolError):
            return "the connection was closed before an answer (is it an S3 endpoint, http or https?)"
    last = seen[-1]
    return f"{type(last).__name__}: {last}"
