"""Build hook: the wheel carries the project's data as package data, ``laokg/data/...``.

graph/ (the curated Turtle), ontology/ (with vocab/ and shapes.ttl) and queries/ (with
audit/) live at the top of the repository, outside the package; a regular wheel gets a copy
of each under ``laokg/data/``, which is what an installed ``laokg`` reads when no working copy
is chosen (docs/install.md). An editable install gets nothing: it reads the working copy.
"""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DATA_DIRS = ("graph", "ontology", "queries")


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel" or version == "editable":
            return
        for name in DATA_DIRS:
            build_data["force_include"][str(Path(self.root) / name)] = f"laokg/data/{name}"
