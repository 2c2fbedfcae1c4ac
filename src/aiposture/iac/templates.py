"""Template files: CloudFormation (YAML/JSON, SAM) and ARM (JSON, JSON with comments).

One entry point per file type for :mod:`aiposture.iac.scan`. Each returns ``None`` when the
file is not a template (a ``package.json``), else the resources read; whatever was read
and not understood becomes an inventory error (provider ``iac``) naming file and line:
``ParseError`` (the file does not decode), ``TooComplex`` (too large, too deep or circular:
the whole file is not checked) or ``NotChecked`` (one construct, e.g. a linked template).
Messages never quote the file's text.
"""

from __future__ import annotations

import json
from typing import Any

from aiposture.iac.base import RawResource
from aiposture.inventory import make_error

TOO_COMPLEX = "not checked: too large or too deeply nested"


def not_checked(errors: list[dict[str, Any]], rel: str, line: int | None, what: str, code: str = "NotChecked") -> None:
    errors.append(make_error("iac", f"not checked: {what}", code=code, file=rel, line=line))


def too_complex(errors: list[dict[str, Any]], rel: str, reason: str) -> None:
    errors.append(make_error("iac", f"{TOO_COMPLEX} ({reason}); nothing in this file was checked", code="TooComplex", file=rel))


def read_json(doc: Any, text: str, rel: str, errors: list[dict[str, Any]], *, parse_error: ValueError | None = None) -> list[RawResource] | None:
    """A JSON file that is not a Terraform plan: ARM, CloudFormation, or not a template (None)."""
    from aiposture.iac import arm, cloudformation

    if doc is None:
        if "deploymentTemplate" in text[:2000] or '"contentVersion"' in text:
            try:  # ARM accepts // and /* */ comments
                doc = json.loads(arm.strip_comments(text))
            except RecursionError:
                too_complex(errors, rel, "nested too deeply")
                return []
            except ValueError:
                doc = None
        if doc is None:
            if '"Resources"' in text or '"resources"' in text:
                line = getattr(parse_error, "lineno", None)
                msg = getattr(parse_error, "msg", "not valid JSON")
                errors.append(make_error("iac", f"not valid JSON: {msg}", code="ParseError", file=rel, line=line))
                return []
            return None
    if arm.looks_like_arm(doc):
        return read_arm(doc, text, rel, errors)
    if cloudformation.looks_like_cfn(doc):
        return read_cfn(text, rel, errors)
    return None


def read_arm(doc: dict[str, Any], text: str, rel: str, errors: list[dict[str, Any]], *, locate: Any = None) -> list[RawResource]:
    from aiposture.iac import arm
    from aiposture.iac.arm_expr import TooComplex

    try:
        got = arm.read(doc, text, rel, locate=locate)
    except TooComplex as e:
        too_complex(errors, rel, str(e))
        return []
    for line, what in got.not_checked:
        not_checked(errors, rel, line, what)
    return got.resources


def looks_like_cfn_text(text: str) -> bool:
    return "Resources" in text and ("AWS::" in text or "AWSTemplateFormatVersion" in text or "Fn::ForEach" in text)


def read_yaml(text: str, rel: str, errors: list[dict[str, Any]]) -> list[RawResource] | None:
    """A YAML (or .template) file: CloudFormation, or not a template (None)."""
    if not looks_like_cfn_text(text):
        return None
    return read_cfn(text, rel, errors, require_template=True)


def read_cfn(text: str, rel: str, errors: list[dict[str, Any]], *, require_template: bool = False) -> list[RawResource] | None:
    from aiposture.iac import cloudformation as cfn

    try:
        doc = cfn.decode(text)
    except cfn.TooComplex as e:
        too_complex(errors, rel, str(e))
        return []
    except cfn.DecodeError as e:
        errors.append(make_error("iac", f"cannot parse CloudFormation: {e.message}", code="ParseError", file=rel, line=e.line))
        return []
    if not cfn.looks_like_cfn(doc):
        return None if require_template else []
    try:
        got = cfn.read(doc, text, rel)
    except (cfn.TooComplex, RecursionError) as e:
        too_complex(errors, rel, str(e) if isinstance(e, cfn.TooComplex) else "nested too deeply")
        return []
    for line, what in got.not_checked:
        not_checked(errors, rel, line, what)
    return got.resources
