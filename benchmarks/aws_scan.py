"""Live AWS scan of N accounts x M regions against moto (+ the test gap fake) with added per-request latency.

    python benchmarks/aws_scan.py [ACCOUNTS] [REGIONS] [LATENCY_MS] [WORKERS] [KEEP_DIR]

Each member account gets, per region, two guardrails (one published version),
an agent with an action group, a provisioned throughput and a customization
job; plus two IAM roles and an API key per account. moto and the fake run in
a child process; the scan is the real CLI (``aiposture scan aws --org ...``)
in a process of its own, so its peak RSS is the scanner's alone. Prints wall
time, the latency bound (API calls x latency / workers) and the ratio to it,
peak RSS, CPU per call and the load average of the machine (it is shared).
Needs the test extras (moto).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiposture.collect.aws_session import new_session
from aiposture.collect.aws_transport import ClientPool
from tests import aws_scenario as sc
from tests.fakes.aws import AwsFake

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2"]


def populate(pool, account: str, regions: list[str]) -> None:
    """One account's world, through shared clients (creating boto3 clients per account made setup slower than the scan)."""
    from botocore.credentials import Credentials

    from aiposture.collect.aws_transport import bound

    with bound(Credentials("bench", "bench")):
        creds = pool.client("sts", "us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="setup")["Credentials"]
    with bound(Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])):
        iam = pool.client("iam", None)
        iam.create_role(RoleName="agent", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(RoleName="agent", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}))
        iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(RoleName="app", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}))
        iam.create_user(UserName="dev")
        iam.create_service_specific_credential(UserName="dev", ServiceName="bedrock.amazonaws.com")
        for region in regions:
            br, ag = pool.client("bedrock", region), pool.client("bedrock-agent", region)
            g = br.create_guardrail(name="g", blockedInputMessaging="x", blockedOutputsMessaging="x",
                                    contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH",
                                                                            "outputStrength": "NONE"}]})
            br.create_guardrail_version(guardrailIdentifier=g["guardrailId"])
            br.create_guardrail(name="g2", blockedInputMessaging="x", blockedOutputsMessaging="x")
            a = ag.create_agent(agentName="a", agentResourceRoleArn=f"arn:aws:iam::{account}:role/agent",
                                foundationModel="m")["agent"]
            ag.create_agent_action_group(agentId=a["agentId"], agentVersion="DRAFT", actionGroupName="x",
                                         functionSchema={"functions": [{"name": "f"}]})
            br.create_provisioned_model_throughput(modelUnits=1, provisionedModelName="pt", modelId="amazon.titan-text-lite-v1")
            # warm moto's lazily built per-account/region backends (the first EC2 call builds default VPCs),
            # so the scan measures the collector, not moto's start-up
            pool.client("ec2", region).describe_vpc_endpoints()
            pool.client("cloudtrail", region).describe_trails()
            br.get_model_invocation_logging_configuration()
            br.list_custom_models()
            ag.list_knowledge_bases()


def build_org(n: int, regions: list[str]) -> list[str]:
    """An organisation of ``n`` member accounts, each populated by :func:`populate` (the fake must be up)."""
    t = time.perf_counter()
    accounts = sc.make_org([f"acct{i}" for i in range(n)])
    clients = ClientPool(new_session(), max_attempts=3, connect_timeout=5, read_timeout=60, pool_size=8)
    with ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda a: populate(clients, a, regions), accounts))
    print(f"setup: {n} accounts x {len(regions)} regions in {time.perf_counter() - t:.1f}s")
    return accounts


# The CLI, reporting its own peak RSS (VmHWM) at exit. ru_maxrss from wait4 is no good here: Linux carries
# the forking parent's high-water mark across exec, and this parent holds the setup's clients.
PEAK_RSS_WRAPPER = """
import atexit, re, sys
out = sys.argv.pop(1)
def peak():
    status = open('/proc/self/status').read()
    open(out, 'w').write(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))
atexit.register(peak)
sys.argv[0] = 'aiposture'
from aiposture.cli import main
main()
"""


def scan(url: str, regions: list[str], workers: int, out: Path) -> dict:
    """Run the CLI in its own process; return its wall time, peak RSS and CPU, and the inventory it saved."""
    env = {**os.environ, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "us-east-1"}
    cmd = [sys.executable, "-c", PEAK_RSS_WRAPPER, str(out / "peak-rss"), "scan", "aws", "--org", "--role-name", "OrganizationAccountAccessRole",
           "--regions", ",".join(regions), "--workers", str(workers), "-q", "--save-inventory", str(out / "inv.json"),
           "-f", "json", "-o", str(out / "results.json"), "--soft-fail", "--tolerate-errors"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=out)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"scan failed with exit code {os.waitstatus_to_exitcode(status)}")
    doc = json.loads((out / "inv.json").read_text())
    rss_mb = int((out / "peak-rss").read_text()) / 1024
    return {"wall": wall, "rss_mb": rss_mb, "cpu": usage.ru_utime + usage.ru_stime, "doc": doc}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    latency = (int(sys.argv[3]) if len(sys.argv) > 3 else 50) / 1000
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    keep = Path(sys.argv[5]).resolve() if len(sys.argv) > 5 else None
    regions = REGIONS[:m]
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # the child does not need moto's AMI catalogue
    q: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=AwsFake.serve_in_child, args=(q,), daemon=True)
    child.start()
    url = q.get(timeout=60)
    os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    try:
        build_org(n, regions)
        urllib.request.urlopen(f"{url}/__fake/latency/{int(latency * 1000)}").read()
        load0 = os.getloadavg()
        if keep:  # keep the inventory and results (e.g. to measure evaluation alone with 'scan --inventory')
            keep.mkdir(parents=True, exist_ok=True)
            r = scan(url, regions, workers, keep)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                r = scan(url, regions, workers, Path(tmp))
        load1 = os.getloadavg()
    finally:
        child.terminate()
    doc = r["doc"]
    calls = doc["scan"]["api_calls"]
    bound = calls * latency / workers
    collect_s = doc["scan"].get("duration_seconds", 0.0)
    print(f"scan: {n} accounts x {m} regions, {latency * 1000:.0f} ms per request, {workers} workers "
          "(CLI in its own process; moto + fake in another)")
    print(f"  wall time        {r['wall']:.1f} s (collection {collect_s:.1f} s, the rest is start-up, rules and reports)")
    print(f"  latency bound    {bound:.1f} s = {calls} calls x {latency * 1000:.0f} ms / {workers} workers")
    print(f"  ratio to bound   {collect_s / bound if bound else 0:.2f} (collection), {r['wall'] / bound if bound else 0:.2f} (wall)")
    print(f"  peak RSS         {r['rss_mb']:.0f} MB")
    print(f"  scanner CPU      {r['cpu']:.1f} s ({r['cpu'] / max(calls, 1) * 1000:.2f} ms per call, all included)")
    print(f"  resources        {len(doc['resources'])}, scope errors {len(doc['errors'])}")
    print(f"  load average     {load0[0]:.1f} before, {load1[0]:.1f} after (1 min; 2 cores, shared)")


if __name__ == "__main__":
    main()
