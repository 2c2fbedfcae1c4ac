"""Live Azure scan of N subscriptions x M accounts against the local HTTPS ARM fake with added latency.

    python benchmarks/azure_scan.py [SUBSCRIPTIONS] [ACCOUNTS] [LATENCY_MS] [WORKERS] [FOUNDRY_PROJECTS]

Every account has two deployments, three RAI policies, Defender settings, a
diagnostic setting and a role assignment. With FOUNDRY_PROJECTS > 0 every
subscription also has a Foundry (AIServices) account with that many projects
(each with a connection and a capability host) and the Azure ML workspaces of
tests/data/azure_ai (hub, project, default, with connections and datastores).
Prints wall time, API calls and calls per resource. Needs the test extras (trustme).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import trustme
from _report import print_scan

from tests import azure_scenario as sc
from tests.fakes.azure import AzureFake


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    latency = (int(sys.argv[3]) if len(sys.argv) > 3 else 30) / 1000
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    projects = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    ca = trustme.CA()
    fake = AzureFake(ca, page_size=100).start()
    tmp = Path(tempfile.mkdtemp())
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    az = tmp / "az"
    az.write_text(f"#!{sys.executable}\nimport json, time\n"
                  "print(json.dumps({'accessToken': 't', 'expires_on': int(time.time()) + 3600}))\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    os.environ.update(PATH=f"{tmp}{os.pathsep}{os.environ['PATH']}", AZURE_TOKEN_CREDENTIALS="AzureCliCredential",
                      REQUESTS_CA_BUNDLE=str(tmp / "ca.pem"))
    for i in range(n):
        sub = f"{i:08d}-0000-0000-0000-000000000000"
        fake.add_subscription(sub)
        for j in range(m):
            sc.populate(fake, sub, hardened=j % 2 == 0, name=f"aoai-{j}")
        if projects:
            _foundry(fake, sub, projects)
    fake.latency = latency

    from aiposture.collect.azure_openai import AzureOptions, collect

    cpu0, t = time.process_time(), time.perf_counter()
    doc = collect(AzureOptions(arm_endpoint=fake.url, workers=workers), quiet=True)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu0
    extra = f" + Foundry account with {projects} projects and 3 ML workspaces each" if projects else ""
    print_scan(f"scan: {n} subscriptions x {m} accounts{extra}, {latency * 1000:.0f} ms per request, {workers} workers",
               doc, wall, cpu)
    fake.stop()


def _foundry(fake, sub: str, projects: int) -> None:
    import copy

    from tests import azure_ai_scenario as ai

    ids = ai.populate_foundry(fake, sub)
    acct = fake.accounts[ids["foundry"].lower()]
    template, children = acct["projects"][0], acct["project_children"]["support"]
    acct["projects"] = []
    for k in range(projects):
        p = copy.deepcopy(template)
        p["name"], p["id"] = f"p{k}", template["id"].rsplit("/", 1)[0] + f"/p{k}"
        acct["projects"].append(p)
        acct["project_children"][f"p{k}"] = children
    ai.populate_aml(fake, sub)


if __name__ == "__main__":
    main()
