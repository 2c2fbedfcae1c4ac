"""Rule engine: load YAML rules, compile their CEL conditions once, evaluate the inventory.

Public entry points: :func:`load_rules`, :class:`Engine`, :func:`load_config`.

The names are resolved on first use (PEP 562): importing ``aiposture.engine.model``
for the result types must not load YAML, the CEL runtime or the evaluator, so
commands that never evaluate (``--help``, ``permissions``) start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiposture.engine.config import Config, Waiver, load_config
    from aiposture.engine.evaluator import Engine, summarize
    from aiposture.engine.loader import load_rules
    from aiposture.engine.model import SEVERITIES, Result, Rule, Status

_HOME = {
    "SEVERITIES": "model", "Result": "model", "Rule": "model", "Status": "model",
    "Config": "config", "Waiver": "config", "load_config": "config",
    "Engine": "evaluator", "summarize": "evaluator",
    "load_rules": "loader",
}

__all__ = [
    "SEVERITIES",
    "Config",
    "Engine",
    "Result",
    "Rule",
    "Status",
    "Waiver",
    "load_config",
    "load_rules",
    "summarize",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'aiposture.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"aiposture.engine.{home}"), name)
    globals()[name] = value
    return value
