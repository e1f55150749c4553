"""Reading a file a person named on the command line (用户指定的文件): a key, an import, an attachment.

The path is the person's, so everything about it is treated as hostile: it may not exist, be a
folder, a FIFO that never ends, a device, or far too large. Each problem is one line naming the
path and saying what to do; nothing is read past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coordtui.errors import InputError


def read_user_file(path: Path, *, limit: int, give: str, too_big: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    :param give: what the person should name instead, e.g. ``"give the path of the person's .pub key"``.
    :param too_big: the line's end when the file exceeds ``limit``, e.g. ``"more than 200 MiB, split it"``.
    """
    try:
        # Not blocking on a FIFO, not reading a device: a regular file only.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: {give}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file: {give}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}): check its permissions") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a folder, not a file: {give}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file: {give}")
        if info.st_size > limit:
            raise InputError(f"{path}: {too_big}")
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}): check its permissions") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > limit:  # it grew while being read
        raise InputError(f"{path}: {too_big}")
    return raw
