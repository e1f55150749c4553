"""Files a person names (用户指定的文件): reading a key, an import or an attachment, and writing
an export or an attachment out.

The path is the person's, so everything about it is treated as hostile: it may not exist, be a
folder, a FIFO that never ends, a device, or far too large; the folder written to may be shared
and hold a link someone planted where the file is to go. Each problem is one line naming the
path and saying what to do (in Chinese too); nothing is read past the limit, and a file written
is never written through a link, never half written, and readable by its owner only.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from coordtui.errors import InputError
from coordtui.i18n import os_reason


def read_user_file(path: Path, *, limit: int, give: str, too_big: str, give_zh: str = "请核对路径",
                   too_big_zh: str | None = None) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    :param give: what the person should name instead, e.g. ``"give the path of the person's .pub key"``.
    :param too_big: the line's end when the file exceeds ``limit``, e.g. ``"more than 200 MiB, split it"``.
    :param give_zh, too_big_zh: the same in Chinese.
    """
    big = InputError(f"{path}: {too_big}", message_zh=f"{path}：{too_big_zh or '文件过大'}")
    try:
        # Not blocking on a FIFO, not reading a device: a regular file only.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: {give}", message_zh=f"{path}：文件不存在：{give_zh}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file: {give}", message_zh=f"{path}：这是文件夹，不是文件：{give_zh}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}): check its permissions",
                         message_zh=f"{path}：无法读取（{os_reason(exc)}）：请检查其权限") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a folder, not a file: {give}", message_zh=f"{path}：这是文件夹，不是文件：{give_zh}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file: {give}", message_zh=f"{path}：不是普通文件（管道或设备）：{give_zh}")
        if info.st_size > limit:
            raise big
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}): check its permissions",
                         message_zh=f"{path}：无法读取（{os_reason(exc)}）：请检查其权限") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > limit:  # it grew while being read
        raise big
    return raw


def write_private_file(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Write ``data`` (bytes, or a function writing to the open file) to ``path``, readable by its
    owner only (0600).

    The bytes go to a new temporary file beside ``path`` (a name nobody can guess, created
    exclusively) and are renamed onto it once whole: a link planted at ``path`` is replaced, never
    followed, and a failure leaves nothing half written. An OSError is one line naming the path."""
    path = Path(path)
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:40]}.", suffix=".part")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror}): check the folder and its permissions",
                         message_zh=f"{path}：无法写入（{os_reason(exc)}）：请检查文件夹及其权限") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror}): check the path and permissions",
                         message_zh=f"{path}：无法写入（{os_reason(exc)}）：请检查路径和权限") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if os.path.lexists(tmp):
            os.unlink(tmp)
