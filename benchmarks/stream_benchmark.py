"""Benchmark of helpers.stream on one long recorded stream (>= 20,000 deltas), inside a real Jupyter kernel.

    python benchmarks/stream_benchmark.py

Two streams: a fine-grained one (deltas of 2 to 18 characters at 4,000 tokens/s: the worst case for the
live view's throttle) and a real-shaped one (deltas of whole words, about 20 to 100 characters, at 60
tokens/s, the first event after about 1.2 s: the chunking and pace captured from MiniMax, docs/sources.md).
For each it prints: the kernel's CPU cost of helpers.stream with live widgets against plain iteration of the SDK
stream (ratio), the widget updates sent per second of stream, and replay pace accuracy at speed 1. Then the time
of `import helpers` against `import anthropic`. The recording is generated at run time into a temporary folder
(synthesized with devtools.synth, never written to data/cassettes). Figures, not pass/fail: nothing is timed
in the test suite.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import devtools.synth as synth  # noqa: E402
from devtools.synth import estimate_tokens, message_body, stream_events  # noqa: E402
from helpers._replay.cassettes import Cassette, file_name  # noqa: E402

RECORDED_TPS = 4000.0
"""Tokens per second of the fine-grained stream: far above any model so 20,000+ deltas play in about 15 s."""

SHAPES = {
    "fine-grained": {"words": 26_000, "tps": RECORDED_TPS, "goal": 1.07},
    "real-shaped": {"words": 900, "tps": 60.0, "goal": 1.3},
}
"""The two benchmark streams: words per block, recorded tokens per second, and the goal for the CPU ratio (issue 18:
hold 1.07, an earlier run's figure, on the fine-grained stream; at most 1.3 for the real-shaped stream, whose short
length makes the view's fixed cost per turn show)."""


def fine_chunks(text: str, rng: random.Random) -> list[str]:
    """The earlier, fine-grained chunking: 2 to 18 characters per delta (a worst case, not MiniMax's shape)."""
    chunks, i = [], 0
    while i < len(text):
        end = min(len(text), i + rng.randint(2, 18))
        space = text.rfind(" ", i + 1, end + 1)
        if end < len(text) and space > i:
            end = space
        chunks.append(text[i:end])
        i = end
    return chunks


WORDS = ["light", "drop", "angle", "colour", "wave", "token", "stream", "model", "answer", "sea", "光", "雨", "彩虹"]
PROMPT = "Benchmark: write at length."
REPEATS = 3


def build_recording(folder: Path, shape: str) -> dict[str, Any]:
    """Write one long streamed exchange (thinking + text) as a cassette; return its request and figures."""
    rng = random.Random(7)
    words, tps = SHAPES[shape]["words"], SHAPES[shape]["tps"]
    thinking = " ".join(rng.choice(WORDS) for _ in range(words))
    text = "\n\n" + " ".join(rng.choice(WORDS) for _ in range(words))
    request = {
        "model": "MiniMax-M2.1",
        "max_tokens": 100_000,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
    }
    body = message_body(request, {"thinking": thinking, "text": text}, rng)
    real_chunks = synth.chunk_text
    synth.chunk_text = real_chunks if shape == "real-shaped" else fine_chunks
    try:
        events = stream_events(body, rng, tps)
    finally:
        synth.chunk_text = real_chunks
    cassette = Cassette(
        request={"method": "POST", "path": "/v1/messages", "body": request},
        response={"status": 200, "headers": {"content-type": "text/event-stream"}, "events": events},
        source={"kind": "synthesized", "from": "benchmarks/stream_benchmark.py", "note": "benchmark only"},
    )
    cassette.write(folder / "bench" / file_name(cassette))
    deltas = [e for e in events if e.get("event") == "content_block_delta"]
    content = [e for e in deltas if e["data"]["delta"]["type"] in ("thinking_delta", "text_delta")]
    span = content[-1]["at"] - content[0]["at"]
    tokens = sum(estimate_tokens(e["data"]["delta"].get("thinking") or e["data"]["delta"].get("text")) for e in content)
    sizes = sorted(len(e["data"]["delta"].get("thinking") or e["data"]["delta"].get("text")) for e in content)
    return {
        "median_chars": sizes[len(sizes) // 2],
        "first_event": events[0]["at"],
        "deltas": len(deltas),
        "output_tokens": body["usage"]["output_tokens"],
        "recorded_tps": tokens / span,
        "recorded_seconds": events[-1]["at"],
    }


KERNEL_SETUP = """
import os, sys, time, json
sys.path.insert(0, {root!r})
os.environ["MINIMAX_CASSETTES"] = {cassettes!r}
import helpers
from helpers.streaming import LiveView
from devtools.synth import estimate_tokens
PARAMS = dict(model="MiniMax-M2.1", max_tokens=100_000, messages=[{{"role": "user", "content": {prompt!r}}}])

def plain(client):
    with client.messages.stream(**PARAMS) as stream:
        for event in stream:
            pass
        return stream.get_final_message()

def live(client, view):
    return helpers.stream(client, view=view, **PARAMS)

def cpu(fn, *args):
    start = time.process_time()
    fn(*args)
    return time.process_time() - start
"""

KERNEL_COST = """
fast = helpers.get_client(recordings="bench", mode="replay", replay_speed=0, quiet=True)
plain_costs, live_costs = [], []
for _ in range({repeats}):
    plain_costs.append(cpu(plain, fast))
    live_costs.append(cpu(live, fast, LiveView(mode="widgets")))
print(json.dumps({{"plain": plain_costs, "live": live_costs}}))
"""

KERNEL_PACE = """
paced = helpers.get_client(recordings="bench", mode="replay", replay_speed=1, quiet=True)
view = LiveView(mode="widgets")
times, tokens = [], 0
original = view.feed
def timed_feed(event, stream=None):
    if getattr(event, "type", "") == "content_block_delta" and event.delta.type in ("thinking_delta", "text_delta"):
        global tokens
        times.append(time.perf_counter())
        tokens += estimate_tokens(getattr(event.delta, "thinking", None) or getattr(event.delta, "text", None))
    original(event, stream)
view.feed = timed_feed
start = time.perf_counter()
helpers.stream(paced, view=view, **PARAMS)
seconds = time.perf_counter() - start
print(json.dumps({"tps": tokens / (times[-1] - times[0]), "seconds": seconds, "updates": view.updates}))
"""


def run_in_kernel(code_blocks: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Run code in a fresh IPython kernel; return the JSON lines it printed and the widget updates it sent."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    results: list[dict[str, Any]] = []
    comm_updates = 0
    try:
        for code in code_blocks:
            msg_id = client.execute(code)
            while True:
                msg = client.get_iopub_msg(timeout=600)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream" and content["name"] == "stdout":
                    for line in content["text"].splitlines():
                        if line.startswith("{"):
                            results.append(json.loads(line))
                elif kind == "comm_msg" and content.get("data", {}).get("method") == "update":
                    comm_updates += 1
                elif kind == "error":
                    raise RuntimeError("\n".join(content["traceback"]))
                elif kind == "status" and content["execution_state"] == "idle":
                    break
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return results, comm_updates


def import_seconds(statement: str, runs: int = 7) -> float:
    """Median wall time of `statement` in fresh interpreters (each one pays the full import)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(float(done.stdout.strip()))
    return statistics.median(times)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def measure(shape: str) -> None:
    """Build one stream, measure it in two fresh kernels, print its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures = build_recording(folder, shape)
        print(
            f"{shape} recording: {figures['deltas']:,} deltas (median {figures['median_chars']} chars), "
            f"{figures['output_tokens']:,} output tokens, first event at {figures['first_event']:.2f} s, "
            f"{figures['recorded_seconds']:.1f} s at speed 1 (recorded {figures['recorded_tps']:.0f} tokens/s)"
        )
        setup = KERNEL_SETUP.format(root=str(ROOT), cassettes=str(folder), prompt=PROMPT)
        (cost,), _ = run_in_kernel([setup, KERNEL_COST.format(repeats=REPEATS)])
        (pace,), comm_updates = run_in_kernel([setup, KERNEL_PACE])

    plain, live = statistics.median(cost["plain"]), statistics.median(cost["live"])
    ratio = live / plain
    per_second = pace["updates"] / pace["seconds"]
    deltas_per_second = figures["deltas"] / (figures["recorded_seconds"] - figures["first_event"])
    pace_error = pace["tps"] / figures["recorded_tps"] - 1
    print(f"  kernel CPU, median of {REPEATS} runs at speed 0:")
    print(f"    plain iteration {plain:.3f} s, helpers.stream with widgets {live:.3f} s")
    goal = SHAPES[shape]["goal"]
    print(f"    ratio {ratio:.3f} (goal <= {goal}: {verdict(ratio <= goal)})")
    print(f"  deltas per second of stream: {deltas_per_second:.1f}")
    print(f"  widget updates at speed 1: {pace['updates']} in {pace['seconds']:.1f} s = {per_second:.1f}/s")
    print(f"    comm updates on iopub: {comm_updates} (goal <= 20/s: {verdict(per_second <= 20)})")
    print(f"  replay pace at speed 1: {pace['tps']:.1f} tokens/s measured, {figures['recorded_tps']:.1f} recorded")
    print(f"    error {pace_error:+.1%} (goal within 5%: {verdict(abs(pace_error) <= 0.05)})")


def main() -> int:
    for shape in SHAPES:
        measure(shape)
    anthropic_s = import_seconds("import anthropic")
    helpers_s = import_seconds("import helpers")
    print(f"import time, median of 7 fresh interpreters: anthropic {anthropic_s * 1000:.0f} ms, ", end="")
    print(f"helpers {helpers_s * 1000:.0f} ms")
    print(f"  ratio {helpers_s / anthropic_s:.2f} (goal <= 1.2: {verdict(helpers_s / anthropic_s <= 1.2)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
