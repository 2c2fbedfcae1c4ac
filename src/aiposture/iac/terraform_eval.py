"""Run ``tfparse`` (Trivy's Terraform evaluator, Cloud Custodian's binding) in a child process.

Why a child process: the evaluator is Go code loaded into the interpreter; a Go panic
on a hostile file would end the whole scan, and its memory and time are not under
Python's control. The child gets an address-space limit, each configuration a time
limit; a child that dies or runs out of time marks that configuration "not checked"
and a fresh child carries on with the rest.

The child reads one JSON job per line on stdin (``{"dir": ..., "vars": [...]}``) and
answers each with one line ``OK <n>`` / ``ERR <n>`` followed by ``n`` bytes (the
evaluator's JSON, or its error message). Its working directory is the staged tree, so
``path.cwd`` cannot name anything outside it.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEMORY_LIMIT = 4 << 30  # bytes of address space for the evaluator process
TIMEOUT_BASE = 120.0  # seconds per configuration, plus TIMEOUT_PER_MB per MB of its files
TIMEOUT_PER_MB = 60.0


@dataclass
class Outcome:
    """What the evaluator said about one configuration directory."""

    data: dict[str, Any] | None = None
    error: str | None = None  # the evaluator's own message (may quote the file: never shown verbatim)
    crashed: str | None = None  # "timeout" | "crashed" | "memory": the child died on this configuration


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


class Evaluator:
    """One child process at a time, restarted after a crash or a timeout.

    The child is kept for the next scan in the same process (:func:`shared`): loading the
    evaluator costs more than evaluating a small configuration. Each job names the staged
    tree it runs in, and the child changes its working directory there first.
    """

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "SYSTEMROOT")}
        env["GOMAXPROCS"] = env.get("GOMAXPROCS", "2")
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # the same aiposture and tfparse as this process
        return subprocess.Popen([sys.executable, "-m", "aiposture.iac.terraform_eval"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(), env=env,
                                preexec_fn=_limits if os.name == "posix" else None)  # noqa: PLW1509

    def evaluate(self, directory: Path, var_files: list[str], size: int) -> Outcome:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        timeout = TIMEOUT_BASE + TIMEOUT_PER_MB * size / 1e6
        import threading

        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            proc.stdin.write(json.dumps({"dir": str(directory), "vars": var_files, "cwd": str(self.cwd)}).encode() + b"\n")
            proc.stdin.flush()
            head = proc.stdout.readline().split()
            if len(head) != 2 or head[0] not in (b"OK", b"ERR"):
                raise EOFError
            body = proc.stdout.read(int(head[1]))
        except (OSError, EOFError, ValueError):
            timed_out = not timer.is_alive() or timer.finished.is_set()
            self.close()
            return Outcome(crashed="timeout" if timed_out else "crashed")
        finally:
            timer.cancel()
        if head[0] == b"ERR":
            return Outcome(error=body.decode("utf-8", "replace"))
        try:
            return Outcome(data=json.loads(body))
        except ValueError:
            return Outcome(error="the evaluator's output is not JSON")

    def close(self) -> None:
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.kill()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self.proc = None



_SHARED: Evaluator | None = None


def shared(cwd: Path) -> Evaluator:
    """The process's evaluator, pointed at ``cwd`` (a staged tree) for the next jobs."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Evaluator(cwd)
        atexit.register(_SHARED.close)
    _SHARED.cwd = cwd
    return _SHARED


def _serve(lines: Iterator[bytes]) -> None:  # pragma: no cover - the child's loop (exercised through Evaluator)
    from tfparse import ffi, lib

    out = sys.stdout.buffer
    for raw in lines:
        job = json.loads(raw)
        os.chdir(job["cwd"])
        c_vars = [ffi.new("char[]", v.encode()) for v in job["vars"]]
        ret = lib.Parse(ffi.new("char[]", job["dir"].encode()), True, False, False, ffi.new("char[]", b"default"),
                        len(c_vars), c_vars)
        if ret.err != ffi.NULL:
            body, tag = ffi.string(ret.err), b"ERR"
            lib.free(ret.err)
        else:
            body, tag = ffi.string(ret.json), b"OK"
            lib.free(ret.json)
        out.write(tag + b" " + str(len(body)).encode() + b"\n" + body)
        out.flush()


if __name__ == "__main__":  # pragma: no cover
    _serve(iter(sys.stdin.buffer.readline, b""))
