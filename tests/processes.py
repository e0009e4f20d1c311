"""Real ``hopchibo serve`` processes for tests that kill them (crash recovery, fail-over).

Each runs in a process group of its own, with its log in a file; :meth:`Server.kill` is a
SIGKILL (no shutdown code runs), :meth:`Server.stop` a SIGTERM (the app's shutdown).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path


class Server:
    """One ``hopchibo serve`` on ``127.0.0.1:port`` with the settings in ``env``."""

    def __init__(self, port: int, env: Mapping[str, str], log: Path) -> None:
        self.port = port
        self.env = {**os.environ, "HOPCHIBO_OPS_LOG_FORMAT": "text", **env}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, within: float = 240.0) -> None:
        """Start it and wait until ``/api/health`` answers 200 (a ceiling for a loaded machine:
        it takes 2–3 s on an idle one)."""
        hopchibo = Path(sys.executable).parent / "hopchibo"
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(  # noqa: S603 (our own command)
                [str(hopchibo), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + within
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/api/health", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except OSError:
                pass
            assert self.proc.poll() is None, f"the server exited:\n{self.tail()}"
            assert time.monotonic() < deadline, f"no health within {within} s:\n{self.tail()}"
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, nothing of its shutdown runs."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM and wait (the app's shutdown); SIGKILL if it hangs. Idempotent."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.proc = None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
