"""Build hook: the wheel carries the project's data as package data, ``laokg/data/...``.

graph/ (the curated Turtle), ontology/ (with vocab/ and shapes.ttl) and queries/ (with
audit/) live at the top of the repository, outside the package; a regular wheel gets a copy
of each under ``laokg/data/``, which is what an installed ``laokg`` reads when no working copy
is chosen (docs/install.md). An editable install gets nothing: it reads the working copy.

graph/ is shipped expanded: the curators' files locate each quote in the source texts
(``$LAOKG_SEEDS`` or ../shared/seeds), which a wheel does not carry, so the hook runs the
expansion here (laokg.graph.wheel.expanded_files) and ships its result; the build fails if a
quote or a checksum does not hold.

It also ships ``laokg/data/prebuilt/``: the installed data graph as N-Triples and the saved
queries' facts, made from the files as they will be installed, so that an installed laokg's
first command loads no Turtle and parses no query (laokg.graph.prebuilt).
"""

import shutil
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DATA_DIRS = ("ontology", "queries")


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel" or version == "editable":
            return
        for name in DATA_DIRS:
            build_data["force_include"][str(Path(self.root) / name)] = f"laokg/data/{name}"
        sys.path.insert(0, str(Path(self.root) / "src"))
        try:
            from laokg.graph.wheel import expanded_files
        finally:
            sys.path.pop(0)
        self._generated = tempfile.TemporaryDirectory(prefix="laokg-wheel-")
        installed = Path(self._generated.name) / "data"  # laokg/data as the wheel installs it
        folder = installed / "graph"
        folder.mkdir(parents=True)
        for name, body in expanded_files(Path(self.root)).items():
            (folder / name).write_bytes(body)
        build_data["force_include"][str(folder)] = "laokg/data/graph"
        for name in DATA_DIRS:
            shutil.copytree(Path(self.root) / name, installed / name)
        build_data["force_include"][str(self._prebuilt(installed))] = "laokg/data/prebuilt"

    def _prebuilt(self, installed: Path) -> Path:
        """laokg/data/prebuilt: the installed data graph as N-Triples and the saved queries'
        facts, so an installed laokg's first command neither parses Turtle nor a query
        (laokg.graph.prebuilt)."""
        sys.path.insert(0, str(Path(self.root) / "src"))
        try:
            from laokg.graph.prebuilt import FACTS, FOLDER, prebuilt_files
            from laokg.query.precompute import compute_facts
        finally:
            sys.path.pop(0)
        target = installed.parent / FOLDER
        target.mkdir()
        for name, body in prebuilt_files(installed).items():
            (target / name).write_bytes(body)
        (target / FACTS).write_bytes(compute_facts(installed / "queries"))
        return target

    def finalize(self, version, build_data, artifact_path):
        generated = getattr(self, "_generated", None)
        if generated is not None:
            generated.cleanup()
