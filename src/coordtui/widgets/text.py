"""Text helpers for wide (Chinese) characters: pad and cut by terminal cells, not by characters."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def pad(text: str, cells: int) -> str:
    """``text`` cut or padded with spaces to exactly ``cells`` terminal cells."""
    return set_cell_size(text, cells)


def width(text: str) -> int:
    return cell_len(text)
