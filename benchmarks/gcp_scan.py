"""Live Google Cloud scan of N projects x M locations against the local REST fake with added latency.

    python benchmarks/gcp_scan.py [PROJECTS] [LOCATIONS] [LATENCY_MS] [WORKERS] [ESTATE]

Every project/location has an endpoint, a model, a dataset, an Agent Engine and a
Model Armor template; every project an IAM policy, a floor setting and an org
policy, and sits in a folder under one organisation (whose policies are read once).
Locations are discovered per project (ListLocations), as without --locations; the
fake offers exactly the M locations. ESTATE=1 adds the estate around Vertex AI (tests/gcp_estate_scenario.py:
a perimeter and the organisation policies, a data store, a RAG corpus with its files, a Workbench instance and its
VM, a Colab runtime template per project). Prints wall time, API calls and calls per resource.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import print_scan

from tests import gcp_estate_scenario as es
from tests import gcp_scenario as sc
from tests.fakes.gcp import GcpFake, render

LOCATIONS = ["us-central1", "us-east4", "europe-west4", "asia-northeast1", "europe-west1", "us-west1"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    latency = (int(sys.argv[3]) if len(sys.argv) > 3 else 30) / 1000
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    estate = len(sys.argv) > 5 and sys.argv[5] == "1"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    fake = GcpFake(page_size=100).start()
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    key = Path(tempfile.mkdtemp()) / "sa.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": "bench", "private_key_id": "1", "private_key": pem,
                               "client_email": "b@bench.iam.gserviceaccount.com", "client_id": "1",
                               "token_uri": f"{fake.url}/token"}))
    os.environ["GOOGLE_APPLICATION_CREDENTIALS"] = str(key)
    locs = LOCATIONS[:m]
    fake.vertex_locations = locs
    fake.armor_locations = locs
    fake.add_folder("100", "organizations/1")
    for i in range(n):
        p = f"prj-{i}"
        (es if estate else sc).populate(fake, p, hardened=i % 2 == 0)
        fake.projects[p]["parent"] = "folders/100"
        for loc in locs[1:]:
            for coll in ("endpoints", "models", "datasets", "reasoningEngines", "templates"):
                fake.data[(p, loc, coll)] = [json.loads(json.dumps(render(x, True)).replace(sc.LOC, loc))
                                             for x in fake.data[(p, sc.LOC, coll)]]
    fake.latency = latency

    from aiposture.collect.gcp_vertex import GcpOptions, collect

    cpu0, t = time.process_time(), time.perf_counter()
    doc = collect(GcpOptions(endpoint_template=fake.url, workers=workers), quiet=True)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu0
    print_scan(f"scan: {n} projects x {m} locations{' with the estate around Vertex AI' if estate else ''}, "
               f"{latency * 1000:.0f} ms per request, {workers} workers", doc, wall, cpu)
    fake.stop()


if __name__ == "__main__":
    main()
