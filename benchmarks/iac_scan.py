"""Terraform plan with N AI resources: wall time and peak memory of `aiposture iac`'s read + evaluate.

    python benchmarks/iac_scan.py [N]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths


def make_plan(n: int) -> dict:
    res, changes = [], []
    for i in range(n):
        k = i % 3
        if k == 0:
            t, v = "aws_bedrock_guardrail", {"name": f"g{i}", "content_policy_config": [{"filters_config": [
                {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"},
                {"type": "HATE", "input_strength": "LOW", "output_strength": "LOW"}]}]}
        elif k == 1:
            t, v = "azurerm_cognitive_account", {"name": f"a{i}", "kind": "OpenAI", "local_auth_enabled": i % 2 == 0,
                                                 "public_network_access_enabled": True}
        else:
            t, v = "google_vertex_ai_endpoint", {"name": f"e{i}", "location": "europe-west4", "project": "p"}
        addr = f"{t}.r{i}"
        res.append({"address": addr, "mode": "managed", "type": t, "name": f"r{i}", "values": v})
        changes.append({"address": addr, "type": t, "change": {"actions": ["create"], "after_unknown": {"id": True}}})
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": res}}, "resource_changes": changes,
            "configuration": {"root_module": {"resources": []}}}


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "plan.json"
        p.write_text(json.dumps(make_plan(n)))
        t0 = time.perf_counter()
        doc = scan_paths([p], base=Path(d))
        t1 = time.perf_counter()
        rep = pipeline.evaluate(doc, pipeline.Options(), Config())
        t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"N={n}: read+normalise {t1 - t0:.2f} s, rules {t2 - t1:.2f} s, total {t2 - t0:.2f} s, "
          f"{len(doc['resources'])} resources, {len(rep.results)} results, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
