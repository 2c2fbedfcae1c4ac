"""Writing reports without writing through a link the scanned repository planted.

In a pull-request workflow the current directory is the checkout of the pull
request: any name in it may be a symbolic link chosen by its author
(``aiposture.sarif -> ~/.bashrc``). Every file aiposture writes goes through
:func:`write_file`:

* the data go to a new temporary file created exclusively (``O_EXCL``) in the
  destination's directory, which then *replaces* the destination with
  ``rename(2)``: a symbolic link at the destination is replaced, its target is
  never opened, and a reader never sees a half-written report;
* for a relative destination, no directory between the current directory and the
  file may be a symbolic link (one planted in the checkout could point anywhere):
  the write is refused with a clear error instead;
* a failure is an :class:`~aiposture.errors.OutputError` naming the path (exit 2),
  never a traceback.

An absolute path is the user's own choice and its directories are used as given.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO, cast

from aiposture.errors import OutputError
from aiposture.textsafe import scrub_surrogates

SCRUB = "aiposture.fffd"  # text-mode error handler: a lone surrogate is written as U+FFFD (valid UTF-8)


def _fffd(e: UnicodeError) -> tuple[bytes, int]:
    if isinstance(e, UnicodeEncodeError):  # UTF-8 encodes everything but surrogates
        # bytes: the UTF-8 encoder takes only ASCII text from an error handler
        return "\ufffd".encode() * (e.end - e.start), e.end
    raise e


codecs.register_error(SCRUB, _fffd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_no_links(path: Path, what: str) -> None:
    """Refuse a relative destination with a symbolic link among its existing directories."""
    if path.is_absolute():
        return
    current = Path()
    for part in path.parent.parts:
        current = current / part
        if part in ("", "."):
            continue
        if current.is_symlink():
            raise OutputError(f"cannot write {what} to {path}: '{current}' is a symbolic link "
                              "(the scanned tree may have planted it); give a path without links")
        if not current.exists():
            return


def special_destination(dest: Path) -> bool:
    """``/dev/null``, ``/dev/stdout``, ``/dev/fd/N``, a named pipe: written in place, never replaced.

    Renaming a temporary file over a device node would swap ``/dev/null`` for a regular
    file (for every process on the machine, when run as root in CI)."""
    if dest.is_absolute() and dest.parts[1:2] in (("dev",), ("proc",)):
        return True
    try:
        import stat

        mode = os.stat(dest, follow_symlinks=False).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode) and not stat.S_ISLNK(mode)


@contextlib.contextmanager
def _open_special(dest: Path, what: str, binary: bool) -> Iterator[IO]:
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_TRUNC if dest.is_file() else os.O_WRONLY)
    except OSError as e:
        raise OutputError(f"cannot write {what} to {dest}: {e.strerror or e}") from None
    fh: IO = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", errors=SCRUB, newline="")
    with fh:
        yield fh


@contextlib.contextmanager
def open_for_write(path: str | Path, what: str, *, binary: bool = False) -> Iterator[IO]:
    """A file object whose content replaces ``path`` atomically when the block ends without error."""
    dest = Path(path)
    if special_destination(dest):
        with _open_special(dest, what, binary) as fh:
            yield fh
        return
    check_no_links(dest, what)
    if dest.is_dir() and not dest.is_symlink():
        raise OutputError(f"cannot write {what} to {dest}: it is a folder")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name[:40]}.", suffix=".tmp", dir=dest.parent)
    except OSError as e:
        raise OutputError(f"cannot write {what} to {dest}: {e.strerror or e}") from None
    try:
        out: IO = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", errors=SCRUB, newline="")
        with out:
            yield out
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {what} to {dest}: {e.strerror or e}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_file(path: str | Path, data: str | bytes, what: str) -> None:
    """Write ``data`` (text is UTF-8, lone surrogates replaced) to ``path`` as described above."""
    if isinstance(data, str):
        data = scrub_surrogates(data).encode("utf-8")
    with open_for_write(path, what, binary=True) as fh:
        fh.write(data)


def read_back(path: str | Path, what: str) -> bytes:
    """The bytes of a regular file this run has just written (to sign it), read without following a
    link: one swapped in after the write is refused, never read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        raise OutputError(f"cannot read back {what} at {path}: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as fh:
        import stat

        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OutputError(f"cannot read back {what} at {path}: not a regular file")
        return fh.read()


def batches(chunks: Iterable[str]) -> Iterator[str]:
    """Join small pieces of text into ~64 KB batches with lone surrogates replaced.

    The many tiny pieces of a JSON encoder then cost one list append each, and each batch one
    scrub and one write.
    """
    batch: list[str] = []
    size = 0
    for piece in chunks:
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            yield scrub_surrogates("".join(batch))
            batch, size = [], 0
    if batch:
        yield scrub_surrogates("".join(batch))


def write_chunks(path: str | Path, what: str, chunks: Iterable[str]) -> None:
    """Write text produced piece by piece (large reports: never a second full copy in memory)."""
    with open_for_write(path, what) as fh:
        for batch in batches(chunks):
            fh.write(batch)


_BATCH = 1 << 16


class _Utf8Out:
    """Text written as UTF-8 bytes into a binary stream (lone surrogates as U+FFFD). Unlike a
    TextIOWrapper it never owns the stream, so it can never close standard output. Small pieces
    (a JSON encoder's) are joined into ~64 KB batches: one encode and one write per batch."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.pending: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.pending.append(text)
        self.size += len(text)
        if self.size >= _BATCH:
            self._drain()
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def _drain(self) -> None:
        data, self.pending, self.size = "".join(self.pending), [], 0
        self.raw.write(data.encode("utf-8", SCRUB))

    def flush(self) -> None:
        if self.pending:
            self._drain()
        self.raw.flush()


class _Scrubbing:
    """A text stream without a byte buffer (a test harness's): lone surrogates become U+FFFD."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(scrub_surrogates(text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def stdout_text() -> Iterator[TextIO]:
    """Standard output for a machine-readable report streamed piece by piece: UTF-8 whatever
    the terminal's encoding, lone surrogates as U+FFFD, exactly the bytes a file would get."""
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    out = _Scrubbing(sys.stdout) if raw is None else _Utf8Out(raw)
    try:
        yield cast(TextIO, out)
    except BaseException:
        with contextlib.suppress(OSError, ValueError):  # what was written so far still goes out
            out.flush()
        raise
    out.flush()
