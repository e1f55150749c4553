"""SSH public keys (公钥) and the service account's ``authorized_keys``.

A person's key goes into the owner's ``authorized_keys`` behind a forced command naming
them, so the key decides who they are. The key file comes from the person, so it is
treated as hostile: only a bare ``type base64`` key is accepted (no options, one line,
a known type whose embedded name matches), and the line this tool writes is built from
the parsed parts, never from the person's text (their comment is dropped).
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import os
import pwd
import shlex
import struct
from pathlib import Path

from coordtui.errors import InputError, StoreError
from coordtui.i18n import os_reason
from coordtui.userfiles import read_user_file

KEY_TYPES = frozenset({
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
MAX_KEY_FILE = 16 * 1024
MIN_RSA_BITS = 2048
#: The comment that marks a line as this tool's: ``coordtui:NAME``.
MARKER = "coordtui:"
OPTIONS = "restrict,pty"

def parse_public_key(text: str, source: str) -> str:
    """``type base64`` of an OpenSSH public key, or InputError naming what is wrong."""
    if "\x00" in text:
        raise InputError(f"{source}: not an SSH public key (binary data): give the .pub file ssh-keygen made",
                         message_zh=f"{source}：不是 SSH 公钥（二进制数据）：请给出 ssh-keygen 生成的 .pub 文件")
    body = text[:-1] if text.endswith("\n") else text
    if "\n" in body or "\r" in body:
        raise InputError(f"{source}: holds more than one line: give exactly one public key (the .pub file ssh-keygen made)",
                         message_zh=f"{source}：不止一行：请只给一个公钥（ssh-keygen 生成的 .pub 文件）")
    fields = body.split()
    if not fields:
        raise InputError(f"{source}: is empty: give the .pub file ssh-keygen made",
                         message_zh=f"{source}：是空的：请给出 ssh-keygen 生成的 .pub 文件")
    if fields[0] not in KEY_TYPES:
        if len(fields) > 1 and fields[1] in KEY_TYPES:
            raise InputError(f"{source}: the key carries authorized_keys options ({fields[0][:40]}): give the bare key, "
                             "coordtui sets the options itself",
                             message_zh=f"{source}：公钥带有 authorized_keys 选项（{fields[0][:40]}）：请只给公钥本身，选项由 coordtui 设置")
        raise InputError(f"{source}: '{fields[0][:40]}' is not an SSH public key type "
                         f"(accepted: {', '.join(sorted(KEY_TYPES))}): give the .pub file ssh-keygen made",
                         message_zh=f"{source}：“{fields[0][:40]}”不是 SSH 公钥类型（可用：{'、'.join(sorted(KEY_TYPES))}）：请给出 ssh-keygen 生成的 .pub 文件")
    if len(fields) < 2:
        raise InputError(f"{source}: the {fields[0]} key has no key data: give the whole .pub file",
                         message_zh=f"{source}：{fields[0]} 公钥缺少密钥数据：请给出完整的 .pub 文件")
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{source}: the key data is not valid base64: give the .pub file ssh-keygen made",
                         message_zh=f"{source}：密钥数据不是有效的 base64：请给出 ssh-keygen 生成的 .pub 文件") from None
    parts: list[bytes] = []
    offset = 0
    while offset < len(blob):
        if offset + 4 > len(blob):
            parts = []
            break
        (length,) = struct.unpack(">I", blob[offset:offset + 4])
        if offset + 4 + length > len(blob):
            parts = []
            break
        parts.append(blob[offset + 4:offset + 4 + length])
        offset += 4 + length
    if len(parts) < 2 or parts[0] != fields[0].encode():
        raise InputError(f"{source}: the key data is not a {fields[0]} key (its encoded type differs or it is cut short): "
                         "give the .pub file ssh-keygen made",
                         message_zh=f"{source}：密钥数据不是 {fields[0]} 公钥（编码的类型不符或被截断）：请给出 ssh-keygen 生成的 .pub 文件")
    if fields[0] == "ssh-rsa" and len(parts) >= 3 and int.from_bytes(parts[2], "big").bit_length() < MIN_RSA_BITS:
        raise InputError(f"{source}: the RSA key has {int.from_bytes(parts[2], 'big').bit_length()} bits, fewer than {MIN_RSA_BITS}: "
                         "make a new key with ssh-keygen -t ed25519",
                         message_zh=f"{source}：RSA 公钥只有 {int.from_bytes(parts[2], 'big').bit_length()} 位，少于 {MIN_RSA_BITS} 位：请用 ssh-keygen -t ed25519 生成新密钥")
    return f"{fields[0]} {fields[1]}"

def read_public_key(path: Path) -> str:
    raw = read_user_file(path, limit=MAX_KEY_FILE, give="give the path of the person's .pub key",
                         too_big=f"more than {MAX_KEY_FILE // 1024} KiB, too large for a public key: give the .pub file")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not an SSH public key (not ASCII text): give the .pub file ssh-keygen made",
                         message_zh=f"{path}：不是 SSH 公钥（不是 ASCII 文本）：请给出 ssh-keygen 生成的 .pub 文件") from None
    return parse_public_key(text, str(path))

def authorized_keys_path() -> Path:
    """The ``authorized_keys`` of the account running this (the store's owner): from its
    passwd entry, as sshd reads it, not from ``$HOME``; ``COORDTUI_AUTHORIZED_KEYS`` for tests."""
    override = os.environ.get("COORDTUI_AUTHORIZED_KEYS")
    if override:
        return Path(override)
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"

def forced_command(program: list[str], name: str, root: Path) -> str:
    """The shell command sshd runs for ``name``'s key: ``coordtui shell NAME --db ROOT``."""
    command = shlex.join([*program, "shell", name, "--db", str(root)])
    if any(c in command for c in '"\\\n\r'):
        raise InputError(f"{root}: the store's path or the program's path holds a quote, backslash or newline, "
                         "which an authorized_keys command cannot carry: move the store to a plainer path",
                         message_zh=f"{root}：数据存储或程序的路径中含有引号、反斜杠或换行，authorized_keys 的命令无法容纳：请把数据存储移到更简单的路径")
    return command

def key_line(program: list[str], name: str, root: Path, key: str) -> str:
    return f'{OPTIONS},command="{forced_command(program, name, root)}" {key} {MARKER}{name}'

def _is_ours(line: str, root: Path) -> bool:
    """A line this tool wrote for the store at ``root`` (lines of other stores and people's own lines are kept)."""
    fields = line.rsplit(None, 1)
    if len(fields) != 2 or not fields[1].startswith(MARKER):
        return False
    start = line.find('command="')
    end = line.find('"', start + 9)
    if start < 0 or end < 0:
        return False
    try:
        argv = shlex.split(line[start + 9:end])
    except ValueError:
        return False
    return len(argv) >= 4 and argv[-4] == "shell" and argv[-2:] == ["--db", str(root)]

def write_authorized_keys(path: Path, root: Path, lines: list[str]) -> None:
    """Make ``path``'s lines for the store at ``root`` exactly ``lines``, keeping every other
    line untouched. ``~/.ssh`` is created 0700, the file written 0600 and replaced atomically
    under a lock on the folder, so two commands at once do not lose each other's lines."""
    if path.is_symlink():  # an administrator's own layout (a link into /etc/ssh ...): write where it points
        path = path.resolve()
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create or open the folder for authorized_keys ({exc.strerror}): check its permissions, "
                         "then run 'coordtui users sync'",
                         message_zh=f"{folder}：无法创建或打开存放 authorized_keys 的目录（{os_reason(exc)}）：请检查其权限，然后运行 coordtui users sync") from None
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)
        try:
            old = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except FileNotFoundError:
            old = []
        kept = [line for line in old if not _is_ours(line, root)]
        text = "".join(f"{line}\n" for line in [*kept, *lines])
        tmp = folder / f".{path.name}.coordtui-{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, text.encode("utf-8", errors="surrogateescape"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        os.fsync(dir_fd)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write ({exc.strerror}): check its permissions, then run 'coordtui users sync'",
                         message_zh=f"{path}：无法写入（{os_reason(exc)}）：请检查其权限，然后运行 coordtui users sync") from None
    finally:
        os.close(dir_fd)
