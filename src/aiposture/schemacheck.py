"""Fast yes/no schema checks with compiled validators; ``jsonschema`` only words the errors.

``jsonschema`` walks the schema for every value: 14-16 s for a 20,000-resource
inventory. ``fastjsonschema`` turns a schema into Python code once; checking the
same inventory takes well under a second. Generating that code costs a few
hundred milliseconds, so it is written to a cache folder
(``$AIPOSTURE_CACHE_DIR``, else ``$XDG_CACHE_HOME/aiposture``, else
``~/.cache/aiposture``) under a name derived from the schema's and the
generator's versions, and imported from there on later runs. When the folder
cannot be written, the code is compiled in memory for this run.

Only the yes/no answer comes from here: when a document does not match,
callers ask ``jsonschema`` for every problem, with the wording users know.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiposture.errors import OutputError
from aiposture.paths import schema

_validators: dict[str, Callable[[Any], Any]] = {}


def cache_dir() -> Path:
    explicit = os.environ.get("AIPOSTURE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aiposture"


class Invalid(ValueError):
    """Raised by the cached validators (they import it from here instead of importing
    fastjsonschema, whose generator modules a run that only validates does not need)."""

    def __init__(self, message: str = "", *args: Any, **kwargs: Any):
        super().__init__(message)


_FJS_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException"
_OWN_IMPORT = ("from aiposture.schemacheck import Invalid as JsonSchemaValueException, "
               "Invalid as JsonSchemaValuesException")


def _slim(code: str) -> str:
    """Drop the schema excerpt every ``raise`` carries (``definition=...``): only the yes/no
    is used, and the excerpts made the module several times larger and slower to load."""
    import ast

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            node.keywords = [k for k in node.keywords if k.arg not in ("definition", "value")]
    return ast.unparse(tree) + "\n"


def _fjs_version() -> str:
    """The generator's version, read without importing it (the cache key; a new version regenerates)."""
    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("fastjsonschema is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / "version.py").read_text(encoding="utf-8")


def _load(name: str) -> Callable[[Any], Any]:
    definition = schema(name)
    key = hashlib.sha256((_fjs_version() + json.dumps(definition, sort_keys=True)).encode()).hexdigest()[:16]
    module_name = f"aiposture_{name}_validator_{key}"
    path = cache_dir() / f"{module_name}.py"
    try:
        if not path.is_file():
            import fastjsonschema

            code = fastjsonschema.compile_to_code(definition, use_formats=False)
            if _FJS_IMPORT not in code:
                raise ImportError("unexpected generated code")  # then compile in memory below
            code = _slim(code.replace(_FJS_IMPORT, _OWN_IMPORT))
            for stale in path.parent.glob(f"aiposture_{name}_validator_*.py"):
                stale.unlink(missing_ok=True)  # an older schema or generator
            from aiposture.safeio import write_file

            # atomic (concurrent runs never import a half-written file), never through a link
            write_file(path, code, "the validator cache")
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(str(path))
        module = importlib.util.module_from_spec(spec)
        sys.dont_write_bytecode, saved = False, sys.dont_write_bytecode  # the cache is ours: keep its bytecode
        try:
            spec.loader.exec_module(module)
        finally:
            sys.dont_write_bytecode = saved
        funcs = [v for k, v in vars(module).items() if k.startswith("validate") and callable(v)]
        return min(funcs, key=lambda f: f.__code__.co_firstlineno)  # the schema's own (first) function
    except (OSError, OutputError, ImportError, SyntaxError):
        import fastjsonschema

        compiled = fastjsonschema.compile(definition, use_formats=False)

        def check(doc: Any) -> Any:
            try:
                return compiled(doc)
            except fastjsonschema.JsonSchemaException as e:
                raise Invalid(str(e)) from None

        return check


def matches(name: str, doc: Any) -> bool:
    """True when ``doc`` matches ``schemas/<name>.schema.json``."""
    validator = _validators.get(name)
    if validator is None:
        validator = _validators[name] = _load(name)
    try:
        validator(doc)
    except Invalid:
        return False
    return True
