"""Start-up stays lean (import graph, not timings) and the compiled schema check agrees with jsonschema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiposture import schemacheck
from aiposture.engine.synthetic import resources
from aiposture.inventory import new_document
from aiposture.paths import examples_dir, schema

HEAVY = ("boto3", "botocore", "azure", "google", "moto", "hcl2", "jsonschema", "cel", "typer", "prompt_toolkit",
         "fastjsonschema", "yaml", "rich", "sqlalchemy", "alembic", "psycopg", "redis")


def _imported(args: list[str], tmp_path: Path) -> set[str]:
    """Top-level packages a CLI run imports (in a fresh interpreter; not those the interpreter
    set up before, such as namespace packages from .pth files)."""
    out = tmp_path / "modules.json"
    code = ("import atexit, json, sys\n"
            "before = set(sys.modules)\n"
            f"atexit.register(lambda: open({str(out)!r}, 'w').write(json.dumps(sorted(set(sys.modules) - before))))\n"
            f"sys.argv = ['aiposture', *{args!r}]\n"
            "from aiposture.cli import main\n"
            "main()\n")
    env = {**os.environ, "AIPOSTURE_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=tmp_path, timeout=120)
    return {m.split(".")[0] for m in json.loads(out.read_text())}


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["permissions", "aws"]])
def test_help_and_permissions_import_nothing_heavy(args, tmp_path):
    assert not set(HEAVY) & _imported(args, tmp_path)


def test_scan_inventory_imports_only_what_it_uses(tmp_path):
    inv = tmp_path / "inv.json"
    inv.write_text((examples_dir() / "inventory.json").read_text())
    args = ["scan", "--inventory", str(inv), "-f", "json", "-o", str(tmp_path / "out.json")]
    first = _imported(args, tmp_path)  # generates the compiled schema checks into the cache
    assert (tmp_path / "out.json").is_file()
    assert {"cel", "yaml", "fastjsonschema"} <= first
    again = _imported(args, tmp_path)
    assert "cel" in again
    # no cloud SDK, no CEL REPL, no jsonschema for a valid inventory, no rich for a JSON report; the
    # cached schema checks run without their generator and the cached rule files need no YAML parser
    assert not {"boto3", "botocore", "azure", "google", "typer", "prompt_toolkit", "jsonschema", "rich"} & first
    assert not {"boto3", "botocore", "azure", "google", "typer", "prompt_toolkit", "jsonschema", "rich",
                "fastjsonschema", "yaml"} & again


def test_cel_extension_is_loaded_without_the_package_repl():
    code = ("import sys; from aiposture.engine.celpath import load_cel; cel = load_cel(); "
            "print(cel.compile('1 + 1').execute(cel.Context({})), 'typer' in sys.modules, 'cel.cli' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.split()
    assert out == ["2", "False", "False"]


def test_compiled_inventory_check_agrees_with_jsonschema(tmp_path, monkeypatch):
    from jsonschema import Draft202012Validator

    monkeypatch.setenv("AIPOSTURE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(schemacheck, "_validators", {})
    reference = Draft202012Validator(schema("inventory"))
    valid = invalid = 0
    for res in resources(400, seed=9, chaos=0.25):  # wrong types, nulls, absent keys
        doc = new_document([res])
        expected = reference.is_valid(doc)
        assert schemacheck.matches("inventory", doc) is expected, res
        valid += expected
        invalid += not expected
    assert valid > 20 and invalid > 20
    assert list(tmp_path.glob("aiposture_inventory_validator_*.py"))  # generated once, reused by later runs


def test_compiled_check_works_without_a_writable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("AIPOSTURE_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    monkeypatch.setattr(schemacheck, "_validators", {})
    doc = json.loads((examples_dir() / "inventory.json").read_text())
    assert schemacheck.matches("inventory", doc)
    doc["resources"][0]["kind"] = "nonsense"
    assert not schemacheck.matches("inventory", doc)


# Keywords whose meaning is the same in draft 7 (what fastjsonschema implements) and in 2020-12
# (what the schemas declare), plus annotations. Anything else would be ignored by the compiled
# check, which could then say "valid" to a document jsonschema refuses.
SHARED_KEYWORDS = {
    "$schema", "$id", "$defs", "$ref", "$comment", "title", "description", "default", "examples",
    "type", "enum", "const", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "properties", "patternProperties", "additionalProperties", "required", "propertyNames",
    "minProperties", "maxProperties", "items", "contains", "minItems", "maxItems", "uniqueItems",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
}


@pytest.mark.parametrize("name", ["inventory", "rule"])
def test_schemas_use_only_keywords_the_compiled_check_implements(name):
    problems = []

    def walk(node, where):
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, f"{where}/{i}")
            return
        if not isinstance(node, dict):
            return
        unknown = set(node) - SHARED_KEYWORDS
        if unknown:
            problems.append(f"{where}: {sorted(unknown)}")
        if "$ref" in node and set(node) - {"$ref", "title", "description", "$comment"}:
            problems.append(f"{where}: $ref with sibling keywords (ignored by draft 7)")
        if isinstance(node.get("items"), list):
            problems.append(f"{where}: items as a list (prefixItems in 2020-12)")
        for key, value in node.items():
            if key in ("properties", "patternProperties", "$defs"):
                for sub, schema_ in value.items():
                    walk(schema_, f"{where}/{key}/{sub}")
            elif key not in ("enum", "const", "required", "examples", "default"):
                walk(value, f"{where}/{key}")

    walk(schema(name), "")
    assert problems == []
