"""The command line as recorded in reports, the evidence pack and the scan store: values that may be
secrets are replaced by ``***`` (an AWS external id, Terraform variables, store or queue URLs that can
carry passwords, key paths, and any option whose name says token, secret or password)."""

from __future__ import annotations

SECRET_OPTIONS = frozenset({"--external-id", "--var", "--sign-key", "--store", "--queue"})
_SECRET_WORDS = ("secret", "token", "password", "passphrase")


def _secret(option: str) -> bool:
    return option.startswith("--") and (option in SECRET_OPTIONS or any(w in option.lower() for w in _SECRET_WORDS))


def redact_argv(argv: list[str]) -> list[str]:
    """``argv`` with the value of every secret option masked (``--opt value`` and ``--opt=value``)."""
    out: list[str] = []
    hide_next = False
    for a in argv:
        if hide_next:
            out.append("***")
            hide_next = False
            continue
        opt, eq, _value = a.partition("=")
        if _secret(opt):
            out.append(f"{opt}=***" if eq else a)
            hide_next = not eq
            continue
        out.append(a)
    return out
