"""The s3 storage backend against a real S3 server on loopback (tests/fixtures/s3.py)."""

import hashlib
import io
import logging
import random
import time
import urllib.request
from typing import Any

import pytest

from storage_backends.base import BackendCheckFailed, InvalidKey
from storage_backends.s3 import PART_SIZE, S3Storage
from tests.plugins.services import free_port

MIB = 1024 * 1024


@pytest.fixture
def credentials_checked(s3_server):
    """The server refuses requests signed with wrong keys for the whole test."""
    with s3_server.checking_credentials():
        yield


def read_in_chunks(stream, size=MIB):
    while chunk := stream.read(size):
        yield chunk


def test_a_25_mib_artifact_goes_up_in_parts_and_comes_back_identical(s3_server, credentials_checked):
    # given
    storage = s3_server.storage(prefix="runs/42")
    data = random.Random(25).randbytes(25 * MIB)
    source = io.BytesIO(data)

    # when
    stored = storage.save("outputs/model.bin", source)

    # then the backend reports what it wrote
    assert stored.key == "outputs/model.bin"
    assert stored.size == len(data)
    assert stored.checksum == hashlib.sha256(data).hexdigest()
    # the server holds one object made of 3 parts of at most PART_SIZE (a multipart ETag ends in -N)
    info = s3_server.client().stat_object(storage.bucket, "runs/42/outputs/model.bin")
    assert info.size == len(data)
    assert str(info.etag).endswith(f"-{-(-len(data) // PART_SIZE)}")
    # and reading it back, chunk by chunk, gives the same bytes
    digest, offset = hashlib.sha256(), 0
    with storage.open("outputs/model.bin") as stream:
        for chunk in read_in_chunks(stream):
            assert chunk == data[offset : offset + len(chunk)], f"bytes differ after offset {offset}"
            digest.update(chunk)
            offset += len(chunk)
    assert offset == len(data)
    assert digest.hexdigest() == stored.checksum
    storage.delete("outputs/model.bin")


def test_every_object_lands_under_the_prefix(s3_server, credentials_checked):
    # given a bucket that also holds an object of someone else
    storage = s3_server.storage(prefix="/team/run-1/")
    raw = s3_server.client()
    raw.put_object(storage.bucket, "team/other/secret.txt", io.BytesIO(b"not yours"), 9)

    # when
    storage.save("a.txt", io.BytesIO(b"a"))
    storage.save("dir/b.bin", io.BytesIO(b"bb"))

    # then the bucket, listed with the raw client, has ours under the prefix only
    names = sorted(str(o.object_name) for o in raw.list_objects(storage.bucket, recursive=True))
    assert names == ["team/other/secret.txt", "team/run-1/a.txt", "team/run-1/dir/b.bin"]
    # and the backend sees its own keys, relative to the prefix
    assert storage.list_keys() == ["a.txt", "dir/b.bin"]
    assert storage.list_keys("dir/") == ["dir/b.bin"]
    assert storage.open("dir/b.bin").read() == b"bb"
    # nothing reaches the neighbour's object
    with pytest.raises(InvalidKey):
        storage.open("../other/secret.txt")
    with pytest.raises(InvalidKey):
        storage.list_keys("../other")


@pytest.mark.parametrize("key", ["", "/abs", "../x", "a/../../x", "a//b", "./a", "a\\b", "a/\x00"])
def test_it_refuses_keys_that_could_escape_before_any_io(key):
    # given a backend whose endpoint has nothing listening: any I/O would fail otherwise
    storage = S3Storage(endpoint=f"http://127.0.0.1:{free_port()}", bucket="nowhere", prefix="p")
    source = io.BytesIO(b"x")

    # then every operation refuses the key itself
    with pytest.raises(InvalidKey):
        storage.save(key, source)
    assert source.tell() == 0
    for operation in (storage.open, storage.exists, storage.delete, storage.presigned_get_url):
        with pytest.raises(InvalidKey):
            operation(key)


def test_opening_a_missing_key_is_file_not_found(s3_server):
    storage = s3_server.storage()
    with pytest.raises(FileNotFoundError, match=r"never-written\.txt"):
        storage.open("never-written.txt")


def test_exists_follows_save_and_delete_and_a_second_delete_is_fine(s3_server, credentials_checked):
    # given
    storage = s3_server.storage(prefix="p")
    assert not storage.exists("x/y.txt")

    # when / then
    storage.save("x/y.txt", io.BytesIO(b"hello"))
    assert storage.exists("x/y.txt")
    storage.delete("x/y.txt")
    storage.delete("x/y.txt")
    assert not storage.exists("x/y.txt")
    assert storage.list_keys() == []


def test_a_save_replaces_what_was_there(s3_server):
    storage = s3_server.storage()
    storage.save("k", io.BytesIO(b"first version"))
    stored = storage.save("k", io.BytesIO(b"second"))
    assert (stored.size, storage.open("k").read()) == (6, b"second")


def test_check_passes_on_a_good_configuration(s3_server, credentials_checked):
    s3_server.storage(prefix="anything").check()


def test_check_names_refused_keys_without_showing_them(s3_server, credentials_checked, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    wrong_secret = "wrong-" + s3_server.secret_key[::-1]
    storage = s3_server.storage(secret_key=wrong_secret)

    # when
    with pytest.raises(BackendCheckFailed) as failure:
        storage.check()

    # then
    assert "the access key or secret key was refused" in str(failure.value)
    for shown in (str(failure.value), repr(failure.value), repr(storage), caplog.text):
        assert wrong_secret not in shown
        assert s3_server.secret_key not in shown


def test_check_names_an_unknown_access_key(s3_server, credentials_checked):
    storage = s3_server.storage(access_key="AKIANOSUCHKEY0000000", secret_key="whatever-secret")
    with pytest.raises(BackendCheckFailed, match="the access key or secret key was refused"):
        storage.check()


def test_check_names_a_missing_bucket(s3_server, credentials_checked):
    storage = s3_server.storage(bucket="no-such-bucket-here")
    with pytest.raises(BackendCheckFailed, match="bucket 'no-such-bucket-here' does not exist") as failure:
        storage.check()
    assert s3_server.secret_key not in str(failure.value)


def test_check_names_an_unreachable_endpoint_within_seconds(s3_server):
    # given an endpoint nothing listens on
    endpoint = f"http://127.0.0.1:{free_port()}"
    storage = S3Storage(endpoint=endpoint, bucket="b-b-b", access_key="AK", secret_key="s3cr3t-value")

    # when
    started = time.monotonic()
    with pytest.raises(BackendCheckFailed) as failure:
        storage.check()

    # then
    assert time.monotonic() - started < 5
    assert str(failure.value) == f"cannot reach {endpoint}: connection refused"
    assert "s3cr3t-value" not in str(failure.value)


def test_a_presigned_get_url_downloads_with_plain_urllib(s3_server):
    # given
    storage = s3_server.storage(prefix="shared")
    storage.save("in/data.csv", io.BytesIO(b"a,b\n1,2\n"))

    # when
    url = storage.presigned_get_url("in/data.csv", expires_seconds=60)
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()

    # then
    assert body == b"a,b\n1,2\n"
    assert "/shared/in/data.csv?" in url
    assert s3_server.secret_key not in url


def test_a_presigned_put_url_uploads_with_plain_urllib(s3_server):
    # given
    storage = s3_server.storage(prefix="shared")
    url = storage.presigned_put_url("out/result.json", expires_seconds=60)

    # when
    # (urllib's default Content-Type is a form, whose body moto's server would swallow)
    headers = {"Content-Type": "application/octet-stream"}
    request = urllib.request.Request(url, data=b'{"ok": true}', method="PUT", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    # then
    assert storage.open("out/result.json").read() == b'{"ok": true}'
    assert storage.list_keys() == ["out/result.json"]


def test_the_endpoint_may_be_a_url_or_host_and_port():
    assert S3Storage("http://minio.local:9000", "bkt").url == "http://minio.local:9000"
    assert S3Storage("https://s3.eu-west-1.amazonaws.com/", "bkt").url == "https://s3.eu-west-1.amazonaws.com"
    assert S3Storage("minio.local:9000", "bkt", secure=False).url == "http://minio.local:9000"
    assert S3Storage("minio.local:9000", "bkt").url == "https://minio.local:9000"
    with pytest.raises(ValueError, match="without a path"):
        S3Storage("http://minio.local:9000/bucket", "bkt")
    with pytest.raises(ValueError, match="not a valid S3 bucket name"):
        S3Storage("http://minio.local:9000", "No_Such Bucket")


def test_the_options_form_hides_secrets_and_builds_the_backend():
    schema = S3Storage.options_schema
    properties = schema["properties"]
    assert set(properties) == {"endpoint", "bucket", "prefix", "region", "access_key", "secret_key"}
    assert "bucket" in schema["required"]
    assert {name for name, field in properties.items() if field.get("writeOnly")} == {
        "access_key",
        "secret_key",
    }
    assert all(field.get("title") and field.get("description") for field in properties.values())
    # what the form sends is what the constructor takes
    options: dict[str, Any] = {name: "" for name in properties} | {"endpoint": "h:1", "bucket": "bkt"}
    storage = S3Storage(**options)
    assert repr(storage) == "S3Storage(endpoint='https://h:1', bucket='bkt', prefix='', region='')"
