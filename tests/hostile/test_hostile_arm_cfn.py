"""Hostile CloudFormation and ARM inputs (issue 10): bounded parsing, "not checked", never a traceback.

Each case ends as a ``TooComplex`` (or ``ParseError``) entry naming the file, the run exits 3,
and no message quotes the file. Worst-case figures are printed by
``benchmarks/hostile_templates.py``; no timing is asserted here.
"""

import json
import string

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiposture.cli import main
from aiposture.iac.scan import scan_paths

SECRET = "AKIA-HOSTILE-SECRET-0000"
ARM_HEAD = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"}


def cfn_alias_bomb(levels: int = 9) -> str:
    """~1 KB of YAML whose aliases expand to 9**levels nodes (billion laughs)."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Metadata:", f'  a0: &a0 ["{SECRET}","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    lines += ["Resources:", "  G:", "    Type: AWS::Bedrock::Guardrail", "    Properties:", f"      Name: *a{levels - 1}"]
    return "\n".join(lines) + "\n"


def arm_doubling(n: int = 30, arrays: bool = False) -> dict:
    """Variables that double at each step: 2**n without memoisation and a size bound."""
    if arrays:
        variables = {"v0": [SECRET]} | {f"v{i}": [f"[variables('v{i - 1}')]"] * 2 for i in range(1, n + 1)}
    else:
        variables = {"v0": SECRET} | {f"v{i}": f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]" for i in range(1, n + 1)}
    return {**ARM_HEAD, "variables": variables,
            "resources": [{"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2023-05-01", "kind": "OpenAI",
                           "name": "oai", "properties": {"customSubDomainName": f"[variables('v{n}')]"}}]}


def _arm(variables=None, parameters=None, name="oai") -> dict:
    return {**ARM_HEAD, "parameters": parameters or {}, "variables": variables or {},
            "resources": [{"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2023-05-01", "kind": "OpenAI",
                           "name": name, "properties": {}}]}


def _nest(depth: int) -> dict:
    inner: dict = {**ARM_HEAD, "resources": []}
    for _ in range(depth):
        inner = {**ARM_HEAD, "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d",
                                             "properties": {"mode": "Incremental", "template": inner}}]}
    return inner


CASES = {
    "alias_bomb.yaml": cfn_alias_bomb(),
    "doubling.json": json.dumps(arm_doubling()),
    "doubling_arrays.json": json.dumps(arm_doubling(arrays=True)),
    "self_variable.json": json.dumps(_arm({"a": "[variables('a')]", "s": SECRET}, name="[variables('a')]")),
    "mutual_variables.json": json.dumps(_arm({"a": "[concat(variables('b'), 'x')]", "b": "[variables('a')]"}, name="[variables('a')]")),
    "self_parameter.json": json.dumps(_arm(parameters={"p": {"type": "string", "defaultValue": "[parameters('p')]"}},
                                           name="[parameters('p')]")),
    "deep_expression.json": json.dumps(_arm(name="[" + "concat(" * 3000 + f"'{SECRET}'" + ")" * 3000 + "]")),
    "deep_json.json": '{"$schema": "deploymentTemplate.json", "contentVersion": "1", "resources": [' + "[" * 50000 + "]" * 50000 + "]}",
    "deep_yaml.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep_cfn_values.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  G:\n    Type: AWS::Bedrock::Guardrail\n"
                            "    Properties:\n      Name: " + "{a: " * 150 + "x" + "}" * 150 + "\n",
    "nested_deployments.json": json.dumps(_nest(60)),
}


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    for name, text in CASES.items():
        (d / name).write_text(text)
    return d


@pytest.fixture(scope="module")
def scanned(hostile_tree):
    return scan_paths([hostile_tree], base=hostile_tree)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_is_not_checked_with_a_clear_reason(scanned, name):
    errs = [e for e in scanned["errors"] if e["scope"].get("file") == name]
    assert len(errs) == 1, errs
    assert errs[0]["code"] == "TooComplex"
    assert errs[0]["message"].startswith("not checked: too large or too deeply nested")


def test_no_message_quotes_the_file(scanned):
    assert SECRET not in json.dumps(scanned)
    assert scanned["resources"] == []


def test_cli_exits_3_without_traceback_and_outputs_stay_clean(hostile_tree, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["iac", str(hostile_tree), "-q", "-f", "sarif", "-o", str(tmp_path / "out.sarif"),
                               "-f", "json", "-o", str(tmp_path / "out.json")])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 3, res.output
    for f in ("out.sarif", "out.json"):
        text = (tmp_path / f).read_text()
        assert SECRET not in text
        json.loads(text)


# ----------------------------------------------------------------------------- property-based fuzz
_KEYS = ["type", "name", "kind", "properties", "copy", "count", "input", "condition", "existing", "resources", "template",
         "parameters", "variables", "value", "defaultValue", "expressionEvaluationOptions", "scope", "Type", "Properties",
         "Ref", "Fn::If", "Fn::Sub", "Fn::ForEach::L", "Condition", "Fn::Join", "Fn::FindInMap", "Fn::GetAtt"]
_EXPR = st.sampled_from([
    "[parameters('p')]", "[variables('v')]", "[variables('v')[0]]", "[copyIndex()]", "[concat(variables('v'), 'x')]",
    "[format('{0}/{1}', parameters('p'), 'c')]", "[if(equals(parameters('p'), 'a'), 'x', null())]", "[length(parameters('p'))]",
    "[resourceId('Microsoft.CognitiveServices/accounts', 'a')]", "[reference('a').x]", "[union(variables('v'), createObject())]",
    "[map(parameters('p'), lambda('x', lambdaVariables('x')))]", "[json('{\"a\":1}')]", "[range(0, 5000000)]", "[", "[]", "[[x]",
    "Microsoft.CognitiveServices/accounts", "microsoft.cognitiveservices/accounts/deployments", "Microsoft.Resources/deployments",
    "AWS::Bedrock::Guardrail", "AWS::Bedrock::Agent", "AWS::IAM::Policy", "OpenAI", "inner",
])
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 900), st.text(string.printable, max_size=12), _EXPR)
_VALUE = st.recursive(_SCALAR, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                       st.dictionaries(st.sampled_from(_KEYS), kids, max_size=5)), max_leaves=25)
_ARM = st.fixed_dictionaries({"parameters": st.dictionaries(st.sampled_from(["p", "q"]), st.fixed_dictionaries({"defaultValue": _VALUE}), max_size=2),
                              "variables": st.dictionaries(st.sampled_from(["v", "w", "copy"]), _VALUE, max_size=3),
                              "resources": st.one_of(st.lists(st.dictionaries(st.sampled_from(_KEYS), _VALUE, max_size=6), max_size=3),
                                                     st.dictionaries(st.sampled_from(["a", "b"]), st.dictionaries(st.sampled_from(_KEYS), _VALUE, max_size=6), max_size=2))})
_CFN = st.fixed_dictionaries({"Parameters": st.dictionaries(st.sampled_from(["P", "L"]), st.fixed_dictionaries({"Default": _SCALAR}), max_size=2),
                              "Conditions": st.dictionaries(st.sampled_from(["C"]), _VALUE, max_size=1),
                              "Resources": st.dictionaries(st.sampled_from(["A", "B", "Fn::ForEach::L"]), _VALUE, min_size=1, max_size=3)})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(arm=_ARM, cfn=_CFN, cfn_as_json=st.booleans())
def test_fuzz_readers_never_crash_and_account_for_every_file(tmp_path_factory, arm, cfn, cfn_as_json):
    d = tmp_path_factory.mktemp("fuzz")
    (d / "arm.json").write_text(json.dumps({**ARM_HEAD, **arm}))
    cfn_doc = {"AWSTemplateFormatVersion": "2010-09-09", **cfn}
    (d / ("cfn.json" if cfn_as_json else "cfn.yaml")).write_text(json.dumps(cfn_doc) if cfn_as_json else yaml.safe_dump(cfn_doc))
    inv = d / "inventory.json"
    res = CliRunner().invoke(main, ["iac", str(d / "arm.json"), str(d / ("cfn.json" if cfn_as_json else "cfn.yaml")), "-q",
                                    "--save-inventory", str(inv), "-f", "json", "-o", str(d / "out.json")])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 1, 2, 3), res.output
    doc = json.loads(inv.read_text())
    accounted = set(doc["scan"]["read_files"]) | {e["scope"].get("file") for e in doc["errors"]}
    for f in ("arm.json", "cfn.json" if cfn_as_json else "cfn.yaml"):
        assert any(a and a.endswith(f) for a in accounted), (f, doc["errors"])
