"""The ``laokg`` command line: parses options, calls one library function, formats the result.

Every failure becomes one line ``Error: ...`` on stderr and a documented exit code: see
:func:`laokg.cli.common.fail` (the one error path) and :class:`LaokgGroup`.
"""

import importlib
import sys
from collections.abc import MutableMapping

import click

from laokg import __version__
from laokg.cli.common import CONTEXT_SETTINGS, run_reporting_errors

#: each command -> the module of laokg.cli whose ``register`` adds it (one module per group of
#: commands; docs/contributing.md). A command's module is imported when the command is asked
#: for, so ``laokg query run`` loads none of the others (tests/test_startup.py checks the table)
MODULES = {
    "query": "query",
    "sparql": "query",
    "show": "query",
    "search": "query",
    "build": "graph",
    "export": "graph",
    "stats": "graph",
    "validate": "graph",
    "audit": "provenance",
    "diff": "provenance",
    "source": "provenance",
    "trace": "provenance",
    "site": "site",
    "push": "store",
    "serve": "store",
}


class LaokgGroup(click.Group):
    """A click group whose every failure (laokg's own errors, and input/output, recursion,
    encoding, memory or unexpected errors) is one escaped line and a documented exit code.
    Its commands are registered by their modules when first asked for (:data:`MODULES`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._registered: set[str] = set()  # the modules of MODULES whose commands are registered

    def invoke(self, ctx):
        return run_reporting_errors(ctx, lambda: super(LaokgGroup, self).invoke(ctx))

    def _register(self, module: str) -> None:
        if module not in self._registered:
            self._registered.add(module)
            importlib.import_module(f"laokg.cli.{module}").register(self)

    def load_all(self) -> MutableMapping[str, click.Command]:
        """Every command, registered: ``self.commands``."""
        for module in dict.fromkeys(MODULES.values()):
            self._register(module)
        return self.commands

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in MODULES:
            self._register(MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        return sorted({*self.commands, *MODULES})


def _root_defaults(group: click.Group, root: str) -> dict:
    """A click default map giving ``--root`` to every command (and subcommand) that has it."""
    defaults = {}
    commands = group.load_all() if isinstance(group, LaokgGroup) else group.commands
    for name, command in commands.items():
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


def main():
    cli(prog_name="laokg")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
