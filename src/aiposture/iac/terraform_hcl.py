"""Terraform configurations (``.tf``, ``.tf.json``) evaluated by ``tfparse`` (Trivy's evaluator).

Steps, once per scan:

1. **Stage** every Terraform file of the scanned tree into a private temporary copy
   (:mod:`aiposture.iac.terraform_stage`): nothing outside the tree is reachable from it.
2. **Evaluate** each root configuration (a folder no other folder calls as a module) in
   a child process (:mod:`aiposture.iac.terraform_eval`): modules, ``count``/``for_each``
   instances, variables (defaults, ``terraform.tfvars``, ``*.auto.tfvars``,
   ``terraform.tfvars.json``, ``--var-file``, ``--var``), locals, functions, conditionals.
3. **Convert** its JSON to :class:`RawResource`: one per instance with its full address;
   values the evaluator could not know (its ``null`` for unknown, its placeholders for
   attributes known after apply) become UNKNOWN, using :mod:`aiposture.iac.terraform_source`
   to see which attributes depend on unset variables; references become addresses so
   :mod:`aiposture.iac.build` can link agents to guardrails and roles to policies;
   ``data "aws_iam_policy_document"`` is rendered to the JSON policy it produces.

What cannot be read is reported, never skipped silently: a module that needs
``terraform init``, a ``for_each`` over values unknown before apply, a file that does
not parse, a ``terragrunt.hcl``.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiposture.errors import AiPostureError
from aiposture.iac import terraform_source as src
from aiposture.iac.base import RawResource, suppressions_near
from aiposture.iac.terraform_stage import NotChecked, SrcFile, Stage, inside
from aiposture.iac.tree import TreeFile, read_bytes
from aiposture.normalize.values import UNKNOWN

MAX_MODULE_DEPTH = 8
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DIAG = re.compile(r"(?P<file>[^\s:]+?\.tf(?:\.json)?):(?P<line>\d+),\d+(?:-\d+(?:,\d+)?)?: (?P<summary>[^;\n]{3,80})")
_SAFE_SUMMARY = re.compile(r"[A-Z][A-Za-z ,'-]+")
_OBJ_REF = re.compile(r"([A-Za-z_][\w-]*)\s*[=:]\s*((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?(?:\.[\w-]+)*)\s*(?=[,}\n\]])")
_RES_REF = re.compile(r"(?<![\w.-])(?!(?:var|local|module|data|each|count|path|terraform|self)\.)[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*")
_TFVARS_NAME = re.compile(r"^([A-Za-z_][\w-]*)\s*=", re.MULTILINE)
_META_KEYS = {"__tfmeta", "id", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}


@dataclass
class Result:
    raws: list[RawResource] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    files_read: int = 0
    read_files: list[str] = field(default_factory=list)
    resources_read: int = 0
    roots: int = 0


# ----------------------------------------------------------------------------- reading
def read(files: list[TreeFile], *, var_files: list[Path] | None = None, variables: dict[str, str] | None = None) -> Result:
    """Stage, evaluate and convert every Terraform configuration among ``files``."""
    res = Result()
    import importlib.util

    if importlib.util.find_spec("tfparse") is None:
        res.not_checked.extend(NotChecked(f.rel, None, "MissingDependency", "Terraform is read with tfparse: "
                                          "pip install 'aiposture[iac]'") for f in files)
        return res
    workdir = Path(tempfile.mkdtemp(prefix="aiposture-tf-"))
    try:
        stage = Stage(workdir)
        for f in files:
            if f.rel.endswith("terragrunt.hcl") or f.path.name == "terragrunt.hcl":
                res.not_checked.append(NotChecked(f.rel, None, "Terragrunt",
                                                  "terragrunt.hcl is not read: render it with terragrunt first "
                                                  "(terragrunt render-json, or terragrunt plan and `terraform show -json`)"))
                continue
            stage.add(f)
        stage.break_cycles()
        res.not_checked.extend(stage.not_checked)
        res.files_read = len(stage.files)
        user_vars = _user_var_files(workdir, var_files or [], variables or {})
        roots = stage.roots()
        res.roots = len(roots)
        from aiposture.iac.terraform_eval import shared

        ev = shared(stage.dir)
        for root in roots:
            _read_root(ev, stage, root, user_vars, res)
        res.read_files = sorted({f.rel for f in stage.files.values()})
        res.files_read = len(res.read_files)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return res


def _user_var_files(workdir: Path, var_files: list[Path], variables: dict[str, str]) -> list[tuple[Path, set[str]]]:
    """``--var-file`` files (the user's own, trusted) and ``--var`` pairs as tfvars files, with the names they set."""
    out = []
    for i, p in enumerate(var_files):
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:  # the user's own file: a usage error naming it, not a crash
            why = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else (e.strerror or str(e))
            raise AiPostureError(f"--var-file {p}: cannot read: {why}") from None
        dest = workdir / f"user-{i}{'.tfvars.json' if p.name.endswith('.json') else '.tfvars'}"
        dest.write_text(text, encoding="utf-8")
        out.append((dest, _var_names(text, dest.name)))
    if variables:
        dest = workdir / "user-vars.tfvars"
        lines = [f"{k} = {_var_literal(v)}" for k, v in variables.items()]
        dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append((dest, set(variables)))
    return out


def _var_literal(v: str) -> str:
    """``--var name=value`` like terraform: a number, bool, list or map as HCL; anything else a string."""
    s = v.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?|true|false|null", s) or (s[:1] in "[{" and s[-1:] in "]}"):
        return s
    return json.dumps(v)


def _var_names(text: str, name: str) -> set[str]:
    if name.endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError:
            return set()
        return set(doc) if isinstance(doc, dict) else set()
    return set(_TFVARS_NAME.findall(text))


def _read_root(ev: Any, stage: Stage, root: Path, user_vars: list[tuple[Path, set[str]]], res: Result) -> None:
    auto = sorted(stage.tfvars.get(root, []), key=lambda f: (0 if f.staged.name == "terraform.tfvars" else
                                                             1 if f.staged.name == "terraform.tfvars.json" else 2, f.staged.name))
    auto = [f for f in auto if f.staged.name in ("terraform.tfvars", "terraform.tfvars.json") or
            f.staged.name.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    set_vars: set[str] = set()
    var_paths: list[str] = []
    for f in auto:
        set_vars |= _var_names(f.staged.read_text(encoding="utf-8"), f.staged.name)
        var_paths.append(f.staged.name)
    for p, names in user_vars:
        link = root / f".aiposture-{p.name}"
        shutil.copyfile(p, link)
        var_paths.append(link.name)
        set_vars |= names
    size = sum(stage.sizes.values())
    removed: list[SrcFile] = []
    for _attempt in range(20):
        out = ev.evaluate(root, var_paths, size)
        if out.data is not None:
            break
        root_rel = stage.rel_of_dir.get(root, ".")
        if out.crashed:
            what = "took too long" if out.crashed == "timeout" else "stopped unexpectedly"
            res.not_checked.append(NotChecked(root_rel, None, "EvaluatorError",
                                              f"the Terraform evaluator {what} on this configuration; it was not checked"))
            return
        bad = _diagnosed_file(out.error or "", root, stage)
        if bad is None:
            res.not_checked.append(NotChecked(root_rel, None, "ParseError",
                                              "the Terraform evaluator could not read this configuration; it was not checked"))
            return
        sf, line, summary = bad
        res.not_checked.append(NotChecked(sf.rel, line, "ParseError", f"cannot parse Terraform ({summary})"))
        sf.staged.unlink(missing_ok=True)
        stage.files.pop(sf.staged, None)
        removed.append(sf)
        res.files_read -= 1
    else:
        return
    assert out.data is not None
    _Converter(out.data, stage, root, set_vars, res).run()


def _diagnosed_file(err: str, root: Path, stage: Stage) -> tuple[SrcFile, int | None, str] | None:
    """The file an HCL diagnostic names (the message itself may quote the file, so only its summary is kept)."""
    m = _DIAG.search(err)
    if not m:
        return None
    path = Path(posixpath.normpath((root / m.group("file")).as_posix()))
    sf = stage.files.get(path)
    if sf is None:
        return None
    summary = m.group("summary").strip()
    return sf, int(m.group("line")), summary if _SAFE_SUMMARY.fullmatch(summary) else "syntax error"


def _strip_index(addr: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", addr)


class _Converter:
    """tfparse JSON of one root -> RawResources (unknowns, references, policy documents, what was dropped)."""

    def __init__(self, data: dict[str, Any], stage: Stage, root: Path, set_vars: set[str], res: Result):
        self.data, self.stage, self.root, self.set_vars, self.res = data, stage, root, set_vars, res
        self.root_rel = stage.rel_of_dir.get(root, ".")
        self.by_id: dict[str, tuple[str, dict[str, Any]]] = {}
        self.by_path: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, Any] = {}
        self.taint_memo: dict[tuple[str, str], bool] = {}
        self.unknown_vars_memo: dict[str, set[str]] = {}
        self.stripped: set[str] = set()
        self.file_memo: dict[str, SrcFile | None] = {}
        for _key, items in data.items():
            if not isinstance(items, list):
                continue
            for it in items:
                meta = it.get("__tfmeta") if isinstance(it, dict) else None
                if not isinstance(meta, dict) or not isinstance(meta.get("path"), str):
                    continue
                self.by_path[meta["path"]] = it
                self.stripped.add(_strip_index(meta["path"]))
                if isinstance(it.get("id"), str):
                    self.by_id[it["id"]] = (meta["path"], it)

    # -- files
    def _file(self, filename: Any) -> SrcFile | None:
        if not isinstance(filename, str):
            return None
        if filename not in self.file_memo:
            self.file_memo[filename] = self.stage.files.get(Path(posixpath.normpath(f"{self.root.as_posix()}/{filename}")))
        return self.file_memo[filename]

    # -- module instances
    @staticmethod
    def _prefix(path: str) -> str:
        """``module.a["x"].module.b.aws_t.n[0]`` -> ``module.a["x"].module.b``."""
        m = re.match(r"^((?:module\.[\w-]+(?:\[[^\]]*\])?\.?)*)", path)
        return (m.group(1) if m else "").rstrip(".")

    def unknown_vars(self, prefix: str) -> set[str]:
        """Variables of a module instance that have no value before apply."""
        if prefix in self.unknown_vars_memo:
            return self.unknown_vars_memo[prefix]
        self.unknown_vars_memo[prefix] = set()  # cycles: assume known while computing
        out = set()
        head = f"{prefix}.variable." if prefix else "variable."
        call = self.by_path.get(prefix) if prefix else None
        parent = self._prefix(prefix[: prefix.rfind("module.")].rstrip(".")) if prefix else ""
        call_block = self._block_of(call) if call else None
        for path, it in self.by_path.items():
            if not path.startswith(head) or "." in path[len(head):]:
                continue
            name = path[len(head):]
            if not prefix:
                if "default" not in it and name not in self.set_vars:
                    out.add(name)
                continue
            if call is None or name not in call:
                if "default" not in it:
                    out.add(name)
                continue
            a = call_block.attrs.get(name) if call_block else None
            sf = self._file(call["__tfmeta"].get("filename")) if call else None
            if a is None or sf is None or sf.text is None:
                if call.get(name) is None or _is_attr_ref(call.get(name)):
                    out.add(name)
                continue
            if self.tainted(parent, src.refs(sf.text[a.start:a.end])):
                out.add(name)
        self.unknown_vars_memo[prefix] = out
        return out

    def _block_of(self, item: dict[str, Any] | None) -> src.Block | None:
        if not item:
            return None
        meta = item.get("__tfmeta") or {}
        sf = self._file(meta.get("filename"))
        if sf is None or sf.text is None:
            return None
        line = meta.get("line_start")
        return sf.by_line().get(line) if isinstance(line, int) else None

    def tainted(self, prefix: str, refs: set[str]) -> bool:
        """Whether an expression mentioning ``refs`` in module instance ``prefix`` has no value before apply."""
        for r in refs:
            key = (prefix, r)
            if key in self.taint_memo:
                if self.taint_memo[key]:
                    return True
                continue
            self.taint_memo[key] = False
            t = self._ref_tainted(prefix, r)
            self.taint_memo[key] = t
            if t:
                return True
        return False

    def _ref_tainted(self, prefix: str, r: str) -> bool:
        kind, _, name = r.partition(".")
        if r == "blocked":
            return True
        if kind == "var":
            return name in self.unknown_vars(prefix)
        if kind == "data":
            return not name.startswith("aws_iam_policy_document.")
        if kind == "local":
            locals_item = self._locals_with(prefix, name)
            if locals_item is None:
                return True
            blk = self._block_of(locals_item)
            sf = self._file(locals_item["__tfmeta"].get("filename"))
            a = blk.attrs.get(name) if blk else None
            if a is None or sf is None or sf.text is None:
                return locals_item.get(name) is None
            return self.tainted(prefix, src.refs(sf.text[a.start:a.end]))
        if kind == "module":
            child = f"{prefix}.module.{name}" if prefix else f"module.{name}"
            return bool(self.unknown_vars(child)) or not any(p.startswith(child) for p in self.by_path)
        return False

    def _locals_with(self, prefix: str, name: str) -> dict[str, Any] | None:
        for it in self.data.get("locals") or []:
            meta = it.get("__tfmeta") or {}
            p = meta.get("path", "")
            if ((p == "locals" and not prefix) or p == f"{prefix}.locals") and name in it:
                return it
        return None

    # -- values
    def resolve_ref(self, prefix: str, attribute: str, depth: int = 0) -> list[str]:
        """Addresses an ``__attribute__`` reference of the evaluator's output leads to (through module inputs)."""
        if depth > MAX_MODULE_DEPTH * 2:
            return []
        a = attribute.replace(".[", "[")
        parts = a.split(".")
        if parts[0] == "var" and len(parts) > 1 and prefix:
            call = self.by_path.get(prefix)
            parent = self._prefix(prefix[: prefix.rfind("module.")].rstrip("."))
            return self._value_refs(parent, (call or {}).get(_strip_index(parts[1])), depth + 1)
        if parts[0] in ("var", "each", "count", "path", "terraform", "self"):
            return []
        if parts[0] == "local" and len(parts) > 1:
            it = self._locals_with(prefix, _strip_index(parts[1]))
            return self._value_refs(prefix, (it or {}).get(_strip_index(parts[1])), depth + 1)
        if parts[0] == "module" and len(parts) > 2:
            child = f"{prefix}.module.{parts[1]}" if prefix else f"module.{parts[1]}"
            out = self.by_path.get(f"{child}.output.{_strip_index(parts[2])}")
            return self._value_refs(child, (out or {}).get("value"), depth + 1)
        if parts[0] == "data" and len(parts) > 2:
            addr = ".".join(parts[:3])
        elif len(parts) > 1:
            addr = ".".join(parts[:2])
        else:
            return []
        return [f"{prefix}.{addr}" if prefix else addr]

    def _value_refs(self, prefix: str, v: Any, depth: int) -> list[str]:
        if isinstance(v, str):
            return [self.by_id[u][0] for u in _UUID.findall(v) if u in self.by_id]
        if isinstance(v, dict) and isinstance(v.get("__attribute__"), str):
            return self.resolve_ref(prefix, v["__attribute__"], depth)
        return []

    def _known_values(self, meta: dict[str, Any]) -> dict[str, list[str]]:
        """Top-level string values of the blocks this block refers to -> their addresses.

        The evaluator substitutes a referenced resource's *known* attributes (``aws_iam_role.r.name``
        becomes the role's name); its list of referenced blocks tells which block the value came from.
        """
        out: dict[str, list[str]] = {}
        for ref in meta.get("references") or ():
            target = self.by_id.get(str(ref.get("id"))) if isinstance(ref, dict) else None
            if target is None:
                continue
            for v in target[1].values():
                if isinstance(v, str) and len(v) > 2 and v != target[1].get("id"):
                    out.setdefault(v, []).append(target[0])
        return out

    def _object_refs(self, prefix: str, expr: str) -> dict[str, list[str]]:
        """``key = aws_t.n.attr`` inside an object expression -> {key: [address]}.

        Inside an object or list constructor the evaluator writes a reference known only after
        apply as null (``guardrail_configuration = { guardrail_identifier = awscc_bedrock_guardrail.g.id }``);
        the source says what it refers to.
        """
        out: dict[str, list[str]] = {}
        for m in _OBJ_REF.finditer(expr):
            key, ref = m.group(1), m.group(2)
            root = ref.split(".", 1)[0]
            if root in ("each", "count", "path", "terraform", "self"):
                continue
            targets = [t for t in self.resolve_ref(prefix, ref) if _strip_index(t) in self.stripped]
            if targets:
                out.setdefault(key, []).extend(targets)
        return out

    def convert(self, v: Any, prefix: str, path: str, refs: dict[str, list[str]], taint: bool,
                known: dict[str, list[str]] | None = None, inner: dict[str, list[str]] | None = None) -> Any:
        """Evaluator output -> API-shaped values: UNKNOWN for what it could not know, references recorded."""
        if v is None:
            key = path.rsplit(".", 1)[-1]
            if inner and key in inner:
                refs.setdefault(path, []).extend(inner[key])
                return reference_value(path, inner[key])
            return UNKNOWN if taint else None
        if isinstance(v, str) and known and v in known:
            refs.setdefault(path, []).extend(known[v])
            return v
        if isinstance(v, str):
            if v in self.by_id:
                target, _item = self.by_id[v]
                refs.setdefault(path, []).append(target)
                if target in self.policies:
                    return self.policies[target]
                return reference_value(path, [target])
            if "-" in v and len(v) >= 36:
                for u in _UUID.findall(v):
                    if u in self.by_id:
                        refs.setdefault(path, []).append(self.by_id[u][0])
            return v
        if isinstance(v, dict):
            if isinstance(v.get("__attribute__"), str):
                targets = self.resolve_ref(prefix, v["__attribute__"])
                if not targets and v["__attribute__"].startswith(("var.", "local.")) and \
                        not self.tainted(prefix, src.refs(v["__attribute__"])):
                    return None  # a variable or local with a value: the evaluator writes it this way when it is null
                if targets:
                    refs.setdefault(path, []).extend(targets)
                return reference_value(path, targets)
            if "__unresolved__" in v:
                return UNKNOWN
            return {k: self.convert(x, prefix, f"{path}.{k}" if path else k, refs, taint, known, inner) for k, x in v.items()
                    if k != "__tfmeta"}
        if isinstance(v, list):
            return [self.convert(x, prefix, path, refs, taint, known, inner) for x in v]
        return v

    def block_values(self, item: dict[str, Any], prefix: str, path: str, refs: dict[str, list[str]],
                     top: bool, resource_taint: bool = False) -> dict[str, Any]:
        """One block of the evaluator's output (a resource or a nested block) with taint per attribute."""
        meta = item.get("__tfmeta") or {}
        sf = self._file(meta.get("filename"))
        # the source index is only needed where the evaluator left something open, or for dynamic blocks
        blk = self._block_of(item) if sf is not None and sf.text is not None and (
            sf.has_dynamic or meta.get("references") or _needs_source(item)) else None
        known = self._known_values(meta)
        out: dict[str, Any] = {}
        for k, v in item.items():
            if k in _META_KEYS if top else k in ("__tfmeta", "id"):
                continue
            sub = f"{path}.{k}" if path else k
            if isinstance(v, dict) and "__tfmeta" in v:
                out[k] = self.block_values(v, prefix, sub, refs, False, resource_taint)
                continue
            if isinstance(v, list) and v and all(isinstance(x, dict) and "__tfmeta" in x for x in v):
                out[k] = [self.block_values(x, prefix, sub, refs, False, resource_taint) for x in v]
                continue
            taint, call, inner = resource_taint, False, None
            if blk is not None and sf is not None and sf.text is not None and k in blk.attrs:
                a = blk.attrs[k]
                expr = sf.text[a.start:a.end]
                taint = self.tainted(prefix, src.refs(expr))
                call = a.call
                if _has_null(v) and (isinstance(v, (dict, list))):
                    inner = self._object_refs(prefix, expr)
            elif blk is None and _has_null(v):
                taint = bool(self.unknown_vars(prefix)) or resource_taint  # no source position (JSON): be careful
            if taint and call and not (isinstance(v, str) and v in self.by_id):
                out[k] = UNKNOWN
                continue
            if call and blk is not None and sf is not None and sf.text is not None and k in blk.attrs and \
                    _RES_REF.search(sf.text[blk.attrs[k].start:blk.attrs[k].end]) and isinstance(v, (str, int, float)) and \
                    not (isinstance(v, str) and _UUID.search(v)):
                out[k] = UNKNOWN  # a function of a value known only after apply (substr(random_id.x.dec, 0, 10))
                continue
            out[k] = self.convert(v, prefix, sub, refs, taint, known, inner)
        if blk is not None and sf is not None and sf.text is not None:
            self._dynamic_children(blk, sf, out, prefix, path, refs, top)
        return out

    def _dynamic_children(self, blk: src.Block, sf: SrcFile, out: dict[str, Any], prefix: str, path: str,
                          refs: dict[str, list[str]], top: bool) -> None:
        for child in blk.children:
            if child.type != "dynamic" or not child.labels:
                continue
            label = child.labels[0]
            fe = child.attrs.get("for_each")
            fe_taint = fe is None or self.tainted(prefix, src.refs(sf.text[fe.start:fe.end])) if sf.text else True
            if top and not fe_taint:
                continue  # the evaluator expands dynamic blocks at the top of a resource
            if fe_taint:
                out[label] = UNKNOWN
                continue
            locals_item = next((it for it in self.data.get("locals") or []
                                if f"__aiposture_dyn_{child.line}" in it and
                                (it.get("__tfmeta") or {}).get("path") == (f"{prefix}.locals" if prefix else "locals") and
                                self._file((it.get("__tfmeta") or {}).get("filename")) is sf), None)
            value = locals_item.get(f"__aiposture_dyn_{child.line}") if locals_item else None
            if not isinstance(value, list):
                out[label] = UNKNOWN
                continue
            content = next((c for c in child.children if c.type == "content"), None)
            generated: list[dict[str, Any]] | None = []
            for el in value:
                if not isinstance(el, dict) or generated is None or "__aip_nested" in el:
                    generated = None
                    break
                item = {}
                for k, x in el.items():
                    a = content.attrs.get(k) if content else None
                    taint = a is not None and sf.text is not None and self.tainted(prefix, src.refs(sf.text[a.start:a.end]))
                    item[k] = UNKNOWN if taint and a is not None and a.call else self.convert(x, prefix, f"{path}.{label}", refs, taint)
                generated.append(item)
            existing = out.get(label)
            if generated is None:
                out[label] = UNKNOWN
            elif existing is None:
                out[label] = generated
            elif isinstance(existing, list):
                out[label] = existing + generated
            else:
                out[label] = [existing, *generated]

    # -- policy documents
    def render_policies(self) -> None:
        for path, it in self.by_path.items():
            meta = it.get("__tfmeta") or {}
            if meta.get("type") != "data" or meta.get("label") != "aws_iam_policy_document":
                continue
            prefix = self._prefix(path)
            self.policies[path] = self._policy(it, prefix)

    def _policy(self, it: dict[str, Any], prefix: str) -> Any:
        if any(k in it for k in ("source_policy_documents", "override_policy_documents", "source_json", "override_json")):
            return UNKNOWN
        refs: dict[str, list[str]] = {}
        body = self.block_values(it, prefix, "", refs, True)
        statements = body.get("statement")
        sts = statements if isinstance(statements, list) else [statements] if isinstance(statements, dict) else []
        out = []
        for st in sts:
            if not isinstance(st, dict):
                return UNKNOWN
            s: dict[str, Any] = {"Effect": st.get("effect") or "Allow"}
            for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                              ("not_resources", "NotResource"), ("sid", "Sid")):
                if key in st:
                    s[name] = st[key]
            for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
                if key in st:
                    ps = st[key] if isinstance(st[key], list) else [st[key]]
                    s[name] = {p.get("type"): p.get("identifiers") for p in ps if isinstance(p, dict)}
            if "condition" in st:
                conds = st["condition"] if isinstance(st["condition"], list) else [st["condition"]]
                c: dict[str, Any] = {}
                for x in conds:
                    if isinstance(x, dict):
                        c.setdefault(str(x.get("test")), {})[str(x.get("variable"))] = x.get("values")
                s["Condition"] = c
            out.append(s)
        doc = {"Version": "2012-10-17", "Statement": out}
        return UNKNOWN if _contains_unknown(doc) else json.dumps(doc)

    # -- resources
    def run(self) -> None:
        self.render_policies()
        lines_cache: dict[Path, list[str]] = {}
        seen_blocks: dict[tuple[str, str], int] = defaultdict(int)
        for key, items in self.data.items():
            if not isinstance(items, list) or key in ("module", "variable", "locals", "output", "provider", "terraform", "moved"):
                continue
            for it in items:
                meta = it.get("__tfmeta") if isinstance(it, dict) else None
                if not isinstance(meta, dict) or meta.get("type") != "resource":
                    continue
                path = str(meta.get("path"))
                if path.count("module.") > MAX_MODULE_DEPTH:
                    continue  # listed as too deep by _report_dropped
                self.res.resources_read += 1
                prefix = self._prefix(path)
                seen_blocks[(prefix, _strip_index(path))] += 1
                sf = self._file(meta.get("filename"))
                refs: dict[str, list[str]] = {}
                values = self.block_values(it, prefix, "", refs, True)
                line = meta.get("line_start") if isinstance(meta.get("line_start"), int) else None
                sups: list[dict[str, str]] = []
                if sf is not None and sf.text is not None and sf.has_suppressions:
                    if sf.staged not in lines_cache:
                        lines_cache[sf.staged] = sf.text.splitlines()
                    sups = suppressions_near(lines_cache[sf.staged], line)
                name = values.get("name") if isinstance(values.get("name"), str) else path.rsplit(".", 1)[-1]
                raw = RawResource(type=key, address=path, values=values, origin="terraform",
                                  file=sf.rel if sf else self.root_rel, line=line, name=str(name), refs=refs, suppressions=sups)
                raw.__dict__["root"] = self.root_rel
                self.res.raws.append(raw)
        self._report_dropped(seen_blocks)

    def _report_dropped(self, seen: dict[tuple[str, str], int]) -> None:
        """Module calls that were not read, and resources whose ``for_each`` has no value before apply."""
        modules_json = self._fetched_modules()
        for path, it in self.by_path.items():
            meta = it.get("__tfmeta") or {}
            if not path.startswith("module.") or path.count(".") % 2 != 1 or ".variable." in path:
                continue
            if meta.get("path") != path or "source" not in it:
                continue
            name = _strip_index(path).rsplit(".", 1)[-1]
            source = it.get("source")
            sf = self._file(meta.get("filename"))
            where = sf.rel if sf else self.root_rel
            has_blocks = any(p.startswith(path + ".") for p in self.by_path)
            if isinstance(source, str) and not source.startswith(("./", "../", "/")):
                key = ".".join(_strip_index(p) for p in re.findall(r"module\.([\w-]+(?:\[[^\]]*\])?)", path))
                if key not in modules_json and not has_blocks:
                    self.res.not_checked.append(NotChecked(
                        where, meta.get("line_start"), "ModuleNotFetched",
                        f"module '{name}' (source {_short(source)}) is not available locally: run `terraform init` "
                        f"in {self.root_rel} so .terraform/modules holds it; its resources were not checked"))
            elif path.count("module.") > MAX_MODULE_DEPTH:
                self.res.not_checked.append(NotChecked(where, meta.get("line_start"), "TooDeep",
                                                       f"module '{name}' is nested deeper than {MAX_MODULE_DEPTH}; not read"))
        # for_each with no value: the evaluator drops the resource; say so
        for sf in {s.staged: s for s in self.stage.files.values()}.values():
            if sf.text is None or "for_each" not in sf.text or not inside(sf.staged, self.root.parent):
                continue
            for b in sf.by_line().values():
                if b.type not in ("resource", "module") or "for_each" not in b.attrs or len(b.labels) < 1:
                    continue
                addr = f"{b.labels[0]}.{b.labels[1]}" if b.type == "resource" and len(b.labels) > 1 else f"module.{b.labels[0]}"
                a = b.attrs["for_each"]
                for prefix in self._instances_of(sf):
                    full = f"{prefix}.{addr}" if prefix else addr
                    if seen.get((prefix, full)) or any(p.startswith(full) for p in self.by_path):
                        continue
                    if self.tainted(prefix, src.refs(sf.text[a.start:a.end])):
                        self.res.not_checked.append(NotChecked(
                            sf.rel, b.line, "UnknownForEach",
                            f"{full}: for_each has no value before apply (set the variables it uses with --var or --var-file); "
                            "its instances were not checked"))

    def _instances_of(self, sf: SrcFile) -> set[str]:
        """Module instance prefixes whose blocks come from ``sf``'s folder."""
        d = sf.staged.parent
        out = set()
        for p, it in self.by_path.items():
            f = self._file((it.get("__tfmeta") or {}).get("filename"))
            if f is not None and f.staged.parent == d:
                pre = self._prefix(p)
                if pre == _strip_index(p) or pre == p:  # a module call block: it sits in its parent's folder
                    pre = self._prefix(p[: p.rfind("module.")].rstrip("."))
                out.add(pre)
        return out

    def _fetched_modules(self) -> set[str]:
        f = self.root / ".terraform" / "modules" / "modules.json"
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {m["Key"] for m in doc.get("Modules", []) if isinstance(m, dict) and isinstance(m.get("Key"), str)}


def reference_value(path: str, targets: list[str]) -> Any:
    """The value of an attribute set to another resource's attribute (known only after apply).

    It is certainly set, so it is a placeholder string naming the reference (``${aws_kms_key.k}``):
    a key ARN from ``aws_kms_key.k.arn`` is a customer-managed key, a guardrail id from
    ``aws_bedrock_guardrail.g.guardrail_id`` is attached. Policy documents stay UNKNOWN (their
    content matters, not that they are set), and so does a reference that leads nowhere
    (an unset variable: the value may well be null).
    """
    if not targets or "polic" in path.rsplit(".", 1)[-1]:
        return UNKNOWN
    return "${" + targets[0] + "}"


def _short(s: str) -> str:
    return s if len(s) <= 80 else s[:77] + "..."


def _is_attr_ref(v: Any) -> bool:
    return isinstance(v, dict) and "__attribute__" in v


def _needs_source(item: dict[str, Any]) -> bool:
    """Whether a block's output has a null or an unresolved reference (then its attributes' taint matters)."""
    for k, v in item.items():
        if k == "__tfmeta":
            continue
        if v is None or (isinstance(v, (dict, list)) and _open_value(v)):
            return True
    return False


def _any_leaf(v: Any, hit: Any) -> bool:
    """Whether ``hit(x)`` holds for ``v`` or anything nested in it (evaluator metadata skipped)."""
    stack = [v]
    while stack:
        x = stack.pop()
        if hit(x):
            return True
        if isinstance(x, dict):
            stack.extend(y for k, y in x.items() if k != "__tfmeta")
        elif isinstance(x, list):
            stack.extend(x)
    return False


def _open_value(v: Any) -> bool:
    return _any_leaf(v, lambda x: x is None or (isinstance(x, dict) and ("__attribute__" in x or "__unresolved__" in x)))


def _has_null(v: Any) -> bool:
    return _any_leaf(v, lambda x: x is None)


def _contains_unknown(v: Any) -> bool:
    return _any_leaf(v, lambda x: x is UNKNOWN)


def header_lines(root: Path, module_sources: dict[str, str] | None = None) -> dict[str, tuple[str, int]]:
    """Map ``[module.x.]type.name`` -> (file, line) for a Terraform tree (used to point plan findings at .tf)."""
    out: dict[str, tuple[str, int]] = {}

    def scan(d: Path, prefix: str, depth: int) -> None:
        for f in sorted(d.glob("*.tf")):
            if f.is_symlink() or not f.is_file():
                continue
            try:
                blocks = src.index(read_bytes(TreeFile(f, "", d, 0)).decode("utf-8"))
            except (OSError, UnicodeDecodeError, src.ScanError):
                continue
            text = None
            for b in blocks:
                if b.type == "resource" and len(b.labels) >= 2:
                    out.setdefault(f"{prefix}{b.labels[0]}.{b.labels[1]}", (f.as_posix(), b.line))
                elif b.type == "module" and b.labels and depth < MAX_MODULE_DEPTH and "source" in b.attrs:
                    if text is None:
                        text = f.read_text(encoding="utf-8")
                    a = b.attrs["source"]
                    s = text[a.start:a.end].strip().strip('"')
                    sub = (d / s).resolve()
                    if s.startswith(("./", "../")) and sub.is_dir() and inside(sub, root.resolve()):
                        scan(sub, f"{prefix}module.{b.labels[0]}.", depth + 1)

    scan(root, "", 0)
    return out
