"""Worst cases of hostile CloudFormation / ARM inputs: wall time and peak memory of `aiposture iac`'s read.

    python benchmarks/hostile_templates.py [N]

Each case runs in its own child process so peak memory (ru_maxrss) is the case's own.
Cases: a ~1 KB CloudFormation YAML alias bomb (9 levels, 9**9 nodes expanded), ARM variables
doubling N times (strings, and arrays of shared references), a self-referencing variable.
Every case must end as "not checked" (TooComplex) in bounded time and memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
from aiposture.iac.scan import scan_paths
doc = scan_paths([Path(sys.argv[1])], base=Path(sys.argv[1]).parent)
took = time.perf_counter() - t
codes = sorted({e['code'] for e in doc['errors']})
print(json.dumps({'seconds': round(took, 3), 'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  'codes': codes, 'resources': len(doc['resources'])}))
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hostile"))
    from test_hostile_arm_cfn import _arm, arm_doubling, cfn_alias_bomb

    cases = {
        "cfn_alias_bomb.yaml": cfn_alias_bomb(9),
        f"arm_doubling_strings_N{n}.json": json.dumps(arm_doubling(n)),
        f"arm_doubling_arrays_N{n}.json": json.dumps(arm_doubling(n, arrays=True)),
        "arm_self_reference.json": json.dumps(_arm({"a": "[variables('a')]"}, name="[variables('a')]")),
    }
    with tempfile.TemporaryDirectory() as d:
        print(f"{'case':34} {'bytes':>7} {'seconds':>8} {'peak MB':>8}  result")
        for name, text in cases.items():
            p = Path(d) / name
            p.write_text(text)
            out = subprocess.run([sys.executable, "-c", CHILD, str(p)], capture_output=True, text=True, check=True).stdout
            r = json.loads(out)
            print(f"{name:34} {len(text.encode()):>7} {r['seconds']:>8} {r['peak_mb']:>8}  {','.join(r['codes'])} ({r['resources']} resources)")


if __name__ == "__main__":
    main()
