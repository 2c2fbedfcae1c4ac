"""docs/permissions.md shows exactly the roles 'aiposture permissions azure|gcp' print (which the collector tests
check against every call the scans make), and explains every action in its table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parent.parent / "docs" / "permissions.md").read_text()


def _section(title: str) -> str:
    start = DOC.index(f"## {title}")
    nxt = DOC.find("\n## ", start + 3)
    return DOC[start:nxt if nxt > 0 else None]


@pytest.mark.parametrize(("title", "module", "key"), [
    ("Azure (`aiposture permissions azure`)", "aiposture.collect.azure_openai", "Actions"),
    ("Google Cloud (`aiposture permissions gcp`)", "aiposture.collect.gcp_vertex", "includedPermissions"),
])
def test_documented_role_is_the_printed_role(title, module, key):
    import importlib

    role = importlib.import_module(module).role_definition()
    section = _section(title)
    block = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert block and json.loads(block.group(1)) == role, f"update docs/permissions.md: {title}"
    table = section[block.end():]
    for perm in role[key]:
        parts = perm.split(".") if key == "includedPermissions" else perm.split("/")
        # each permission is named in the table (in full, or its last segments after a '...' / shared prefix)
        assert perm in table or "/".join(parts[-2:]) in table or f"{parts[-2]}.{parts[-1]}" in table, perm
