"""A structural index of Terraform HCL files: blocks, attributes and what each attribute refers to.

This is not an evaluator (``tfparse`` evaluates, see :mod:`aiposture.iac.terraform_eval`).
It is one linear pass over each file that finds, per block, its attributes' expression
text and the variables, locals, modules and data sources they mention. The reader uses
it to tell apart what the evaluator cannot: a ``null`` that the configuration wrote
(``kms_key_arn = null``) from a ``null`` that stands for a value unknown before apply
(``try(var.x.kms_key_arn, null)`` with ``var.x`` unset), where ``dynamic`` blocks nested
inside other blocks sit, and which module calls, ``file()`` calls and ``source`` paths a
file contains (so that the staged copy never reaches outside the scanned tree).

The scanner handles comments, quoted templates with nested interpolations and heredocs
with an explicit mode stack (no recursion), so a hostile file cannot exhaust the Python
stack; nesting deeper than :data:`MAX_DEPTH` makes the file "not checked".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_DEPTH = 100

_NORMAL = re.compile(
    r"[ \t\r]*(?:(?P<nl>\n)|(?P<comment>(?:\#|//)[^\n]*)|(?P<block_comment>/\*)"
    r'|(?P<plain>"(?:[^"\\$%\n]|\\.|\$\$\{|%%\{|[$%](?!\{))*")'
    r"|(?P<heredoc><<-?(?P<marker>[A-Za-z_][\w-]*)[ \t]*\r?\n)|(?P<str>\")"
    r"|(?P<open>[{\[(])|(?P<close>[}\])])|(?P<op>==|!=|<=|>=|=>|&&|\|\|)|(?P<eq>=)|(?P<q>\?)"
    r"|(?P<ident>[A-Za-z_][\w-]*(?:::[A-Za-z_][\w-]*)*)|(?P<other>.)|(?P<eof>$))",
    re.DOTALL,
)
_IN_STRING = re.compile(r'[^"\\$%\n]+|\\.|\$\$\{|%%\{|\$\{|%\{|"|\n|.', re.DOTALL)

# what an expression mentions: var.x, local.x, module.x, data.t.n, and calls we blocked in the staged copy
REFS = re.compile(r"(?<![\w.-])(?:(var|local|module)\.([A-Za-z_][\w-]*)|data\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*))"
                  r"|(aiposture_blocked_\w+)")


@dataclass
class Attr:
    name: str
    start: int  # offsets of the expression text in the file
    end: int
    line: int
    call: bool = False  # the expression is a function call, a conditional or a for-expression at its top


@dataclass
class Block:
    type: str
    labels: list[str]
    line: int
    start: int  # offset of the block's first character
    body_start: int  # offset just after "{"
    end: int = -1  # offset of the closing "}"
    end_line: int = 0
    attrs: dict[str, Attr] = field(default_factory=dict)
    children: list[Block] = field(default_factory=list)


class ScanError(Exception):
    """The file's structure could not be followed (unterminated string, nesting too deep)."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


class _Tok(NamedTuple):
    kind: str  # nl open close eq q ident str other
    text: str
    start: int
    end: int
    line: int


def tokens(text: str) -> list[_Tok]:
    """Significant tokens of an HCL file; strings and heredocs are one token each."""
    out: list[_Tok] = []
    append = out.append
    pos, line, n = 0, 1, len(text)
    match = _NORMAL.match
    while pos < n:
        m = match(text, pos)
        assert m is not None  # the pattern ends with "." (DOTALL) or end of text: always matches
        kind = m.lastgroup
        end = m.end()
        if kind == "comment" or kind == "eof":
            pos = end if end > pos else n
            continue
        start = m.start(kind) if kind else pos
        if kind == "nl":
            append(_Tok("nl", "\n", start, end, line))
            line += 1
        elif kind == "plain":
            append(_Tok("str", m.group(kind), start, end, line))
        elif kind == "block_comment":
            close = text.find("*/", end)
            end = n if close < 0 else close + 2
            line += text.count("\n", start, end)
        elif kind == "heredoc" or kind == "marker":
            marker = m.group("marker")
            term = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.MULTILINE).search(text, end)
            if term is None:
                raise ScanError(line, "unterminated heredoc")
            end = term.end()
            append(_Tok("str", text[start:end], start, end, line))
            line += text.count("\n", start, end)
        elif kind == "str":
            end, lines = _skip_string(text, end, line)
            append(_Tok("str", text[start:end], start, end, line))
            line += lines
        else:
            append(_Tok(kind or "other", m.group(kind or 0), start, end, line))
        pos = end
    return out


def _skip_string(text: str, pos: int, line: int) -> tuple[int, int]:
    """End offset of a quoted template starting after its opening quote, and the newlines it spans.

    Interpolations (``${ ... }``) may contain strings, which may contain interpolations:
    an explicit stack of modes keeps this linear and recursion-free.
    """
    stack: list[int] = [-1]  # -1: inside a string; n >= 0: inside an interpolation at brace depth n
    newlines = 0
    n = len(text)
    while pos < n:
        if stack[-1] < 0:
            m = _IN_STRING.match(text, pos)
            assert m is not None
            tok = m.group(0)
            pos = m.end()
            if tok == '"':
                stack.pop()
                if not stack:
                    return pos, newlines
            elif tok in ("${", "%{"):
                stack.append(0)
            elif tok == "\n":
                newlines += 1
                if len(stack) == 1:  # a quoted string cannot span lines outside interpolations
                    raise ScanError(line + newlines - 1, "unterminated string")
            if len(stack) > MAX_DEPTH:
                raise ScanError(line + newlines, "interpolation nested too deep")
        else:
            m = _NORMAL.match(text, pos)
            assert m is not None
            kind = m.lastgroup
            pos = m.end()
            if kind == "str":
                stack.append(-1)
            elif kind == "nl":
                newlines += 1
            elif kind == "open" and m.group(0) == "{":
                stack[-1] += 1
            elif kind == "close" and m.group(0) == "}":
                if stack[-1] == 0:
                    stack.pop()
                else:
                    stack[-1] -= 1
            elif kind == "block_comment":
                end = text.find("*/", pos)
                pos = n if end < 0 else end + 2
            elif kind == "heredoc":
                raise ScanError(line + newlines, "heredoc inside an interpolation")
            if len(stack) > MAX_DEPTH:
                raise ScanError(line + newlines, "interpolation nested too deep")
    raise ScanError(line, "unterminated string")


def index(text: str) -> list[Block]:
    """Top-level blocks of an HCL file with their attributes and nested blocks."""
    toks = tokens(text)
    root = Block("", [], 0, 0, 0)
    stack = [root]
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "nl":
            i += 1
            continue
        if t.kind == "close" and t.text == "}":
            if len(stack) == 1:
                raise ScanError(t.line, "unexpected '}'")
            blk = stack.pop()
            blk.end, blk.end_line = t.start, t.line
            i += 1
            continue
        if t.kind == "ident" and i + 1 < n and toks[i + 1].kind == "eq":
            i = _attribute(toks, i, stack[-1], text)
            continue
        if t.kind == "ident":
            labels: list[str] = []
            j = i + 1
            while j < n and toks[j].kind in ("str", "ident") and len(labels) < 8:
                lab = toks[j].text
                labels.append(lab[1:-1] if lab.startswith('"') and lab.endswith('"') else lab)
                j += 1
            if j < n and toks[j].kind == "open" and toks[j].text == "{":
                blk = Block(t.text, labels, t.line, t.start, toks[j].end)
                stack[-1].children.append(blk)
                stack.append(blk)
                if len(stack) > MAX_DEPTH:
                    raise ScanError(t.line, "blocks nested too deep")
                i = j + 1
                continue
        # anything else: skip to the end of the line (the evaluator reports real syntax errors)
        while i < n and toks[i].kind != "nl":
            i += 1
    if len(stack) > 1:
        raise ScanError(stack[-1].line, "block not closed")
    return root.children


def _attribute(toks: list[_Tok], i: int, owner: Block, text: str) -> int:
    name_tok = toks[i]
    j = i + 2
    depth = 0
    first = j
    call = False
    while j < len(toks):
        t = toks[j]
        if t.kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScanError(t.line, "expression nested too deep")
        elif t.kind == "close":
            if depth == 0:
                break  # the owner's closing brace on the same line
            depth -= 1
        elif t.kind == "nl" and depth == 0:
            break
        elif (t.kind == "q" and depth == 0) or (t.kind == "ident" and t.text == "for" and j == first + 1 and toks[first].kind == "open"):
            call = True
        j += 1
    if first < len(toks) and toks[first].kind == "ident" and first + 1 < len(toks) and \
            toks[first + 1].kind == "open" and toks[first + 1].text == "(":
        call = True
    end = toks[j - 1].end if j > first else toks[first - 1].end
    owner.attrs[name_tok.text] = Attr(name_tok.text, toks[first].start if first < len(toks) else end, end, name_tok.line, call)
    return j


def refs(expr: str) -> set[str]:
    """``var.x`` / ``local.x`` / ``module.x`` / ``data.t.n`` / ``aiposture_blocked_*`` mentioned in an expression."""
    out = set()
    for m in REFS.finditer(expr):
        if m.group(1):
            out.add(f"{m.group(1)}.{m.group(2)}")
        elif m.group(3):
            out.add(f"data.{m.group(3)}.{m.group(4)}")
        else:
            out.add("blocked")
    return out


def walk(blocks: list[Block]):
    """Every block, depth first, with its parent (None at the top)."""
    stack: list[tuple[Block, Block | None]] = [(b, None) for b in reversed(blocks)]
    while stack:
        b, parent = stack.pop()
        yield b, parent
        stack.extend((c, b) for c in reversed(b.children))
