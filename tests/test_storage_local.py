"""The local storage backend keeps every key inside its root."""

import io

import pytest

from storage_backends.base import InvalidKey
from storage_backends.local import LocalStorage


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "a/\x00"])
def test_it_refuses_keys_that_could_escape(tmp_path, key):
    with pytest.raises(InvalidKey):
        LocalStorage(tmp_path).save(key, io.BytesIO(b"x"))


def test_it_refuses_a_symlink_that_points_outside(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(InvalidKey, match="escapes"):
        LocalStorage(root).save("link/file", io.BytesIO(b"x"))
    assert not (outside / "file").exists()


def test_a_save_reports_size_and_checksum_and_leaves_no_temp_files(tmp_path):
    storage = LocalStorage(tmp_path)
    stored = storage.save("a/b/c.txt", io.BytesIO(b"hello"))
    assert (stored.size, stored.checksum[:8]) == (5, "2cf24dba")
    assert storage.open("a/b/c.txt").read() == b"hello"
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["c.txt"]
    storage.delete("a/b/c.txt")
    storage.delete("a/b/c.txt")
    assert not storage.exists("a/b/c.txt")
