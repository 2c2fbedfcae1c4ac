"""Bounded YAML loading for configuration and rule files.

``yaml.safe_load`` builds no objects from tags, but it still (1) lets a few
aliases expand into billions of nodes for whatever walks the result next (a
schema validator, an error message quoting the value), (2) recurses once per
nesting level, and (3) turns ``2026-02-30`` into an exception that is not a
``YAMLError``. Here the document is composed first (libyaml when available),
its *expanded* size and depth are counted on the node graph (shared alias
nodes counted once per use, memoised, so the count itself is linear), and only
then constructed. Dates stay strings, so a bad date is reported by the caller
against its field.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

MAX_NODES = 200_000
MAX_DEPTH = 64


class YamlProblem(Exception):
    """Why a YAML text was refused; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class _Loader(_Base):
    """The safe loader without implicit timestamps: ``expires: 2026-01-31`` stays a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _check(root: yaml.Node, max_nodes: int, max_depth: int) -> None:
    """Expanded node count and depth of the node graph, without expanding it."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # iterative post-order: (node, children visited?)
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(c)] for c in children)
            depth = 1 + max((depths[id(c)] for c in children), default=0)
            if size > max_nodes:
                raise YamlProblem(f"expands to more than {max_nodes:,} values (YAML aliases?)", node.start_mark.line + 1)
            if depth > max_depth:
                raise YamlProblem(f"nested more than {max_depth} levels deep", node.start_mark.line + 1)
            sizes[key], depths[key] = size, depth
            continue
        if key in sizes:
            continue
        if key in on_path:  # a recursive alias: cannot be expanded at all
            raise YamlProblem("a YAML alias refers to itself", node.start_mark.line + 1)
        on_path.add(key)
        stack.append((node, True))
        for c in _children(node):
            if id(c) not in sizes:
                stack.append((c, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one YAML document with the bounds above; raise :class:`YamlProblem`."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problem = getattr(e, "problem", None) or type(e).__name__
            raise YamlProblem(f"malformed YAML: {problem}", mark.line + 1 if mark else None) from None
        except RecursionError:
            raise YamlProblem(f"nested more than {max_depth} levels deep") from None
        if node is None:
            return None
        _check(node, max_nodes, max_depth)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as e:  # an unknown tag, an unhashable key
            mark = getattr(e, "problem_mark", None) or node.start_mark
            raise YamlProblem(f"malformed YAML: {getattr(e, 'problem', None) or type(e).__name__}",
                              mark.line + 1 if mark else None) from None
        except (ValueError, TypeError, OverflowError) as e:
            raise YamlProblem(f"unreadable value ({type(e).__name__})", node.start_mark.line + 1) from None
    finally:
        loader.dispose()
