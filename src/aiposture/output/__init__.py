"""Views of a scan: every writer turns one :class:`Report` into text.

Writers never evaluate anything; they only format what the engine decided.
Anything that came from a cloud or a repository (names, tags, ids) is
attacker-controlled and must be escaped for the target format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiposture import __version__
from aiposture.engine.model import Result, Rule, Status


@dataclass
class Report:
    results: list[Result]
    rules: list[Rule]
    inventory: dict[str, Any]
    inventory_path: Path | None = None  # file live findings point at (SARIF)
    inventory_lines: dict[str, int] | None = None  # resource id -> line in that file, when known without reading it
    rule_problems: list[str] = field(default_factory=list)
    category: str | None = None
    tool_version: str = __version__
    # every rule loaded before selection: tells "not selected" from "not covered by any rule"
    available_rules: list[Rule] = field(default_factory=list)
    # how the run was made (command line, selection, config file), for the evidence pack
    run: dict[str, Any] = field(default_factory=dict)
    # failing findings of the earlier stored scans of this scope, oldest first (the HTML trend chart);
    # set when the scan is stored (--store), see aiposture.store.trend
    trend: list[dict[str, Any]] | None = None

    @property
    def scan_errors(self) -> list[dict[str, Any]]:
        return self.inventory.get("errors", [])

    def by_status(self, *statuses: Status) -> list[Result]:
        return [r for r in self.results if r.status in statuses]

    @property
    def incomplete(self) -> bool:
        """Something the selected rules needed could not be checked.

        Cloud scope errors already became ``error`` results for the rules they
        affect; IaC file errors (provider ``iac``) feed no rule, so they count
        on their own. Broken rule files always count.
        """
        return bool(
            self.rule_problems
            or self.by_status(Status.ERROR)
            or any(e.get("provider") not in ("aws", "azure", "gcp") for e in self.scan_errors)
        )


Writer = Callable[[Report], str]


def _lazy(module: str) -> Writer:
    """A writer whose module is imported on first call (the table writer alone pulls in rich)."""

    def render(report: Report) -> str:
        import importlib

        fn: Writer = importlib.import_module(f"aiposture.output.{module}").render
        return fn(report)

    return render


def writers() -> dict[str, Writer]:
    """Format name -> writer. Each writer's module is imported when it is used, so start-up stays cheap."""
    return {
        "table": _lazy("table"),
        "json": _lazy("json_out"),
        "sarif": _lazy("sarif"),
        "junit": _lazy("junit"),
        "csv": _lazy("csv_out"),
        "html": _lazy("html"),
        "markdown": _lazy("markdown"),
    }


FORMATS = ("table", "json", "sarif", "junit", "csv", "html", "markdown", "evidence")
BINARY_FORMATS = ("evidence",)  # written as files only (a zip), never to stdout
DEFAULT_FILENAMES = {
    "table": "aiposture.txt",
    "json": "aiposture.json",
    "sarif": "aiposture.sarif",
    "junit": "aiposture-junit.xml",
    "csv": "aiposture.csv",
    "html": "aiposture.html",
    "markdown": "aiposture.md",
    "evidence": "aiposture-evidence.zip",
}
