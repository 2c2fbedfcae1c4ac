"""A parser for CEL expressions: syntax tree with source spans, no evaluation.

Why the engine parses CEL itself although the Rust runtime already does:

* the fast path (:mod:`aiposture.engine.translate`) turns a condition into a
  Python function, which needs the tree;
* the reference path (:mod:`aiposture.engine.celpath`) evaluates the
  comprehension macros (``all``, ``exists``, ...) itself, in a canonical order,
  because the runtime iterates maps in a random order; it needs the source span
  of every macro to cut the expression into pieces the runtime still evaluates.

It follows the grammar of the CEL specification (langdef.md). What it does not
know (struct literals, optional syntax ``.?``/``[?``) raises
:class:`CelSyntaxError`; callers then leave the expression to the runtime alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

OPAQUE = object()  # a literal the parser recognised but does not decode (bytes, unusual escapes)

MACROS: dict[str, tuple[int, ...]] = {"all": (2,), "exists": (2,), "exists_one": (2,), "filter": (2,), "map": (2, 3)}
RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
            "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}


class CelSyntaxError(ValueError):
    pass


@dataclass
class Node:
    """One syntax node. ``kind`` is one of: lit, ident, select, has, index, call, list, map,
    unary, binary, cond, compr. ``start``/``end`` delimit its source text."""

    kind: str
    start: int
    end: int
    value: Any = None  # lit: the value (or OPAQUE); ident/select/has: the name; call: the function; unary/binary: operator; compr: the macro
    args: list[Node] = field(default_factory=list)
    target: Node | None = None  # call: receiver (x.f(...)); select/has/index: operand
    var: str = ""  # compr: iteration variable

    def walk(self):
        yield self
        if self.target is not None:
            yield from self.target.walk()
        for a in self.args:
            yield from a.walk()


_TOKEN = re.compile(
    r"""
    (?P<ws>[\t\n\f\r ]+|//[^\n]*)
  | (?P<num>0[xX][0-9a-fA-F]+[uU]?|\d*\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
  | (?P<str>(?:[rR][bB]?|[bB][rR]?)?(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'))
  | (?P<id>[_a-zA-Z][_a-zA-Z0-9]*)
  | (?P<op>\|\||&&|==|!=|<=|>=|[<>!?:+\-*/%.,()\[\]{}])
    """,
    re.VERBOSE,
)
_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
               "?": "?", '"': '"', "'": "'", "`": "`"}
_ESC = re.compile(r"\\(?:([abfnrtv\\?\"'`])|[xX]([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-3][0-7]{2}))")


def _tokens(src: str) -> list[tuple[str, str, int, int]]:
    out = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            raise CelSyntaxError(f"unexpected character {src[pos]!r} at {pos}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group(), m.start(), m.end()))
        pos = m.end()
    out.append(("end", "", len(src), len(src)))
    return out


def _string_value(tok: str) -> Any:
    prefix = re.match(r"[rRbB]*", tok).group()  # type: ignore[union-attr]
    if "b" in prefix.lower():
        return OPAQUE
    body = tok[len(prefix):]
    q = 3 if body[:3] in ('"""', "'''") else 1
    body = body[q:-q]
    if "r" in prefix.lower():
        return body
    pieces, pos = [], 0
    for m in _ESC.finditer(body):
        pieces.append(body[pos:m.start()])
        simple, x, u4, u8, octal = m.groups()
        if simple:
            pieces.append(_SIMPLE_ESC[simple])
        else:
            code = int(x or u4 or u8, 16) if (x or u4 or u8) else int(octal, 8)
            if x or octal or not 0 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                return OPAQUE  # byte escapes and surrogates: leave to the runtime
            pieces.append(chr(code))
        pos = m.end()
    rest = body[pos:]
    if "\\" in rest:
        return OPAQUE
    pieces.append(rest)
    return "".join(pieces)


def _number_value(tok: str) -> tuple[Any, str]:
    t = tok.lower()
    if t.endswith("u"):
        return OPAQUE, "uint"
    if t.startswith("0x"):
        return int(t, 16), "int"
    if any(c in t for c in ".e"):
        return float(t), "double"
    return int(t), "int"


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.toks = _tokens(src)
        self.i = 0

    # -- helpers ----------------------------------------------------------
    def peek(self, k: int = 0) -> tuple[str, str, int, int]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self, text: str | None = None) -> tuple[str, str, int, int]:
        tok = self.toks[self.i]
        if text is not None and tok[1] != text:
            raise CelSyntaxError(f"expected {text!r} at {tok[2]}, found {tok[1] or 'end'!r}")
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        kind, text, _, _ = self.peek()
        return kind in ("op", "id") and text in texts

    # -- grammar ----------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.peek()[0] != "end":
            raise CelSyntaxError(f"unexpected {self.peek()[1]!r} at {self.peek()[2]}")
        return node

    def expr(self) -> Node:
        cond = self.binary(0)
        if self.at("?"):
            self.take()
            a = self.binary(0)
            self.take(":")
            b = self.expr()
            return Node("cond", cond.start, b.end, args=[cond, a, b])
        return cond

    _LEVELS = (("||",), ("&&",), ("<", "<=", ">", ">=", "==", "!=", "in"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.at(*self._LEVELS[level]):
            op = self.take()[1]
            right = self.binary(level + 1)
            left = Node("binary", left.start, right.end, op, [left, right])
        return left

    def unary(self) -> Node:
        if self.at("!", "-"):
            tok = self.take()
            operand = self.unary()
            if tok[1] == "-" and operand.kind == "lit" and operand.value is not OPAQUE and type(operand.value) in (int, float) \
                    and operand.start == tok[3]:
                return Node("lit", tok[2], operand.end, -operand.value)
            return Node("unary", tok[2], operand.end, tok[1], [operand])
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.at("."):
                self.take()
                kind, name, _, end = self.take()
                if kind != "id":
                    raise CelSyntaxError(f"expected a field name after '.' at {end}")
                if self.at("("):
                    args, end = self.call_args()
                    node = self.method(node, name, args, end)
                else:
                    node = Node("select", node.start, end, name, target=node)
            elif self.at("["):
                self.take()
                if self.at("?"):
                    raise CelSyntaxError("optional index syntax is not supported")
                idx = self.expr()
                end = self.take("]")[3]
                node = Node("index", node.start, end, args=[idx], target=node)
            else:
                return node

    def method(self, target: Node, name: str, args: list[Node], end: int) -> Node:
        arity = MACROS.get(name)
        if arity is not None and len(args) in arity and args[0].kind == "ident":
            return Node("compr", target.start, end, name, args[1:], target=target, var=args[0].value)
        return Node("call", target.start, end, name, args, target=target)

    def call_args(self) -> tuple[list[Node], int]:
        self.take("(")
        args = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take()
                args.append(self.expr())
        return args, self.take(")")[3]

    def primary(self) -> Node:
        kind, text, start, end = self.peek()
        if kind == "num":
            self.take()
            value, _ = _number_value(text)
            return Node("lit", start, end, value)
        if kind == "str":
            self.take()
            return Node("lit", start, end, _string_value(text))
        if kind == "id":
            self.take()
            if text in ("true", "false"):
                return Node("lit", start, end, text == "true")
            if text == "null":
                return Node("lit", start, end, None)
            if text in RESERVED:
                raise CelSyntaxError(f"reserved word {text!r} at {start}")
            if self.at("("):
                args, end = self.call_args()
                if text == "has":
                    if len(args) != 1 or args[0].kind != "select":
                        raise CelSyntaxError("has() takes one field selection")
                    sel = args[0]
                    return Node("has", start, end, sel.value, target=sel.target)
                return Node("call", start, end, text, args)
            if self.at("{"):
                raise CelSyntaxError("message literals are not supported")
            return Node("ident", start, end, text)
        if text == "(" and kind == "op":
            self.take()
            inner = self.expr()
            end = self.take(")")[3]
            inner.start, inner.end = start, end  # the span includes the parentheses
            return inner
        if text == "[" and kind == "op":
            self.take()
            elems = []
            while not self.at("]"):
                elems.append(self.expr())
                if not self.at(","):
                    break
                self.take()
            end = self.take("]")[3]
            return Node("list", start, end, args=elems)
        if text == "{" and kind == "op":
            self.take()
            entries = []
            while not self.at("}"):
                k = self.expr()
                self.take(":")
                v = self.expr()
                entries += [k, v]
                if not self.at(","):
                    break
                self.take()
            end = self.take("}")[3]
            return Node("map", start, end, args=entries)
        if text == ".":
            raise CelSyntaxError("leading-dot names are not supported")
        raise CelSyntaxError(f"unexpected {text or 'end of expression'!r} at {start}")


def parse(src: str) -> Node:
    """Parse one CEL expression; raise :class:`CelSyntaxError` for what this parser does not know."""
    return _Parser(src).parse()
