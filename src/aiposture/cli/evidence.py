"""'aiposture evidence': sign and verify audit evidence packs (written with -f evidence)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aiposture.cli.common import handle_errors, say


@click.group()
def evidence() -> None:
    """Sign and verify evidence packs.

    \b
    Write a signed pack:  aiposture scan ... -f evidence -o pack.zip --sign-key signer.pem
    Verify it:            aiposture evidence verify pack.zip --key signer.pub.pem
    Make a key pair:      openssl genpkey -algorithm ed25519 -out signer.pem
                          openssl pkey -in signer.pem -pubout -out signer.pub.pem
    """


@evidence.command("verify", epilog="\b\nExit codes:\n  0  every check passed\n  1  the pack or its signature does not verify\n"
                                   "  2  usage error (file not found, key unreadable)")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Detached signature [default: PACK.sig beside the pack].")
@click.option("--key", "public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The signer's Ed25519 public key (PEM). Without it only the internal hashes are checked.")
@handle_errors
def evidence_verify(pack: Path, signature: Path | None, public_key: Path | None) -> None:
    """Check an evidence pack: the detached signature over the whole zip (with --key), then every file
    against the manifest's SHA-256 and size, and that no file was added or removed."""
    from aiposture.output.evidence import verify

    ok, bad = verify(pack, signature=signature, public_key=public_key)
    # member names come from the pack, which may be anyone's: printed inert (see textsafe)
    for line in ok:
        say(f"ok    {line}", err=False)
    for line in bad:
        say(f"FAIL  {line}", err=False)
    if public_key is None and not bad:
        click.echo("note  without --key only the hashes inside the zip were checked; they do not show who made the pack")
    sys.exit(1 if bad else 0)


@evidence.command("sign")
@click.argument("pack", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Ed25519 private key (PEM); an encrypted key takes its passphrase from AIPOSTURE_SIGN_KEY_PASSPHRASE.")
@handle_errors
def evidence_sign(pack: Path, key: Path) -> None:
    """Write PACK.sig: a detached Ed25519 signature of the whole zip (64 raw bytes; OpenSSL can check it too:
    openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in PACK -sigfile PACK.sig)."""
    from aiposture.output.evidence import sign_pack

    out = sign_pack(pack, key)
    say(f"wrote {out}")


def register(main: click.Group) -> None:
    main.add_command(evidence)
