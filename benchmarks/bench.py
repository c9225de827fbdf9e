"""Time load, validate and export on the real graph (median of N runs). Not a test.

Usage:
    python benchmarks/bench.py [--runs N] [--root DIR] [--plain-pyshacl]

``load (cold)`` parses every file; ``load (cached)`` is a second load in the same process
(the parse cache is hit, the merged graph is rebuilt). ``validate`` runs pySHACL on already
loaded graphs; ``--plain-pyshacl`` also times pySHACL without laokg's per-query parse cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from laokg.graph import export, load, validate  # noqa: E402


def median_time(func, runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median is shown)")
    parser.add_argument("--root", default=None, help="project root (default: found as the CLI finds it)")
    parser.add_argument("--plain-pyshacl", action="store_true", help="also time pySHACL without the query cache")
    args = parser.parse_args(argv)
    root = load.find_root(args.root)

    rows = []

    def cold():
        load.clear_cache()
        return load.load_data_graph(root)

    seconds, graph = median_time(cold, args.runs)
    rows.append(("load (cold)", seconds))
    seconds, graph = median_time(lambda: load.load_data_graph(root), args.runs)
    rows.append(("load (cached)", seconds))
    shapes = load.load_shapes(root)

    seconds, result = median_time(lambda: validate.run_shacl(graph, shapes), args.runs)
    rows.append(("validate", seconds))
    if args.plain_pyshacl:
        import pyshacl

        seconds, _ = median_time(
            lambda: pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=True, allow_infos=True),
            args.runs,
        )
        rows.append(("validate (plain pySHACL)", seconds))

    sizes = {}
    for fmt in export.FORMATS:
        seconds, data = median_time(lambda fmt=fmt: export.serialize(graph, fmt), args.runs)
        rows.append((f"export {fmt}", seconds))
        sizes[fmt] = len(data)

    print(f"laokg benchmark: {root}")
    print(f"graph: {len(graph):,} triples; shapes: {len(shapes):,} triples; "
          f"{summary_counts(result)}; median of {args.runs} runs")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        extra = ""
        if name.startswith("export "):
            extra = f"  ({sizes[name.split()[1]]:,} bytes)"
        print(f"  {name:<{width}}  {seconds * 1000:9.1f} ms{extra}")
    return 0


def summary_counts(result) -> str:
    return validate.summary(result)


if __name__ == "__main__":
    sys.exit(main())
