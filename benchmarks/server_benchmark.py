"""Benchmark of `python -m helpers serve` under a classroom's load, on loopback only.

    python benchmarks/server_benchmark.py

Starts the server as a child process on a free port of 127.0.0.1 and prints:
  1. its memory growth (resident set size, from /proc) over 20 threads x 200 requests, each carrying a key
     (the server's request log is bounded and keeps no key, so it must grow by under 20 MiB);
  2. how many of 40 simultaneous new connections are answered (the listen backlog must hold them all).
Exits 1 when either figure misses its bound. Every loop is bounded; nothing leaves the machine (Linux: /proc).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS, PER_THREAD, SIMULTANEOUS = 20, 200, 40
GROWTH_LIMIT_MIB = 20.0
RECORDED = next((ROOT / "data" / "cassettes" / "01_quick_start").glob("hi-how-are-you-*.json"))  # any key's name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def post(port: int, body: bytes, n: int) -> int:
    """One request as a learner's client sends it (a key in the header); returns the status (0: no answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"content-type": "application/json", "x-api-key": f"sk-benchmark-{n:08d}-" + "k" * 40}
    try:
        connection.request("POST", "/anthropic/v1/messages", body=body, headers=headers)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0  # reset or refused: the connection queue was full
    finally:
        connection.close()


def load(port: int, body: bytes) -> list[int]:
    """THREADS threads, PER_THREAD requests each, all at once."""
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        for i in range(PER_THREAD):
            status = post(port, body, t * PER_THREAD + i)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses


def simultaneous_connects(port: int) -> int:
    """Open SIMULTANEOUS connections at the same instant (a barrier), then ask on each; count the answers."""
    barrier = threading.Barrier(SIMULTANEOUS)
    answered: list[bool] = []
    lock = threading.Lock()

    def connect() -> None:
        ok = False
        try:
            barrier.wait(timeout=30)
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                ok = s.recv(16).startswith(b"HTTP/1.1")
        except OSError:
            ok = False
        with lock:
            answered.append(ok)

    threads = [threading.Thread(target=connect) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sum(answered)


def main() -> int:
    body = json.dumps(json.loads(RECORDED.read_text())["request"]["body"]).encode()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "helpers", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "Replaying N recordings ...": the server is up
        warm = [post(port, body, -1) for _ in range(50)]
        assert set(warm) == {200}, f"the recorded request was not answered 200: {set(warm)}"
        before = rss_mib(server.pid)
        started = time.perf_counter()
        statuses = load(port, body)
        elapsed = time.perf_counter() - started
        growth = rss_mib(server.pid) - before
        answered = simultaneous_connects(port)
    finally:
        server.terminate()
        server.wait(timeout=10)
    total = THREADS * PER_THREAD
    print(f"{THREADS} threads x {PER_THREAD} requests: {statuses.count(200)}/{total} answered 200 in {elapsed:.1f} s")
    print(f"memory growth of helpers serve: {growth:.1f} MiB (limit {GROWTH_LIMIT_MIB:.0f} MiB, from {before:.1f} MiB)")
    print(f"simultaneous new connections answered: {answered}/{SIMULTANEOUS}")
    good = statuses.count(200) == total and growth < GROWTH_LIMIT_MIB and answered == SIMULTANEOUS
    print("OK" if good else "FAILED")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
