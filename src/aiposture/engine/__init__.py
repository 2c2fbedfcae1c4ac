"""Rule engine: load YAML rules, compile their CEL conditions once, evaluate the inventory.

Public entry points: :func:`load_rules`, :class:`Engine`, :func:`load_config`.
"""

from aiposture.engine.config import Config, Waiver, load_config
from aiposture.engine.evaluator import Engine, summarize
from aiposture.engine.loader import load_rules
from aiposture.engine.model import SEVERITIES, Result, Rule, Status

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
