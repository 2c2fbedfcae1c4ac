"""Shared by the hostile-input tests of the CLI, configuration, inventory and writers.

The CLI runs in-process through click's runner (fast) except where a real process
matters (argv bytes, environment, exit codes seen by a shell).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from aiposture import inventory as inv
from aiposture.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "inventory.json"
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
EXIT_CODES = {0, 1, 2, 3}

# what a hostile name tries: clear the screen, retitle the terminal, reverse text, forge a log line,
# inject HTML/JS/Markdown, start a spreadsheet formula, break XML, and a GitHub workflow command
HOSTILE_NAME = ("evil\x1b[2J\x1b]0;pwned\x07\u202egnp.exe\n::error::forged<script>alert(1)</script>"
                "<img src=x onerror=alert(2)>[link](https://evil.example) x;=1+2 \ufffe\uffff\x01")


class Ran:
    """Outcome of one CLI run: exit code, stdout, stderr (text)."""

    def __init__(self, code: int, stdout: str, stderr: str, exception: BaseException | None = None):
        self.code, self.stdout, self.stderr, self.exception = code, stdout, stderr, exception

    def __repr__(self) -> str:
        return f"Ran(code={self.code}, stderr={self.stderr[-600:]!r})"


def cli(*args: Any, env: dict[str, str] | None = None) -> Ran:
    """Run the CLI in-process; fail the test on an escaped exception (a traceback for a user)."""
    r = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=True)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"uncaught {type(r.exception).__name__}: {r.exception}") from r.exception
    assert "Traceback" not in r.stderr, r.stderr
    return Ran(r.exit_code, r.stdout, r.stderr, r.exception)


def proc(*args: Any, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a real process (argv bytes, environment); never a traceback."""
    argv = [sys.executable, "-m", "aiposture", *[a if isinstance(a, bytes) else str(a) for a in args]]
    p = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=180)
    assert b"Traceback" not in p.stderr, p.stderr.decode("utf-8", "replace")
    return p


def one_error_line(ran: Ran, *must_name: str) -> str:
    """A user mistake: exit 2, exactly one 'error:' line on stderr naming each of ``must_name``."""
    assert ran.code == 2, ran
    lines = [x for x in ran.stderr.splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith("error:")]
    assert len(errors) == 1 and len(lines) == 1, ran.stderr
    for name in must_name:
        assert name in errors[0], (name, errors[0])
    return errors[0]


def example_doc() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def failing_filter(rid: str = "gr-1", name: str = "guardrail", **extra: Any) -> dict[str, Any]:
    """A live-shaped content filter that fails AIP-GR-001 (no prompt-attack filter)."""
    r = inv.make_resource(id=rid, provider="aws", kind="content_filter", native_type="AWS::Bedrock::Guardrail",
                          name=name, account="111122223333", region="eu-west-1",
                          attrs={"prompt_attack": {"enabled": False}})
    r.update(extra)
    return r


def write_doc(path: Path, resources: list[dict[str, Any]], errors: list[dict[str, Any]] | None = None) -> Path:
    inv.save(inv.new_document(resources, errors), path)
    return path
