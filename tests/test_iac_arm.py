"""ARM templates and Bicep: nested deployments, copy loops, existing references, symbolic names, the Bicep CLI."""

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "iac"


def scan_and_judge(*paths, base=ROOT):
    """(inventory, resources by address, {(rule, address): status}) of one scan."""
    doc = scan_paths(list(paths), base=base)
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    status = {(r.rule.id, r.resource["source"]["address"]): r.status.value for r in rep.results}
    return doc, {r["source"]["address"]: r for r in doc["resources"]}, status


@pytest.fixture(scope="module")
def nested():
    return scan_and_judge(FIX / "arm-nested")


def _line(path: Path, n: int) -> str:
    return path.read_text().splitlines()[n - 1]


def test_nested_deployment_inner_scope_gets_parameters_passed_in(nested):
    doc, res, status = nested
    acct = next(r for a, r in res.items() if a.startswith("cog-") and "/" not in a)
    # the module's own default (disableLocalAuth false) is overridden by the value passed in
    assert acct["attrs"]["local_auth_enabled"] is False
    # customSubDomainName = the name built from uniqueString(): exists, value known at deploy time only
    assert acct["attrs"]["custom_subdomain"] is True
    assert acct["region"] == ""  # resourceGroup().location: unknown before deploy
    assert status[("AIP-AUTH-001", acct["source"]["address"])] == "pass"
    assert status[("AIP-NET-001", acct["source"]["address"])] == "fail"  # the module's default: public
    f = FIX / "arm-nested" / "azuredeploy.json"
    assert '"type": "Microsoft.CognitiveServices/accounts"' in _line(f, acct["source"]["line"] + 1)


def test_copy_loop_over_parameter_array_and_property_copy(nested):
    _doc, res, status = nested
    deps = {a.rsplit("/", 1)[-1]: r for a, r in res.items() if r["kind"] == "model_deployment"}
    assert set(deps) == {"chat", "embed"}
    assert deps["chat"]["attrs"]["rate_limit"]["tokens_per_minute"] == 30000
    assert deps["embed"]["attrs"]["model"]["name"] == "text-embedding-3-large"
    acct = next(r for a, r in res.items() if a.startswith("cog-") and "/" not in a)
    assert acct["attrs"]["ip_rule_count"] == 2  # networkAcls.ipRules built by a property copy
    # both instances link to the RAI policy declared in the same module (by name)
    strict = next(r for a, r in res.items() if a.endswith("/strict"))
    assert {d["attrs"]["content_filter"]["id"] for d in deps.values()} == {strict["id"]}
    assert strict["attrs"]["attached"] is True


def test_diagnostic_setting_scoped_to_the_account(nested):
    _doc, res, status = nested
    acct = next(r for a, r in res.items() if a.startswith("cog-") and "/" not in a)
    assert acct["attrs"]["audit_logging"] == {"enabled": True}
    assert acct["attrs"]["invocation_logging"]["destinations"] == ["log_analytics"]
    # the audit group records control-plane operations, not requests: audited, but invocations are not logged
    assert status[("AIP-LOG-003", acct["source"]["address"])] == "pass"
    assert status[("AIP-LOG-001", acct["source"]["address"])] == "fail"
    assert ("AIP-LOG-002", acct["source"]["address"]) not in status


def test_outer_scope_lower_case_types_and_condition(nested):
    _doc, res, status = nested
    legacy = res["legacy-dev"]  # outer scope: parameters('environmentName') is the outer template's
    assert legacy["native_type"] == "Microsoft.CognitiveServices/accounts" and legacy["kind"] == "ai_service"
    assert legacy["region"] == "eastus"
    assert status[("AIP-AUTH-001", "legacy-dev")] == "fail"
    assert "never-deployed" not in res  # condition false with the default parameters


def test_linked_template_is_listed_as_not_checked(nested):
    doc, _res, _status = nested
    nc = [e for e in doc["errors"] if e["code"] == "NotChecked"]
    assert len(nc) == 1 and "templateLink" in nc[0]["message"]
    assert '"name": "linked"' in _line(FIX / "arm-nested" / "azuredeploy.json", nc[0]["scope"]["line"] + 3)
    rep = pipeline.evaluate(doc, pipeline.Options(), Config())
    assert rep.incomplete


def test_symbolic_names_existing_and_copy():
    doc, res, status = scan_and_judge(FIX / "arm-symbolic")
    # "existing": true is a reference: never judged, but its child deployment is
    assert "oai-shared" not in res
    assert res["oai-shared/chat"]["kind"] == "model_deployment"
    assert ("AIP-GR-012", "oai-shared/chat") in status
    assert {a for a in res if a.startswith("oai-") and "/" not in a} == {"oai-eastus", "oai-westeurope"}
    assert res["oai-westeurope"]["region"] == "westeurope"
    assert status[("AIP-AUTH-001", "oai-eastus")] == "pass"
    # a copy over a parameter without default: not silently dropped
    nc = [e for e in doc["errors"] if e["code"] == "NotChecked"]
    assert len(nc) == 1 and "copy loop" in nc[0]["message"] and nc[0]["scope"]["line"] == 34


def test_lower_case_kind_and_type_are_read(tmp_path):
    tpl = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
           "resources": [{"type": "MICROSOFT.COGNITIVESERVICES/ACCOUNTS", "apiVersion": "2023-05-01", "name": "a", "kind": "openai",
                          "properties": {"disableLocalAuth": False},
                          "resources": [{"type": "deployments", "apiVersion": "2023-05-01", "name": "chat",
                                         "properties": {"model": {"name": "gpt-4o"}, "raiPolicyName": "Microsoft.DefaultV2"}}]}]}
    (tmp_path / "t.json").write_text(json.dumps(tpl, indent=1))
    doc, res, _ = scan_and_judge(tmp_path, base=tmp_path)
    assert set(res) == {"a", "a/chat"} and res["a"]["kind"] == "ai_service" and res["a/chat"]["kind"] == "model_deployment"


def test_json_with_comments_is_read(tmp_path):
    (tmp_path / "t.json").write_text('{\n  // ARM accepts comments\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
                                     '  "contentVersion": "1.0.0.0", /* here too */\n  "resources": [\n    {\n'
                                     '      "type": "Microsoft.CognitiveServices/accounts", "name": "c", "kind": "OpenAI", "properties": {"note": "//not a comment"}\n    }\n  ]\n}\n')
    doc, res, _ = scan_and_judge(tmp_path, base=tmp_path)
    assert doc["errors"] == [] and res["c"]["source"]["line"] == 6


# ----------------------------------------------------------------------------- Bicep
BICEP_MAIN = """param location string = resourceGroup().location

module openai 'modules/openai.bicep' = {
  name: 'openai'
  params: { location: location }
}
"""
BICEP_MODULE = """param location string

resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  name: 'oai-bicep'
  location: location
  kind: 'OpenAI'
  properties: { publicNetworkAccess: 'Disabled', disableLocalAuth: false }
}
"""


def _compiled() -> dict:
    inner = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
             "parameters": {"location": {"type": "string"}},
             "resources": [{"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2023-05-01", "name": "oai-bicep",
                            "location": "[parameters('location')]", "kind": "OpenAI",
                            "properties": {"publicNetworkAccess": "Disabled", "disableLocalAuth": False}}]}
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
            "metadata": {"_generator": {"name": "bicep", "version": "0.30.23.60470", "templateHash": "1"}},
            "parameters": {"location": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
            "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "openai",
                           "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
                                          "parameters": {"location": {"value": "[parameters('location')]"}}, "template": inner}}]}


@pytest.fixture
def bicep_tree(tmp_path):
    src = tmp_path / "infra"
    (src / "modules").mkdir(parents=True)
    (src / "main.bicep").write_text(BICEP_MAIN)
    (src / "modules" / "openai.bicep").write_text(BICEP_MODULE)
    return tmp_path


@pytest.fixture
def fake_bicep(tmp_path, monkeypatch):
    """A stand-in `bicep` on PATH: prints the compiled template of main.bicep and logs its arguments."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    out = tmp_path / "compiled.json"
    out.write_text(json.dumps(_compiled(), indent=2))
    log = tmp_path / "calls.log"
    exe = bindir / "bicep"
    exe.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                   f"sys.stdout.write(open({str(out)!r}).read())\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def test_bicep_without_cli_is_not_checked_with_the_command(bicep_tree, monkeypatch):
    monkeypatch.setenv("PATH", str(bicep_tree / "empty"))
    doc, res, _ = scan_and_judge(bicep_tree, base=bicep_tree)
    assert res == {}
    nc = [e for e in doc["errors"] if e["code"] == "NotChecked"]
    # only the root is listed: the module is compiled into it
    assert [e["scope"]["file"] for e in nc] == ["infra/main.bicep"]
    assert "bicep build main.bicep" in nc[0]["message"] and "az bicep build --file main.bicep" in nc[0]["message"]


def test_bicep_with_cli_compiles_the_root_once_and_points_at_bicep_lines(bicep_tree, fake_bicep):
    doc, res, status = scan_and_judge(bicep_tree, base=bicep_tree)
    assert doc["errors"] == []
    calls = fake_bicep.read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("build --stdout --no-restore") and calls[0].endswith("main.bicep")
    acct = res["oai-bicep"]
    assert acct["source"]["file"] == "infra/main.bicep" and acct["source"]["line"] == 3  # the module declaration
    assert status[("AIP-NET-001", "oai-bicep")] == "pass" and status[("AIP-AUTH-001", "oai-bicep")] == "fail"


def test_bicep_beside_its_compiled_template_is_read_once(bicep_tree, fake_bicep, monkeypatch):
    (bicep_tree / "infra" / "azuredeploy.json").write_text(json.dumps(_compiled(), indent=2))
    doc, res, _ = scan_and_judge(bicep_tree, base=bicep_tree)  # with the CLI: through main.bicep, the JSON is skipped
    assert list(res) == ["oai-bicep"] and res["oai-bicep"]["source"]["file"] == "infra/main.bicep"
    assert any("azuredeploy.json: compiled from main.bicep" in n for n in doc["scan"]["notes"])
    monkeypatch.setenv("PATH", str(bicep_tree / "empty"))
    doc, res, _ = scan_and_judge(bicep_tree, base=bicep_tree)  # without: through the JSON, the .bicep is not listed as unread
    assert list(res) == ["oai-bicep"] and res["oai-bicep"]["source"]["file"] == "infra/azuredeploy.json"
    assert doc["errors"] == [] and any("main.bicep: read through its compiled template" in n for n in doc["scan"]["notes"])


def test_bicep_cli_failure_and_outside_paths(bicep_tree, fake_bicep, tmp_path):
    exe = Path(os.environ["PATH"].split(os.pathsep)[0]) / "bicep"
    exe.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('/x/main.bicep(4,3) : Error BCP057: The name \"secret\" does not exist.')\nsys.exit(1)\n")
    doc, _res, _ = scan_and_judge(bicep_tree, base=bicep_tree)
    err = next(e for e in doc["errors"] if e["scope"]["file"] == "infra/main.bicep")
    assert err["code"] == "ParseError" and "BCP057" in err["message"] and err["scope"]["line"] == 4
    assert "secret" not in err["message"]  # compiler text is not copied
    (bicep_tree / "infra" / "main.bicep").write_text("var x = loadTextContent('../../../etc/passwd')\n")
    doc, _res, _ = scan_and_judge(bicep_tree, base=bicep_tree)
    err = next(e for e in doc["errors"] if e["scope"]["file"] == "infra/main.bicep")
    assert err["code"] == "NotChecked" and "outside the scanned tree" in err["message"]


@pytest.mark.parametrize(("sub", "want"), [
    # a known argument makes the name certainly non-empty (foundry-samples 41-standard-agent-setup)
    ("[toLower(format('{0}{1}', parameters('prefix'), substring(uniqueString(resourceGroup().id), 0, 4)))]", "pass"),
    # only deploy-time parts, none certainly non-empty: unknown
    ("[format('{0}{1}', parameters('nodefault'), substring(uniqueString(resourceGroup().id), 0, 4))]", "error"),
])
def test_format_with_a_known_argument_is_a_set_subdomain(tmp_path, sub, want):
    tpl = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
           "parameters": {"prefix": {"type": "string", "defaultValue": "foundy"}, "nodefault": {"type": "string"}},
           "resources": [{"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2025-04-01-preview", "name": "acct",
                          "kind": "AIServices", "properties": {"customSubDomainName": sub}}]}
    (tmp_path / "t.json").write_text(json.dumps(tpl, indent=1))
    _, _, status = scan_and_judge(tmp_path, base=tmp_path)
    assert status[("AIP-AUTH-002", "acct")] == want
