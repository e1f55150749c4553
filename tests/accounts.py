"""Real OS accounts for the tests of who may do what (and the sshd test's service account).

``useradd`` needs root: elsewhere the tests that need an account skip with the reason,
unless ``COORDTUI_REQUIRE_ACCOUNTS`` is set (``.ci/run`` sets it where it runs as root),
in which case they fail. Another account must also be able to run this checkout's
Python: a venv made from an interpreter inside a private home (pyenv under /root) is
not, so ``shared_python`` makes a small venv from the system's interpreter of the same
version that loads this venv's packages.
"""

from __future__ import annotations

import os
import pwd
import secrets as _secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest


#: A suffix for the names of the OS accounts and groups one test run creates, so that two runs
#: on one machine at once (a developer's and CI's) never create or delete each other's.
RUN_SUFFIX = _secrets.token_hex(3)


def unique(name: str) -> str:
    """``name`` made unique to this test run (at most 32 characters, as useradd allows)."""
    return f"{name[:24]}{RUN_SUFFIX}"

REQUIRE = "COORDTUI_REQUIRE_ACCOUNTS"


def need(reason: str | None, variable: str = REQUIRE) -> None:
    """Skip with ``reason`` (fail, when ``variable`` is set); nothing when ``reason`` is None."""
    if reason is None:
        return
    if os.environ.get(variable):
        pytest.fail(f"{variable} is set but {reason}")
    pytest.skip(reason)


def accounts_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "real OS accounts need root (useradd, runuser): run as root, as .ci/run does"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine (apt-get install passwd util-linux)"
    return None


def create_account(name: str, home: Path | None = None) -> pwd.struct_passwd:
    """A fresh OS account (an old one of that name, left by an interrupted run, is replaced)."""
    try:
        pwd.getpwnam(name)
        subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)
    except KeyError:
        pass
    argv = ["useradd", "--shell", "/bin/sh", "--user-group"]
    if home is not None:
        argv += ["--home-dir", str(home), "--create-home"]
    else:
        argv += ["--no-create-home", "--home-dir", "/nonexistent"]
    done = subprocess.run([*argv, name], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    # Not locked ('!'): sshd refuses a locked account even its keys; '*' still allows no password.
    subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True, timeout=30)
    return pwd.getpwnam(name)


def delete_account(name: str) -> None:
    subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)


def _others_can_run(path: Path) -> bool:
    path = path.resolve()
    for folder in [*reversed(path.parents)]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IXOTH)


def shared_python(where: Path) -> tuple[str | None, str | None]:
    """(an interpreter every account can run with this checkout importable, or None; the reason)."""
    if _others_can_run(Path(sys.executable)):
        return sys.executable, None
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        return None, f"{sys.executable} is inside a private folder and there is no {system} to run the code as another account"
    venv = where / "venv"
    made = subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True, timeout=120)
    if made.returncode != 0:
        return None, f"cannot make a venv with {system}: {made.stderr.strip()[:200]}"
    ours = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_relative_to(sys.prefix))
    site = next((venv / "lib").glob("python*/site-packages"))
    # Loads this venv's packages (and, through its .pth files, the editable checkout).
    (site / "coordtui-tests.pth").write_text(f"import site; site.addsitedir({str(ours)!r})\n")
    python = str(venv / "bin" / "python")
    probe = subprocess.run([python, "-c", "import coordtui.cli, orjson, pydantic_core"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return None, f"{system} cannot load this venv's packages: {probe.stderr.strip()[-200:]}"
    return python, None


def world_readable_dir(path: Path) -> Path:
    """A folder every account can enter (pytest's tmp_path is private to root)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o755)
    return path


def run_as(name: str, argv: list[str], *, env: dict[str, str] | None = None, input: bytes | None = None,
           cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``argv`` as the account ``name``, with a clean environment (plus ``env``)."""
    home = pwd.getpwnam(name).pw_dir
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"}
    return subprocess.run(["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in (base | (env or {})).items()), *argv],
                          input=input, capture_output=True, timeout=timeout, cwd=cwd or "/")
