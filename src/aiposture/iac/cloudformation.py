"""CloudFormation templates (YAML or JSON, SAM included), decoded with cfn-lint's decoder.

cfn-lint's decoder keeps the exact line of every key, reads the short-form tags
(``!Ref``, ``!GetAtt``, ``!Sub`` ...) as their long form, rejects duplicate keys and
bounds YAML alias expansion ("billion laughs"); nothing in the template is executed.

``Ref`` to a parameter resolves to its ``Default``; ``Conditions`` are evaluated with
those defaults, so ``Fn::If`` picks its branch, ``AWS::NoValue`` removes the property
and a resource whose ``Condition`` is false is not read. ``Fn::Sub``, ``Fn::Join``,
``Fn::Select``, ``Fn::Split`` and ``Fn::FindInMap`` are evaluated over known values;
``Fn::Sub`` text around values known only at deploy time (``${AWS::AccountId}``, a
resource attribute) is kept verbatim, so "is it set" checks work, as with Terraform's
string templates. ``Fn::ForEach`` (AWS::LanguageExtensions) is expanded when its
collection is a literal list or a parameter default; otherwise the loop is listed as not
checked. Other intrinsics are unknown, with the referenced logical ids kept for linking
(agent -> guardrail, agent -> role -> ``AWS::IAM::Policy``/``ManagedPolicy``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiposture.iac.base import RawResource, suppressions_near
from aiposture.normalize.values import UNKNOWN, snake, snake_keys

_INTRINSIC = ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::ImportValue", "Fn::FindInMap",
              "Fn::Base64", "Fn::Split", "Fn::GetAZs", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Transform")
MAX_DEPTH = 100
# maps whose keys are data, not property names: tags, and IAM documents (read as AWS writes them)
_KEEP = ("tags", "policy_document", "assume_role_policy_document", "key_policy", "resource_policy")
MAX_FOREACH = 1_000  # resources a template's Fn::ForEach loops may produce


class TooComplex(Exception):
    """The template is too large or too deeply nested: the file is listed as not checked."""


class DecodeError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


def looks_like_cfn(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("Resources"), dict) and (
        "AWSTemplateFormatVersion" in doc or any(isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                                                 for r in doc["Resources"].values()) or
        any(str(k).startswith("Fn::ForEach::") for k in doc["Resources"]))


def decode(text: str) -> Any:
    """cfn-lint's decoder; a clear DecodeError/TooComplex instead of a traceback, never the file's text in a message."""
    from cfnlint.decode import decode_str

    try:
        template, matches = decode_str(text)
    except RecursionError:
        raise TooComplex("nested too deeply") from None
    if template is None:
        m = matches[0] if matches else None
        msg = str(getattr(m, "message", "") or "not a template")
        if "YAML aliases" in msg or "maximum nesting depth" in msg or "recursion" in msg:
            raise TooComplex("too large once YAML aliases are expanded" if "aliases" in msg else "nested too deeply")
        msg = re.sub(r"[\x00-\x1f\x7f]", " ", msg)
        raise DecodeError(msg[:160], getattr(m, "linenumber", None))
    _check_depth(template)
    return template


def _check_depth(doc: Any) -> None:
    """Iterative depth bound (the readers below recurse); shared alias nodes are visited once."""
    seen: set[int] = set()
    stack = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooComplex("nested too deeply")
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend((x, depth + 1) for x in (node.values() if isinstance(node, dict) else node))


_NOVALUE = object()  # Ref AWS::NoValue: the property is removed
_CONDITIONS = "__conditions__"
_MAPPINGS = "__mappings__"


def _condition(v: Any, params: dict[str, Any], depth: int = 0) -> Any:
    """Evaluate a condition expression with parameter defaults: True, False or UNKNOWN."""
    if depth > 20 or not isinstance(v, dict) or len(v) != 1:
        return UNKNOWN if not isinstance(v, bool) else v
    (k, arg), = v.items()
    conds = params.get(_CONDITIONS, {})
    if k == "Condition":
        return conds.get(arg, UNKNOWN) if isinstance(arg, str) else UNKNOWN
    args = arg if isinstance(arg, list) else [arg]
    if k == "Fn::Equals" and len(args) == 2:
        a, b = (_resolve(x, params, []) for x in args)
        return UNKNOWN if a is UNKNOWN or b is UNKNOWN or _is_sub_text(a) or _is_sub_text(b) else str(a) == str(b)
    vals = [_condition(x, params, depth + 1) for x in args]
    if k == "Fn::Not" and len(vals) == 1:
        return UNKNOWN if vals[0] is UNKNOWN else not vals[0]
    if k == "Fn::And":
        return False if False in vals else (UNKNOWN if UNKNOWN in vals else True)
    if k == "Fn::Or":
        return True if True in vals else (UNKNOWN if UNKNOWN in vals else False)
    return UNKNOWN


class _SubText(str):
    """Fn::Sub text with deploy-time placeholders kept verbatim: set, but not an exact value."""


def _is_sub_text(v: Any) -> bool:
    return isinstance(v, _SubText)


def _conditions(doc: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scoped = {**params, _CONDITIONS: out}
    items = (doc.get("Conditions") or {}).items() if isinstance(doc.get("Conditions"), dict) else []
    for _ in range(3):  # conditions may refer to each other
        for name, expr in items:
            out[name] = _condition(expr, scoped)
    return out


def _known(v: Any) -> bool:
    return v is not UNKNOWN and v is not _NOVALUE and not _is_sub_text(v)


def _resolve(v: Any, params: dict[str, Any], refs: list[str], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise TooComplex("nested too deeply")
    d = depth + 1
    if isinstance(v, dict):
        if len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref" and arg == "AWS::NoValue":
                return _NOVALUE
            if k == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                cond = params.get(_CONDITIONS, {}).get(arg[0], UNKNOWN) if isinstance(arg[0], str) else UNKNOWN
                if cond is True or cond is False:
                    return _resolve(arg[1] if cond else arg[2], params, refs, d)
                _resolve(arg[1:], params, refs, d)  # keep references from both branches for linking
                return UNKNOWN
            if k == "Fn::Sub":
                return _sub(arg, params, refs, d)
            if k == "Ref":
                if isinstance(arg, str) and arg in params:
                    return params[arg]
                if isinstance(arg, str) and not arg.startswith("AWS::"):
                    refs.append(arg)
                return UNKNOWN
            if k == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) and arg else str(arg).split(".")[0]
                refs.append(str(target))
                return UNKNOWN
            if k == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                sep, items = _resolve(arg[0], params, refs, d), _resolve(arg[1], params, refs, d)
                if isinstance(sep, str) and isinstance(items, list) and all(isinstance(x, (str, int)) and _known(x) for x in items):
                    return sep.join(str(x) for x in items)
                return UNKNOWN
            if k == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
                i, items = _resolve(arg[0], params, refs, d), _resolve(arg[1], params, refs, d)
                try:
                    idx = int(i) if _known(i) else None
                except (TypeError, ValueError):
                    idx = None
                return items[idx] if isinstance(items, list) and idx is not None and 0 <= idx < len(items) else UNKNOWN
            if k == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
                sep, s = _resolve(arg[0], params, refs, d), _resolve(arg[1], params, refs, d)
                return s.split(sep) if isinstance(sep, str) and sep and isinstance(s, str) and _known(s) else UNKNOWN
            if k == "Fn::FindInMap" and isinstance(arg, list) and len(arg) in (3, 4):
                keys = [_resolve(x, params, refs, d) for x in arg[:3]]
                node: Any = params.get(_MAPPINGS, {})
                for key in keys:
                    node = node.get(key) if isinstance(node, dict) and isinstance(key, str) and _known(key) else None
                if node is None and len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return _resolve(arg[3]["DefaultValue"], params, refs, d)
                return UNKNOWN if node is None else node
            if k in _INTRINSIC:
                for m in re.finditer(r"\$\{([A-Za-z0-9]+)[.}]", str(arg)[:10_000]):
                    refs.append(m.group(1))
                _resolve(arg, params, refs, d)
                return UNKNOWN
        out = {k: _resolve(x, params, refs, d) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not _NOVALUE}
    if isinstance(v, list):
        return [x for x in (_resolve(y, params, refs, d) for y in v) if x is not _NOVALUE]
    return v


def _sub(arg: Any, params: dict[str, Any], refs: list[str], depth: int) -> Any:
    """Fn::Sub: known parameters substituted; deploy-time placeholders kept verbatim when there is literal text."""
    local: dict[str, Any] = {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        local = {k: _resolve(x, params, refs, depth) for k, x in arg[1].items()}
        arg = arg[0]
    if not isinstance(arg, str):
        return UNKNOWN
    verbatim = False

    def one(m: re.Match[str]) -> str:
        nonlocal verbatim
        name = m.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        val = local[name] if name in local else params.get(name, UNKNOWN) if not name.startswith("AWS::") else UNKNOWN
        if "." in name and name not in local:
            refs.append(name.split(".", 1)[0])
        elif name not in local and name not in params and not name.startswith("AWS::"):
            refs.append(name)
        if isinstance(val, (str, int, float)) and not isinstance(val, bool) and _known(val):
            return str(val)
        verbatim = True
        return m.group(0)

    text = re.sub(r"\$\{([^}]+)\}", one, arg)
    if not verbatim:
        return text
    literal = re.sub(r"\$\{[^}]+\}", "", arg)
    return _SubText(text) if literal else UNKNOWN


def _collect(v: Any, path: str, params: dict[str, Any], out: dict[str, list[str]], depth: int = 0) -> Any:
    """Resolve intrinsics and record references per snake_case attribute path."""
    if depth > MAX_DEPTH:
        raise TooComplex("nested too deeply")
    if isinstance(v, dict) and not (len(v) == 1 and next(iter(v)) in _INTRINSIC):
        got = {k: _collect(x, f"{path}.{snake(k)}" if path else snake(k), params, out, depth + 1) for k, x in v.items()}
        return {k: x for k, x in got.items() if x is not _NOVALUE}
    if isinstance(v, list):
        return [x for x in (_collect(y, path, params, out, depth + 1) for y in v) if x is not _NOVALUE]
    refs: list[str] = []
    val = _resolve(v, params, refs, depth)
    if refs:
        out.setdefault(path, []).extend(refs)
    return str(val) if _is_sub_text(val) else val


# ----------------------------------------------------------------------------- Fn::ForEach
class _Uncertain(Exception):
    pass


def _param_list(v: Any, params: dict[str, Any]) -> list[str]:
    if isinstance(v, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v):
        return [str(x) for x in v]
    if isinstance(v, dict) and list(v) == ["Ref"] and isinstance(v["Ref"], str):
        val = params.get(v["Ref"], UNKNOWN)
        if isinstance(val, str) and val != "":
            return [x.strip() for x in val.split(",")]
        if isinstance(val, list) and all(isinstance(x, str) for x in val):
            return list(val)
    raise _Uncertain()


def _substitute(v: Any, ident: str, value: str, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise TooComplex("nested too deeply")
    if isinstance(v, dict):
        if list(v) == ["Ref"] and v["Ref"] == ident:
            return value
        if list(v) == ["Fn::Sub"]:
            arg = v["Fn::Sub"]
            if isinstance(arg, str):
                return {"Fn::Sub": arg.replace("${" + ident + "}", value)}
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return {"Fn::Sub": [arg[0].replace("${" + ident + "}", value), *(_substitute(x, ident, value, depth + 1) for x in arg[1:])]}
        return {_key(k, ident, value): _substitute(x, ident, value, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_substitute(x, ident, value, depth + 1) for x in v]
    return v


def _key(k: str, ident: str, value: str) -> str:
    return str(k).replace("${" + ident + "}", value).replace("&{" + ident + "}", re.sub(r"[^A-Za-z0-9]", "", value))


def expand_foreach(section: dict[str, Any], params: dict[str, Any], keylines: dict[str, int | None],
                   skipped: list[tuple[int | None, str]], budget: list[int], depth: int = 0) -> dict[str, Any]:
    """Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Body}] -> one entry per collection item."""
    out: dict[str, Any] = {}
    for k, v in section.items():
        if not str(k).startswith("Fn::ForEach::"):
            out[k] = v
            continue
        line = keylines.get(k)
        try:
            if depth > 5 or not (isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and isinstance(v[2], dict)):
                raise _Uncertain()
            ident, items, body = v[0], _param_list(v[1], params), v[2]
            for item in items:
                produced = expand_foreach({_key(bk, ident, item): _substitute(bv, ident, item) for bk, bv in body.items()},
                                          params, {}, skipped, budget, depth + 1)
                for pk, pv in produced.items():
                    if pk in out:
                        raise _Uncertain()
                    budget[0] += 1
                    if budget[0] > MAX_FOREACH:
                        raise TooComplex("Fn::ForEach produces too many resources")
                    out[pk] = pv
                    keylines.setdefault(pk, line)
        except _Uncertain:
            skipped.append((line, ("Fn::ForEach loop whose collection is known only at deploy time (or not understood); "
                                  "the resources it creates were not checked")))
    return out


# ----------------------------------------------------------------------------- reading
@dataclass
class CfnRead:
    resources: list[RawResource] = field(default_factory=list)
    not_checked: list[tuple[int | None, str]] = field(default_factory=list)


def read(doc: dict[str, Any], text: str, file: str) -> CfnRead:
    result = CfnRead()
    raw_params: dict[str, Any] = doc["Parameters"] if isinstance(doc.get("Parameters"), dict) else {}
    params: dict[str, Any] = {k: p.get("Default", UNKNOWN) for k, p in raw_params.items() if isinstance(p, dict)}
    params[_MAPPINGS] = doc.get("Mappings") if isinstance(doc.get("Mappings"), dict) else {}
    params[_CONDITIONS] = _conditions(doc, params)
    lines = text.splitlines()
    section: dict[str, Any] = doc["Resources"] if isinstance(doc.get("Resources"), dict) else {}
    keylines: dict[str, int | None] = {k: _mark_line(k) or _line_of(lines, str(k)) for k in section}
    resources = expand_foreach(section, params, keylines, result.not_checked, [0])
    for lid, res in resources.items():
        if not isinstance(res, dict):
            continue
        line = keylines.get(lid) or _line_of(lines, str(lid))
        if lid == "Fn::Transform" or str(res.get("Type", "")) == "AWS::Include" or "Fn::Transform" in res:
            result.not_checked.append((line, "content inserted by Fn::Transform / AWS::Include at deploy time was not checked"))
            continue
        if isinstance(res.get("Condition"), str) and params[_CONDITIONS].get(res["Condition"]) is False:
            continue  # not created with the default parameters
        refs: dict[str, list[str]] = {}
        props = res.get("Properties") or {}
        if isinstance(props, dict):
            props = expand_foreach(props, params, {}, result.not_checked, [0])
        props = _collect(props, "", params, refs)
        values = snake_keys(props, keep=_KEEP) if isinstance(props, dict) else {}
        name = str(next((values.get(k) for k in ("name", "guardrail_name", "agent_name") if isinstance(values.get(k), str)), lid))
        result.resources.append(RawResource(type=str(res.get("Type", "")), address=str(lid), values=values, origin="cloudformation",
                                            file=file, line=line, name=name, refs=refs, suppressions=suppressions_near(lines, line)))
    return result


def _mark_line(key: Any) -> int | None:
    mark = getattr(key, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def _line_of(lines: list[str], logical_id: str) -> int | None:
    pat = re.compile(r'^\s*"?' + re.escape(logical_id) + r'"?\s*:')
    in_resources = False
    for i, line in enumerate(lines, start=1):
        if re.match(r'^\s*"?Resources"?\s*:', line):
            in_resources = True
            continue
        if in_resources and pat.match(line):
            return i
    return None


# ----------------------------------------------------------------------------- IAM (used by the builder)
_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


def role_policies(raws: list[RawResource], role: RawResource) -> tuple[list[Any], list[str]]:
    """Policy documents and managed policy names of a CloudFormation role, with what is attached to it elsewhere.

    Inline ``Policies``; ``ManagedPolicyArns`` (AWS managed names, or an ``AWS::IAM::ManagedPolicy`` of the
    same template by Ref); ``AWS::IAM::Policy`` / ``ManagedPolicy`` naming the role in ``Roles``;
    ``AWS::IAM::RolePolicy`` naming it in ``RoleName``. An attachment that cannot be resolved is an
    UNKNOWN document, so privileges are unknown rather than "not admin".
    """
    from aiposture.normalize.values import as_list, get, is_unknown

    docs: list[Any] = []
    names: list[str] = []
    by_id = {r.address: r for r in raws if r.origin == "cloudformation" and r.file == role.file}
    inline = as_list(get(role.values, "policies"))
    docs += [UNKNOWN] if is_unknown(inline) else [get(p, "policy_document") for p in inline or []]
    arns = get(role.values, "managed_policy_arns")
    ref_ids = role.refs.get("managed_policy_arns", [])
    if is_unknown(arns):
        docs.append(UNKNOWN)
    for arn in as_list(arns) if not is_unknown(arns) else []:
        if isinstance(arn, str):
            names.append(arn.rsplit("/", 1)[-1])
    linked = [by_id[i] for i in ref_ids if i in by_id and by_id[i].type == "AWS::IAM::ManagedPolicy"]
    docs += [get(p.values, "policy_document") for p in linked]
    unresolved = [a for a in (as_list(arns) if not is_unknown(arns) else []) if not isinstance(a, str)]
    if len(unresolved) > len(linked):
        docs.append(UNKNOWN)
    role_name = get(role.values, "role_name")
    for p in by_id.values():
        if p.type not in _POLICY_TYPES or p in linked:
            continue
        named = as_list(get(p.values, "roles")) if p.type != "AWS::IAM::RolePolicy" else [get(p.values, "role_name")]
        if role.address in p.refs.get("roles", []) or role.address in p.refs.get("role_name", []) or \
                (isinstance(role_name, str) and not is_unknown(named) and role_name in (named or [])):
            docs.append(get(p.values, "policy_document"))
    return [d for d in docs if d is not None], names
