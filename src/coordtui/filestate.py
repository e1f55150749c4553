"""A file's state as it is now (文件状态): what tells a file read earlier from the file there now."""

from __future__ import annotations

import os


def file_state(st: os.stat_result) -> list[int]:
    """Its device, inode, size, mtime and ctime (ns): another file put in place, or the same one
    rewritten, even to the same size and mtime (no account can set a ctime back), has another."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
