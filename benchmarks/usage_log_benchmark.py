"""Benchmark: what the usage log costs on a ~20 MB live stream, against a plain `anthropic.Anthropic`.

    python benchmarks/usage_log_benchmark.py

A local server (helpers.server.ReplayServer, in a child process on 127.0.0.1, so its work is not counted)
serves one generated ~20 MB stream. The same request is streamed through a plain `anthropic.Anthropic` and
through a live `helpers.get_client` client (usage log on), alternately; the figure is the ratio of the client
process's CPU seconds (median of the runs; wall seconds are printed too). The recording is generated at run
time in a temporary folder (synthesized with devtools.synth; never written to data/cassettes). Goal: <= 1.05.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402

from devtools.synth import message_body, stream_events  # noqa: E402
from helpers._replay.cassettes import Cassette, file_name  # noqa: E402

WORDS = ["light", "drop", "angle", "colour", "wave", "token", "stream", "model", "answer", "sea", "光", "雨", "彩虹"]
REQUEST = {
    "model": "MiniMax-M2.1",
    "max_tokens": 200_000,
    "messages": [{"role": "user", "content": "Benchmark: a very long answer."}],
    "stream": True,
}
RUNS = 5
SERVER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from helpers.server import ReplayServer
server = ReplayServer(Path({cassettes!r}), speed=0).start()
print(server.url, flush=True)
sys.stdin.read()
server.stop()
"""


def build_recording(folder: Path, words: int = 780_000) -> int:
    """Write one streamed exchange of about 20 MB on the wire (in deltas of whole words, as synth makes them);
    return its size in bytes."""
    from helpers._replay.sse import encode_event

    rng = random.Random(11)
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    body = message_body(REQUEST, {"text": text}, rng)
    events = stream_events(body, rng, 1_000_000.0)
    cassette = Cassette(
        request={"method": "POST", "path": "/v1/messages", "body": REQUEST},
        response={"status": 200, "headers": {"content-type": "text/event-stream"}, "events": events},
        source={"kind": "synthesized", "from": "benchmarks/usage_log_benchmark.py", "note": "benchmark only"},
    )
    cassette.write(folder / "bench" / file_name(cassette))
    return sum(len(encode_event(e)) for e in events)


def consume(client: anthropic.Anthropic) -> int:
    """Stream the request to its end the way a notebook loop does; return the number of events."""
    params = {k: v for k, v in REQUEST.items() if k != "stream"}
    count = 0
    with client.messages.create(stream=True, **params) as stream:  # type: ignore[call-overload]
        for _ in stream:
            count += 1
    return count


def measure(make: Callable[[], anthropic.Anthropic]) -> tuple[float, float]:
    """CPU and wall seconds of one streamed request through a fresh client."""
    client = make()
    cpu, wall = time.process_time(), time.perf_counter()
    consume(client)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        size = build_recording(Path(tmp))
        code = SERVER.format(root=str(ROOT), cassettes=tmp)
        server = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            os.environ["MINIMAX_BASE_URL"] = url
            os.environ.pop("MINIMAX_MODE", None)
            import helpers

            def plain() -> anthropic.Anthropic:
                return anthropic.Anthropic(api_key="benchmark-key", base_url=url)

            def logged() -> anthropic.Anthropic:
                return helpers.get_client(api_key="benchmark-key", mode="live", quiet=True)

            consume(plain())  # warm up both paths (imports, connection pools, caches)
            consume(logged())
            plain_runs, logged_runs = [], []
            for _ in range(RUNS):
                plain_runs.append(measure(plain))
                logged_runs.append(measure(logged))
            calls = helpers.usage()
        finally:
            if server.stdin:
                server.stdin.close()
            server.wait(timeout=10)

    def median(runs: list[tuple[float, float]], i: int) -> float:
        return statistics.median(r[i] for r in runs)

    ratio = median(logged_runs, 0) / median(plain_runs, 0)
    print(f"stream: {size / 1e6:.1f} MB on the wire; median of {RUNS} alternating runs, client process only")
    print(f"  plain anthropic.Anthropic: CPU {median(plain_runs, 0):.2f} s, wall {median(plain_runs, 1):.2f} s")
    print(f"  helpers.get_client (live, usage log on): CPU {median(logged_runs, 0):.2f} s, ", end="")
    print(f"wall {median(logged_runs, 1):.2f} s")
    last = calls.iloc[-1]
    print(f"  usage log's last row: {last['output_tokens']:,} output tokens, ttft {last['ttft_s']} s")
    print(f"  CPU ratio {ratio:.3f} (goal <= 1.05: {'met' if ratio <= 1.05 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
