"""The docs/servers.md table, measured: every saved query (with each parameter set of its
tests/expected/ file) and audit rule on Jena ARQ (Debian libapache-jena-java, one ``arq``
process per query over the merged graph as N-Triples), its JSON answer read by laokg's
reader and rendered as the parity tests render it, compared with the embedded engine.

``python -m tests.servers_table arq`` prints "same/total" and the labels that differ. A
measurement, not a test (one JVM per query: minutes).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


def arq() -> None:
    from laokg.query.binding import inject_values
    from laokg.query.remote import results_from_json
    from laokg.query.safety import check_query

    from . import jena_support
    from .parity_support import bindings_of, embedded_outputs, parity_cases, rendered, text_of
    from .saved_query_support import real_graph

    want = embedded_outputs()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "graph.nt"
        real_graph().serialize(data, format="nt", encoding="utf-8")
        cp = jena_support.classpath(work)
        same, differ = 0, []
        for label, name, params in parity_cases():
            text = text_of(name)
            bindings = {k: v for k, v in bindings_of(name, params).items() if v}
            if bindings:
                text = inject_values(text, bindings)
            parsed = check_query(text, source=name)
            q = work / "q.rq"
            q.write_text(parsed.text, encoding="utf-8")
            out = subprocess.run(["java", "-cp", cp, "arq.sparql", "--data", str(data), "--query", str(q), "--results", "JSON"],
                                 capture_output=True, timeout=300)
            try:
                got = rendered(results_from_json(out.stdout, parsed.form))
            except Exception as exc:  # noqa: BLE001 - a measurement: say what failed
                differ.append(f"{label}: {type(exc).__name__}: {str(exc)[:100]} {out.stderr[-200:]!r}")
                continue
            if got == want[label]:
                same += 1
            else:
                differ.append(label)
        print(f"ARQ: {same}/{len(parity_cases())} the same bytes")
        for d in differ:
            print("  differs:", d)


if __name__ == "__main__":  # pragma: no cover
    {"arq": arq}[sys.argv[1]]()
