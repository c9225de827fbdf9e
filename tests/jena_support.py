"""Run Apache Jena's SHACL validator (Debian ``libapache-jena-java``) on files, for comparison.

Jena is run as the issue and README say: ``java -cp ... shacl.shacl validate --shapes S
--data D``. The class path is Jena's jars plus the libraries the Debian package depends on,
not all of ``/usr/share/java`` (that directory may hold a second SLF4J binding and
``log4j-over-slf4j``, which stop the JVM). Debian's Jena 4.5 moves its bundled Xerces into a
package ``xerces.*`` but leaves Xerces' message bundles under ``org/apache/jena/ext/xerces``,
so Jena's XSD datatypes fail to initialise ("internal error" in ``applyFacets1``); a copy of
the bundles under the moved package name goes first on the class path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

JAVA_DIR = Path("/usr/share/java")
DEPENDENCIES = (
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx-collections",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpcore",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "slf4j-api",
    "slf4j-nop",
    "thrift",
    "protobuf",
    "titanium-json-ld",
    "jakarta.json-api",
)
BUNDLES = "org/apache/jena/ext/xerces/"


def available() -> bool:
    return shutil.which("java") is not None and (JAVA_DIR / "jena-shacl.jar").is_file()


def require():
    """Skip when Jena is not installed; on CI (``CI`` set) that is a failure."""
    if not available():
        message = "Apache Jena not installed (apt-get install libapache-jena-java)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def classpath(workdir: Path) -> str:
    resources = workdir / "jena-resources"
    if not resources.is_dir():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(BUNDLES) and name.endswith(".properties"):
                    target = resources / "xerces" / name[len(BUNDLES) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = sorted(p for p in JAVA_DIR.glob("jena-*.jar") if not p.stem[-1].isdigit())
    jars += [JAVA_DIR / f"{name}.jar" for name in DEPENDENCIES if (JAVA_DIR / f"{name}.jar").is_file()]
    return os.pathsep.join([str(resources), *map(str, jars)])


def shacl_validate(shapes: Path, data: Path, workdir: Path) -> str:
    """Jena's validation report (Turtle) for ``data`` against ``shapes``."""
    done = subprocess.run(
        ["java", "-cp", classpath(workdir), "shacl.shacl", "validate", "--shapes", str(shapes), "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"Jena failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout
