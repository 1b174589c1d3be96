"""Benchmark: what `get_client` costs on a 2,000-file cassette library, against a 10-file one.

    python benchmarks/library_benchmark.py

Two libraries are generated in a temporary folder (copies of one shipped recording, each with its own prompt;
never written to data/cassettes) and `get_client(mode="replay")` is pointed at each through MINIMAX_CASSETTES.
Prints the median time of a `get_client` call on each and their ratio (goal: about 1, the library is read at
the first request, not when the client is built), then the first request on the large library (the one that
indexes it) and a later one.
"""

from __future__ import annotations

import copy
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import helpers  # noqa: E402
from helpers._replay.cassettes import DEFAULT_ROOT, Cassette, file_name, iter_cassette_files, load  # noqa: E402

CALLS = 30


def build_library(folder: Path, size: int) -> dict:
    """`size` cassettes answering `size` different prompts; returns the request of the last one."""
    template = next(
        c for c in map(load, iter_cassette_files(DEFAULT_ROOT)) if not c.is_stream and c.response["status"] == 200
    )
    body = {}
    for i in range(size):
        body = copy.deepcopy(template.request["body"])
        body["messages"] = [{"role": "user", "content": f"Benchmark prompt number {i}."}]
        cassette = Cassette(
            request={**template.request, "body": body}, response=template.response, source=template.source
        )
        cassette.write(folder / "bench" / file_name(cassette))
    return body


def seconds(fn: Callable[[], object], runs: int = 1) -> float:
    """Median wall seconds of `fn` over `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as large_dir:
        build_library(Path(small_dir), 10)
        request = build_library(Path(large_dir), 2_000)
        per_library = {}
        for name, folder in (("10 files", small_dir), ("2,000 files", large_dir)):
            os.environ["MINIMAX_CASSETTES"] = folder

            def make() -> object:
                return helpers.get_client(mode="replay", recordings="bench", quiet=True)

            make()  # warm up
            per_library[name] = seconds(make, CALLS)
        client = helpers.get_client(mode="replay", recordings="bench", quiet=True)
        first = seconds(lambda: client.messages.create(**request))
        again = helpers.get_client(mode="replay", recordings="bench", quiet=True)
        later = seconds(lambda: again.messages.create(**request))

    small, large = per_library["10 files"], per_library["2,000 files"]
    print(f"get_client(mode='replay'), median of {CALLS} calls:")
    print(f"  10-file library {small * 1000:.2f} ms, 2,000-file library {large * 1000:.2f} ms")
    print(f"  ratio {large / small:.2f} (goal about 1, at most 1.5: {'met' if large / small <= 1.5 else 'NOT met'})")
    print(f"first request on the 2,000-file library (reads it): {first * 1000:.0f} ms")
    print(f"a request from a new client in the same process (files already read): {later * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
