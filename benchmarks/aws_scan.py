"""Live AWS scan of N accounts x M regions against moto (+ the test gap fake) with added per-request latency.

    python benchmarks/aws_scan.py [ACCOUNTS] [REGIONS] [LATENCY_MS] [WORKERS]

Each member account gets, per region, two guardrails (one published version),
an agent with an action group, a provisioned throughput and a customization
job; plus two IAM roles and an API key per account. Prints wall time, API
calls made and calls per resource. Needs the test extras (moto).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import print_scan

from tests import aws_scenario as sc
from tests.fakes.aws import AwsFake

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2"]


def populate(account: str, regions: list[str]) -> None:
    import json

    creds = sc.assume(account)
    for i, region in enumerate(regions):
        c = sc.clients(creds, region)
        g = c["bedrock"].create_guardrail(name="g", blockedInputMessaging="x", blockedOutputsMessaging="x",
                                          contentPolicyConfig={"filtersConfig": [{"type": "PROMPT_ATTACK", "inputStrength": "HIGH",
                                                                                  "outputStrength": "NONE"}]})
        c["bedrock"].create_guardrail_version(guardrailIdentifier=g["guardrailId"])
        c["bedrock"].create_guardrail(name="g2", blockedInputMessaging="x", blockedOutputsMessaging="x")
        if i == 0:
            c["iam"].create_role(RoleName="agent", AssumeRolePolicyDocument="{}")
            c["iam"].put_role_policy(RoleName="agent", PolicyName="p", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}))
            c["iam"].create_role(RoleName="app", AssumeRolePolicyDocument="{}")
            c["iam"].put_role_policy(RoleName="app", PolicyName="p", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}))
            c["iam"].create_user(UserName="dev")
            c["iam"].create_service_specific_credential(UserName="dev", ServiceName="bedrock.amazonaws.com")
        a = c["bedrock-agent"].create_agent(agentName="a", agentResourceRoleArn=f"arn:aws:iam::{account}:role/agent",
                                            foundationModel="m")["agent"]
        c["bedrock-agent"].create_agent_action_group(agentId=a["agentId"], agentVersion="DRAFT", actionGroupName="x",
                                                     functionSchema={"functions": [{"name": "f"}]})
        c["bedrock"].create_provisioned_model_throughput(modelUnits=1, provisionedModelName="pt", modelId="amazon.titan-text-lite-v1")
        # warm moto's lazily built per-account/region backends (first EC2 call builds default VPCs: seconds),
        # so the scan measures the collector, not moto's start-up
        c["ec2"].describe_vpc_endpoints()
        c["cloudtrail"].describe_trails()
        c["bedrock"].get_model_invocation_logging_configuration()
        c["bedrock"].list_custom_models()
        c["bedrock-agent"].list_knowledge_bases()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    latency = (int(sys.argv[3]) if len(sys.argv) > 3 else 30) / 1000
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    regions = REGIONS[:m]
    # moto and the fake run in a child process so their CPU time does not share the scanner's GIL
    q: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=AwsFake.serve_in_child, args=(q,), daemon=True)
    child.start()
    url = q.get(timeout=60)
    os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    t = time.perf_counter()
    accounts = sc.make_org([f"acct{i}" for i in range(n)])
    for a in accounts:
        populate(a, regions)
    print(f"setup: {n} accounts x {m} regions in {time.perf_counter() - t:.1f}s")

    from aiposture.collect.aws_bedrock import collect
    from aiposture.collect.aws_session import AwsOptions

    urllib.request.urlopen(f"{url}/__fake/latency/{int(latency * 1000)}").read()
    cpu0 = time.process_time()
    t = time.perf_counter()
    doc = collect(AwsOptions(regions=regions, org=True, role_name="OrganizationAccountAccessRole", workers=workers), quiet=True)
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    print_scan(f"scan: {n} accounts x {m} regions, {latency * 1000:.0f} ms per request, {workers} workers", doc, wall, cpu,
               "scanner CPU (moto runs in a child process)")
    child.terminate()


if __name__ == "__main__":
    main()
