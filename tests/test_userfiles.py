"""A file a person names is read with every guard, in one place (keys, imports, attachments)."""

from __future__ import annotations

import os

import pytest

from coordtui.errors import InputError
from coordtui.userfiles import read_user_file


def read(path, limit=10):
    return read_user_file(path, limit=limit, give="name the file", too_big="too big: split it")


def test_a_small_regular_file_is_read_whole(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"0123456789")
    assert read(tmp_path / "a.txt") == b"0123456789"


@pytest.mark.parametrize("make, says", [
    (lambda p: None, "no such file: name the file"),
    (lambda p: p.mkdir(), "is a folder, not a file: name the file"),
    (lambda p: os.mkfifo(p), "not a regular file: name the file"),  # opened without blocking, never read
    (lambda p: p.write_bytes(b"x" * 11), "too big: split it"),
])
def test_each_problem_is_one_line_naming_the_path(tmp_path, make, says):
    path = tmp_path / "given"
    make(path)
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}: {says}"


def test_a_device_is_not_read():
    with pytest.raises(InputError, match="not a regular file"):
        read(os.devnull)
