"""An import's records validated ahead (预先校验), in a child process, while the store stages them.

Before a save lands, the store has each data file's new content checked against its models
(``workspace._ModelCheck``): for an import of 10,000 rows that is 10,000 validations (0.1 s)
while the second core stands idle. :class:`ValidatedAhead` starts, just before the save, a
child (coordtui.forked) that validates each record the save puts with its kind's class, and says
which of them do not fit; the check then passes over a record only where its content as staged
is equal to what the child validated, with the very class the check would use, and the child
found it fitting. A validation is a function of the class and the content alone, so the verdict
is the one the check would reach; every other record (one the save does not put, one whose
content differs, one that did not fit, or every record where the child gave no verdict) is
validated by the check itself, as before, with the same messages.
"""

from __future__ import annotations

import json
from typing import Any

from coordtui.forked import core_free, may_fork, said, started


class ValidatedAhead:
    """The records of ``puts`` ((org, kind class, Put) each) validated in a child process, started
    here where this process can fork and a core is likely free for it (coordtui.forked); :meth:`vouches`
    takes the child's verdict on first use."""

    def __init__(self, puts: list[tuple[str, type, Any]]) -> None:
        # (org, kind, id) -> (the class, the content validated): a copy of each as it is now.
        self._docs = {(org, op.kind, op.id): (cls, dict(op.data)) for org, cls, op in puts}
        # (on a machine already busy, a child only adds to what every process waits for)
        self._child = started(self._verdict) if self._docs and may_fork() and core_free() else None
        self._unfit: set[tuple[str, str, str]] | None = None

    def _verdict(self) -> bytes:
        """The child's work: every record that does not fit its class, as JSON; b"" where it cannot say."""
        from pydantic import ValidationError

        try:
            unfit = []
            for key, (cls, data) in self._docs.items():
                try:
                    cls.model_validate(data)
                except ValidationError:
                    unfit.append(key)
            return json.dumps({"unfit": unfit}).encode()
        except BaseException:  # (the check validates every record itself)
            return b""

    def _taken(self) -> set[tuple[str, str, str]] | None:
        if self._child is not None:
            found, self._child = said(*self._child), None
            try:
                verdict = json.loads(found) if found else None
                self._unfit = {tuple(key) for key in verdict["unfit"]} if isinstance(verdict, dict) else None
            except (ValueError, KeyError, TypeError):
                self._unfit = None
        return self._unfit

    def vouches(self, org: str, kind: str, cls: type, rid: str, content: dict[str, Any]) -> bool:
        """Whether the record ``rid`` of ``kind`` in ``org``, whose content without the store's own
        keys is ``content``, was validated ahead with ``cls``, as it is, and fits."""
        key = (org, kind, rid)
        found = self._docs.get(key)
        if found is None or found[0] is not cls or found[1] != content:
            return False
        unfit = self._taken()
        return unfit is not None and key not in unfit

    def close(self) -> None:
        """Reap the child, if its verdict was never taken."""
        self._taken()
        self._docs = {}
