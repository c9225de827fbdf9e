"""benchmarks/bench.py: what a measurement reports (not how fast anything is)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench

TWO_CHILDREN = """
import multiprocessing, time
def hold():
    block = b"x" * (100 * 1024 * 1024)  # written, so resident
    time.sleep(1.0)
if __name__ == "__main__":
    children = [multiprocessing.Process(target=hold) for _ in range(2)]
    for c in children:
        c.start()
    for c in children:
        c.join()
"""


@pytest.mark.skipif(not bench.os.path.isdir("/proc"), reason="the process tree is read from /proc")
def test_the_peak_counts_every_process_of_the_tree():
    """Two children holding 100 MiB each at once: the peak is the tree's (over 150 MiB), not
    the largest process's (about 110 MiB), as `laokg build`'s child processes need."""
    run = bench.run_once([sys.executable, "-c", TWO_CHILDREN], timeout=120)
    assert run["code"] == 0
    assert run["mib"] > 150


def test_a_single_process_peak_is_kept():
    run = bench.run_once([sys.executable, "-c", "b = b'x' * (80 * 1024 * 1024)"], timeout=120)
    assert run["code"] == 0 and run["mib"] > 80
