"""Text from clouds and repositories, made safe to print and to store.

Resource names, tags, file names and parser messages are attacker-controlled
(a pull request from a fork, a tenant that names its resources). Printed raw,
an ANSI/OSC escape clears a CI log or retitles a terminal, a bidi override
makes ``fail`` read as ``pass``, and a newline forges a log line (or a GitHub
Actions ``::workflow-command::``). :func:`clean` is the one helper every
terminal write goes through: it keeps printable text and shows everything
else as a visible escape (``\\x1b``, ``\\x0a``, ``\\u202e``), so nothing is lost and
nothing is interpreted.

:func:`scrub_surrogates` is for files: a lone surrogate (from a JSON ``\\ud800``
escape or a non-UTF-8 file name) cannot be encoded as UTF-8; it becomes U+FFFD
so every output stays valid UTF-8 that strict parsers accept.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included: one value = one line), DEL, C1 controls, the
# Unicode bidi controls and line/paragraph separators, BOM, lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: object) -> str:
    """``value`` as one line of inert text for a terminal or a log (controls shown as escapes)."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(_visible, text)


def clean_lines(value: object) -> str:
    """Like :func:`clean` but keeps line breaks: for multi-line text the tool itself lays out
    (rule documentation); every line is cleaned on its own."""
    return "\n".join(clean(line) for line in ("" if value is None else str(value)).split("\n"))


def scrub_surrogates(text: str) -> str:
    """Replace lone surrogates with U+FFFD (only when there are any: the common case costs one search)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
