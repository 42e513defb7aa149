"""A real IMAP server for the tests: Debian's Dovecot, configured in a temporary folder and
listening on loopback only, as the test suite does with PostgreSQL (docs/channels.md).

`make system-deps` installs `dovecot-imapd`; without it the IMAP tests are skipped, except with
CI=true, where a missing Dovecot fails the run.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
last_valid_uid = {uid}
default_internal_user = {login_user}
default_login_user = {login_user}
{ownership}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0600
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    root: Path
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def available() -> bool:
    return Path(DOVECOT).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(users: dict[str, str] | None = None) -> Dovecot:
    """Start Dovecot in the foreground in a new temporary folder (readable by Dovecot's own
    users, which a pytest tmp_path is not); returns once it accepts connections."""
    root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(exist_ok=True)
    # Users are written before the start: Dovecot caches the passwd file by its modification
    # time (whole seconds), so a user added a moment after another may not be seen.
    (root / "passwd").write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n"
                                         for name, password in (users or {}).items()), encoding="utf-8")
    port = _free_port()
    if os.geteuid() == 0:
        # As root, Dovecot drops to its own users; the mail belongs to `dovecot`.
        mail_user = pwd.getpwnam("dovecot")
        uid, gid, login_user, ownership = mail_user.pw_uid, mail_user.pw_gid, "dovenull", ""
        for path in (root / "mail", root / "home"):
            os.chown(path, uid, gid)
        os.chmod(root, 0o755)
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid, login_user = me.pw_uid, me.pw_gid, me.pw_name
        ownership = ""
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid, login_user=login_user,
                                                     ownership=ownership), encoding="utf-8")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text(encoding="utf-8") if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot exited ({process.returncode}): {log[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return Dovecot("127.0.0.1", port, root, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("dovecot did not start within 20 s")
