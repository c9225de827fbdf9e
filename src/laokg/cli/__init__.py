"""The ``laokg`` command line: parses options, calls one library function, formats the result.

Every failure becomes one line ``Error: ...`` on stderr and a documented exit code: see
:func:`laokg.cli.common.fail` (the one error path) and :class:`LaokgGroup`.
"""

import sys

import click

from laokg import __version__
from laokg.cli import graph, provenance, query, site, store
from laokg.cli.common import CONTEXT_SETTINGS, run_reporting_errors


class LaokgGroup(click.Group):
    """A click group whose every failure (laokg's own errors, and input/output, recursion,
    encoding, memory or unexpected errors) is one escaped line and a documented exit code."""

    def invoke(self, ctx):
        return run_reporting_errors(ctx, lambda: super(LaokgGroup, self).invoke(ctx))


def _root_defaults(group: click.Group, root: str) -> dict:
    """A click default map giving ``--root`` to every command (and subcommand) that has it."""
    defaults = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            defaults[name] = _root_defaults(command, root)
        elif any(param.name == "root" for param in command.params):
            defaults[name] = {"root": root}
    return defaults


@click.group(cls=LaokgGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="laokg")
@click.option(
    "--root",
    metavar="DIR",
    default=None,
    help="Project root for the command (as the command's own --root, which wins if both are given).",
)
@click.pass_context
def cli(ctx, root):
    """laokg: a cited knowledge graph of Lao labour-migration and diaspora-engagement policy.

    \b
    Example:
      laokg validate
      laokg stats
      laokg --root /data/kg1m build
    """
    if root is not None:
        ctx.default_map = _root_defaults(ctx.command, root)


# each command group's module adds its commands (one module per group; docs/contributing.md)
for _module in (query, graph, provenance, site, store):
    _module.register(cli)


def main():
    cli(prog_name="laokg")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
