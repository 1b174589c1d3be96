"""`python -m helpers doctor`, keyless against the local MiniMax-like server: everything matches when the server
sends what the recordings assume; a server made to differ is reported and exits 1; the key never appears."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers.__main__ import main
from helpers._replay.cassettes import DEFAULT_ROOT
from helpers.doctor import BUDGET_USD, _recordings, plan, run
from helpers.server import ReplayServer

CANARY = "sk-canary-doctor-7d1c0ffee42"


def _run(server: ReplayServer, tmp_path: Path) -> tuple[int, str, str]:
    said: list[str] = []
    out = tmp_path / "report.md"
    status = run(api_key=CANARY, base_url=server.url, out=out, say=said.append)
    return status, "\n".join(said), out.read_text()


def test_doctor_matches_the_recordings_on_a_server_that_sends_them(clean_env, tmp_path, capfd) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, speed=1) as server:
        status, said, report = _run(server, tmp_path)
    assert status == 0, report
    assert "| check | what the service did | what the recordings assume | same? |" in report
    assert "**no**" not in report and "Everything matches." in report
    for check in (
        "region",
        "model MiniMax-M3",
        "thinking",
        "event sequence",
        "delta sizes",
        "first event",
        "tokens per second",
        "tool round trip",
        "temperature 0",
        "401 with a wrong key",
    ):
        assert check in report, check
    assert "at most" in said and "USD" in said.split("\n")[0], "it says what it sends and may cost before sending"
    captured = capfd.readouterr()
    for text in (said, report, captured.out, captured.err):
        assert CANARY not in text and CANARY[:12] not in text
    # the key went to the server (which logs only its fingerprint, never the key)
    assert any(r["key_sha256"] == hashlib.sha256(CANARY.encode()).hexdigest() for r in server.requests)


def test_doctor_reports_a_service_that_differs_and_exits_1(clean_env, tmp_path) -> None:
    def no_signature(response: dict) -> dict:
        for block in (response.get("body") or {}).get("content", []):
            block.pop("signature", None)
        return response

    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, speed=1, reshape=no_signature) as server:
        status, said, report = _run(server, tmp_path)
    assert status == 1
    (row,) = [line for line in report.splitlines() if line.startswith("| thinking")]
    assert "no signature" in row and row.endswith("| **no** |")
    assert CANARY not in report + said


def test_doctor_without_a_key_sends_nothing(clean_env, tmp_path) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        said: list[str] = []
        assert run(base_url=server.url, out=tmp_path / "r.md", say=said.append) == 2
    assert not server.requests and not (tmp_path / "r.md").exists() and "MINIMAX_API_KEY" in said[-1]


def test_doctor_plan_is_within_budget_and_the_command_is_wired(clean_env, capsys) -> None:
    lines, cost = plan(_recordings())
    assert 0 < cost < BUDGET_USD and len(lines) >= 10
    assert main(["doctor", "--plan"]) == 0
    assert "at most" in capsys.readouterr().out
