"""People reach the store over a real sshd through their key's forced command.

The test creates a service account (``useradd``), makes the store as it, adds an editor
and a reader with ``coordtui users add`` (their keys made by ``ssh-keygen``), starts
sshd on a loopback port with its own configuration (host key in a temporary folder,
``AuthorizedKeysFile`` the service account's file that ``users add`` wrote,
``AllowUsers`` the service account only), connects with each key and checks what each
may do and who the history says did it. Without root or without sshd it skips with the
reason, unless ``COORDTUI_REQUIRE_SSHD`` is set (``.ci/run`` sets it where it installs
openssh-server), in which case it fails.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from coordtui.store import Store

import accounts

SERVICE = accounts.unique("ctsvc")
REQUIRE = "COORDTUI_REQUIRE_SSHD"


def sshd_unavailable() -> str | None:
    reason = accounts.accounts_unavailable()
    if reason:
        return reason
    for tool in ("/usr/sbin/sshd", shutil.which("ssh"), shutil.which("ssh-keygen")):
        if tool is None or not Path(tool).exists():
            return "no sshd/ssh/ssh-keygen on this machine (apt-get install openssh-server openssh-client)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    accounts.need(sshd_unavailable(), REQUIRE)
    where = accounts.world_readable_dir(Path(tempfile.mkdtemp(prefix="coordtui-sshd-")))
    python, reason = accounts.shared_python(where)
    accounts.need(reason, REQUIRE)
    home = where / "home"
    accounts.create_account(SERVICE, home)
    proc = None
    try:
        os.chmod(home, 0o755)
        store = home / "store"
        done = accounts.run_as(SERVICE, [python, "-m", "coordtui", "init", "--db", str(store), "--examples"])
        assert done.returncode == 0, done.stderr
        keys = where / "keys"
        keys.mkdir()
        for person in ("zhangsan", "lisi"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{person}@laptop", "-f", str(keys / person)],
                           check=True, timeout=60)
        os.chmod(keys / "zhangsan.pub", 0o644)
        os.chmod(keys / "lisi.pub", 0o644)
        for person, role in (("zhangsan", "editor"), ("lisi", "reader")):
            done = accounts.run_as(SERVICE, [python, "-m", "coordtui", "users", "add", person, "--key", str(keys / f"{person}.pub"),
                                             "--role", role, "--db", str(store)])
            assert done.returncode == 0, done.stderr
        authorized = home / ".ssh" / "authorized_keys"
        assert authorized.stat().st_uid == accounts.pwd.getpwnam(SERVICE).pw_uid
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(where / "host_key")], check=True, timeout=60)
        port = free_port()
        config = where / "sshd_config"
        config.write_text("\n".join([
            f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {where / 'host_key'}", f"PidFile {where / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized}", f"AllowUsers {SERVICE}", "StrictModes yes", "UsePAM no",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
            "PermitRootLogin no", "AcceptEnv LANG", "LogLevel VERBOSE", "",
        ]))
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
        log = open(where / "sshd.log", "wb")  # a file, not a pipe nobody drains: sshd never blocks on its log
        proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"sshd stopped: {(where / 'sshd.log').read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"sshd did not listen on 127.0.0.1:{port} within 30 s")
                time.sleep(0.1)

        def ssh(person: str, *command: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
            return subprocess.run(["ssh", "-i", str(keys / person), "-p", str(port), "-o", "StrictHostKeyChecking=no",
                                   "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                                   "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", f"{SERVICE}@127.0.0.1", *command],
                                  input=stdin if stdin is not None else b"", capture_output=True, timeout=180)

        ssh.argv = lambda person: ["ssh", "-tt", "-i", str(keys / person), "-p", str(port), "-o", "StrictHostKeyChecking=no",
                                   "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                                   "-o", "LogLevel=ERROR", f"{SERVICE}@127.0.0.1"]
        yield ssh, store, python
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        accounts.delete_account(SERVICE)
        shutil.rmtree(where, ignore_errors=True)


def test_people_reach_the_store_through_their_keys_forced_command(server):
    ssh, store, python = server
    done = ssh("lisi", "check", "--org", "tjpu", "--as-of", "2026-10-15", "--format", "json")
    assert done.returncode == 1, done.stderr  # the examples have errors: exit 1, as locally
    assert json.loads(done.stdout)["as_of"] == "2026-10-15"

    done = ssh("zhangsan", "export", "--org", "tjpu")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    activity = next(item for item in doc["items"] if item["kind"] == "activity")
    activity["title"] += "（远程修改）"
    edited = json.dumps(doc, ensure_ascii=False).encode()

    done = ssh("zhangsan", "import", "-", "--lang", "en", stdin=edited)
    assert done.returncode == 0 and b"updated 1" in done.stdout, done.stderr
    entry = Store(store).history(kind="activity", record_id=activity["id"])[0]
    assert entry["user"] == "zhangsan" and entry["after"]["title"].endswith("（远程修改）")

    group = next(item for item in doc["items"] if item["kind"] == "group")
    group["name"] += "（编辑）"  # the structure is the administrators' to change
    done = ssh("zhangsan", "import", "-", "--lang", "en", stdin=json.dumps(doc, ensure_ascii=False).encode())
    assert done.returncode == 2 and b"zhangsan may not change" in done.stderr and done.stderr.count(b"\n") == 1, done.stderr
    assert not Store(store).get("tjpu", "group", group["id"])["name"].endswith("（编辑）")

    activity["title"] += "（读者）"
    done = ssh("lisi", "import", "-", "--lang", "en", stdin=json.dumps(doc, ensure_ascii=False).encode())
    assert done.returncode == 2 and b"lisi is a reader and may not change records" in done.stderr
    assert Store(store).get("tjpu", "activity", activity["id"])["title"].endswith("（远程修改）")

    for person, command in (("zhangsan", ["bash"]), ("lisi", ["sh", "-c", "id"]), ("zhangsan", ["cat", "/etc/passwd"]),
                            ("zhangsan", ["export", "--org", "tjpu", "--out", ".ssh/authorized_keys"])):
        done = ssh(person, *command)
        err = done.stderr.decode()
        assert done.returncode == 2 and "通过 SSH 不允许" in err and err.count("\n") == 1, (command, err)  # in the default language
        assert b"uid=" not in done.stdout and b"root:" not in done.stdout
    assert "coordtui:zhangsan" in (store.parent / ".ssh" / "authorized_keys").read_text()


def test_a_removed_person_can_no_longer_connect(server):
    ssh, store, python = server
    assert ssh("lisi", "check", "--org", "tjpu", "--format", "json").returncode in (0, 1)
    done = accounts.run_as(SERVICE, [python, "-m", "coordtui", "users", "remove", "lisi", "--db", str(store)])
    assert done.returncode == 0, done.stderr
    done = ssh("lisi", "check", "--org", "tjpu")
    assert done.returncode == 255 and b"Permission denied" in done.stderr


def test_ssh_without_a_command_opens_the_application_as_the_person(server):
    ssh, store, python = server
    pid, fd = pty.fork()
    if pid == 0:  # the person's terminal
        os.environ["TERM"] = "xterm-256color"
        os.execvp("ssh", ssh.argv("zhangsan"))
    seen, quit_sent, deadline = b"", False, time.monotonic() + 90
    try:
        # Keep draining the terminal until ssh ends (or the deadline), so the app never blocks on a full pty.
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not quit_sent and "已逾期".encode() in seen:
                os.write(fd, b"q")
                quit_sent = True
    finally:
        os.close(fd)
        ended, status = os.waitpid(pid, os.WNOHANG)
        give_up = time.monotonic() + 15
        while ended == 0 and time.monotonic() < give_up:
            time.sleep(0.1)
            ended, status = os.waitpid(pid, os.WNOHANG)
        if ended == 0:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
    assert quit_sent, seen.decode(errors="replace")[-2000:]
    assert os.waitstatus_to_exitcode(status) == 0 and b"Traceback" not in seen
