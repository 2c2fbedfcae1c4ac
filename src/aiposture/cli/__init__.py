"""Command line. Thin on purpose: parse options, call pipeline/engine/output modules.

One module per command group (``scan``, ``iac``, ``rules``...), registered on
``main`` here. Cloud SDKs are imported only inside the commands that need them,
so ``aiposture --help`` and ``aiposture scan --inventory`` start fast.
"""

from __future__ import annotations

import click

from aiposture import __version__
from aiposture.cli.common import SafeGroup, set_debug, setup_streams


class _Main(SafeGroup):
    """The root group; remembers the arguments it was invoked with (the evidence pack records the command line)."""

    invocation: list[str] | None = None

    def main(self, args=None, *rest, **kw):
        import sys

        self.invocation = list(sys.argv[1:] if args is None else args)
        return super().main(args, *rest, **kw)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "-V", "--version", prog_name="aiposture")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (also AIPOSTURE_DEBUG=1).")
def main(debug: bool) -> None:
    """Security posture checks for cloud AI deployments.

    aiposture reads live configuration (AWS Bedrock, Azure OpenAI, Google
    Vertex AI) or infrastructure-as-code into one inventory, evaluates
    declarative rules mapped to ISO/IEC 27090 threats, ISO 42001, ISO 27001,
    OWASP LLM Top 10, MITRE ATLAS and the EU AI Act, and reports as a table,
    JSON, SARIF, JUnit, CSV, a self-contained HTML report or an audit evidence zip.

    \b
    Start here:
      aiposture demo                         evaluate the bundled example inventory
      aiposture scan aws|azure|gcp           scan live cloud accounts (read-only)
      aiposture iac infra/                   check Terraform, CloudFormation, ARM/Bicep before deploy
      aiposture scan --inventory inv.json    evaluate a saved inventory
      aiposture rules list                   the rule catalog
      aiposture permissions aws|azure|gcp    the read-only permissions a live scan needs
      aiposture compliance list              frameworks; add --compliance iso27001 to a scan for per-control verdicts
      aiposture evidence verify pack.zip     check a signed audit evidence pack

    \b
    In CI: the main options also read AIPOSTURE_* environment variables
    (AIPOSTURE_FORMAT, AIPOSTURE_OUTPUT_DIR, AIPOSTURE_FAIL_ON...; see each
    command's --help), and the table becomes one line per finding when stdout
    is not a terminal (--compact / --no-compact to choose).

    \b
    Shell completion (bash, zsh, fish), e.g. in ~/.bashrc:
      eval "$(_AIPOSTURE_COMPLETE=bash_source aiposture)"
    """
    set_debug(debug)
    setup_streams()


def _register() -> None:
    from aiposture.cli import (
        compliance,
        demo,
        evidence,
        history,
        iac,
        inventory,
        permissions,
        rules,
        scan,
        worker,
    )

    for mod in (scan, permissions, iac, demo, rules, inventory, history, compliance, evidence, worker):
        mod.register(main)


_register()
