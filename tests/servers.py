"""Real servers for tests: PostgreSQL and redis-server from Debian, started as child processes.

Each runs on a free 127.0.0.1 port in a temporary directory and is stopped when
the fixture ends. PostgreSQL refuses to run as root, so under root the cluster is
created and started as the ``postgres`` system user (created by the Debian
package). When a server binary is missing the fixture skips with the reason
(``scripts/system-deps.sh``, run by the test command, installs them).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a ``postgresql://`` URL of a fresh cluster with a database ``aiposture``."""
    pg = _pg_bin()
    if pg is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
    as_root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="aiposture-pg-"))
    data = tmp / "data"
    run_as: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as a non-root user")
        shutil.chown(tmp, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*run_as, str(pg / "initdb"), "-D", str(data), "-U", "aiposture", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True)
    proc = subprocess.Popen([*run_as, str(pg / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
                             "-k", str(tmp), "-c", "fsync=off", "-c", "full_page_writes=off",
                             "-c", "synchronous_commit=off"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, "postgres")
        for _ in range(100):
            r = subprocess.run([str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "aiposture", "aiposture"],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"createdb failed: {r.stderr.strip()}")
        yield f"postgresql://aiposture@127.0.0.1:{port}/aiposture"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """Yield a ``redis://`` URL of a private redis-server (no persistence)."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server not installed (Debian package redis-server)")
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="aiposture-redis-"))
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
