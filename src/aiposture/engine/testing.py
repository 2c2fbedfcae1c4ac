"""Run the example cases embedded in rule files (``aiposture rules test``).

Each case builds a synthetic resource of the rule's kind from ``attrs`` and
checks the engine's verdict against ``expect`` (``skip`` = the rule's
``applies_if`` put the resource out of scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiposture.engine.evaluator import Engine
from aiposture.engine.model import Rule
from aiposture.inventory import make_resource


@dataclass
class CaseOutcome:
    rule: Rule
    index: int
    name: str
    expected: str
    actual: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


def run_rule_tests(rules: list[Rule]) -> list[CaseOutcome]:
    outcomes = []
    for rule in rules:
        engine = Engine([rule])
        for i, case in enumerate(rule.tests):
            provider = case.get("provider") or (rule.providers[0] if rule.providers else "aws")
            res = make_resource(
                id=f"test:{rule.id}:{i}",
                provider=provider,
                kind=rule.kind,
                native_type=case.get("native_type") or "test",
                name=case.get("name", f"case {i + 1}"),
                attrs=case["attrs"],
                origin="inventory",
            )
            results = engine.evaluate_resource(res)
            actual = results[0].status.value if results else "skip"
            detail = results[0].message if results else "rule does not apply"
            outcomes.append(CaseOutcome(rule, i, case.get("name", f"case {i + 1}"), case["expect"], actual, detail))
    return outcomes
