"""`python -m devtools doctor`, keyless against the local MiniMax-like server: everything matches when the server
sends what the recordings assume; a server made to differ is reported and exits 1; the key never appears."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from devtools.__main__ import main
from devtools.doctor import BUDGET_USD, _recordings, answer_of, compare, markdown, plan, redact, run
from helpers._replay.cassettes import DEFAULT_ROOT
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


def _reworded(message: str, *, stop_reason: str | None = None):
    """A reshape that rewords the temperature error (the recording marks that message as a guess) and, if asked,
    changes the stop reason of every answer."""

    def reshape(response: dict) -> dict:
        body = response.get("body") or {}
        inner = body.get("error") if isinstance(body, dict) else None
        if isinstance(inner, dict) and "temperature" in inner.get("message", ""):
            inner["message"] = message
        if stop_reason and isinstance(body, dict) and "stop_reason" in body:
            body["stop_reason"] = stop_reason
        return response

    return reshape


def test_a_guessed_message_worded_differently_is_reported_not_counted(clean_env, tmp_path) -> None:
    real = "invalid params, temperature must be in (0.0, 1.0] (2013)"
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, speed=1, reshape=_reworded(real)) as server:
        status, said, report = _run(server, tmp_path)
    assert status == 0, report
    (row,) = [line for line in report.splitlines() if line.startswith("| temperature 0")]
    assert row.endswith("| yes (wording reported below) |") and "(a guess)" in row
    notes = report.split("Reported, not counted", 1)[1]
    assert real in notes and "data/exchanges/doctor.json#temperature-0" in notes
    assert "Everything matches." in report and "NOTE temperature 0" in said


def test_a_guessed_recording_still_counts_a_different_code_and_any_stop_reason(clean_env, tmp_path) -> None:
    other_code = "invalid params, temperature must be in (0, 1] (1039)"
    reshape = _reworded(other_code, stop_reason="max_tokens")
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, speed=1, reshape=reshape) as server:
        status, _, report = _run(server, tmp_path)
    assert status == 1
    rows = {line.split(" | ")[0][2:]: line for line in report.splitlines() if line.startswith("| ")}
    assert "(1039)" in rows["temperature 0.0"] and rows["temperature 0.0"].endswith("| **no** |")
    assert "stop max_tokens" in rows["model MiniMax-M2.1-lightning"]
    assert rows["model MiniMax-M2.1-lightning"].endswith("| **no** |")


def test_compare_judges_behaviour_and_counts_the_wording_of_a_known_message() -> None:
    known = answer_of(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid api key"}})
    reworded = answer_of(401, {"type": "error", "error": {"type": "authentication_error", "message": "bad key"}})
    assert compare("401", known, known).same
    assert not compare("401", reworded, known).same, "a message that is known (not a guess) is judged word for word"
    guessed = compare("401", reworded, known, guess="a GUESS")
    assert guessed.same and "bad key" in guessed.reported
    bare = answer_of(529, {"error": "overload"})
    assert bare.behaviour() == "HTTP 529 (no error type)" and "overload" in bare.wording
    page = answer_of(404, "<html><body>404 Not Found</body></html>")
    assert not compare("page", page, bare).same


def test_the_report_never_shows_credentials_in_an_endpoint_url() -> None:
    text = redact("https://joe:s3cret@gw.example/anthropic?api_key=abc123&x=1 and sk-live-1234", "sk-live-1234")
    assert "s3cret" not in text and "abc123" not in text and "sk-live-1234" not in text
    assert "gw.example/anthropic" in text and "x=1" in text
    assert "s3cret" not in markdown([], "https://joe:s3cret@gw.example/anthropic")


# -- the doctor's clients are get_client's (issue 19, points 3 and 4) -----------------------------------------

TOKEN = "oauth-canary-doctor-token-3b7e"
PASSWORD = "pw-canary-doctor-url-91c4"


class Listener:
    """A server on 127.0.0.1 that keeps every request it gets (path and headers) and answers each with a 401, or
    with `location` a redirect there."""

    def __init__(self, location: str | None = None) -> None:
        seen: list[tuple[str, dict[str, str]]] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                seen.append((self.path, dict(self.headers)))
                if location:
                    self.send_response(307)
                    self.send_header("location", location + self.path)
                    body = b""
                else:
                    self.send_response(401)
                    body = b'{"type":"error","error":{"type":"authentication_error","message":"invalid api key"}}'
                    self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Listener:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def everything(self) -> str:
        return json.dumps(self.seen)


def _doctor_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`python -m devtools doctor` with the canary key, its report in tmp_path: (exit status, all it printed)."""
    status = main(["doctor", "--out", str(tmp_path / "report.md")])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_a_redirect_to_another_host_is_not_followed_and_only_the_key_is_sent(
    clean_env, monkeypatch, tmp_path, capsys
) -> None:
    """The endpoint redirects every request to another origin: the doctor sends nothing there (a plain SDK client
    followed it), and the endpoint gets the key as the one credential (never ANTHROPIC_AUTH_TOKEN)."""
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    with Listener() as collector, Listener(location=collector.url) as endpoint:
        monkeypatch.setenv("MINIMAX_BASE_URL", endpoint.url)
        status, said = _doctor_command(tmp_path, capsys)
    assert status == 1 and endpoint.seen, said
    assert collector.seen == [], "a request followed the redirect to another host"
    assert CANARY in endpoint.everything() and TOKEN not in endpoint.everything()
    report = (tmp_path / "report.md").read_text()
    assert "redirect" in report and CANARY not in report + said


@pytest.mark.parametrize("where", ["--base-url", "MINIMAX_BASE_URL"])
def test_a_base_url_with_credentials_is_refused_before_anything_is_sent(
    clean_env, monkeypatch, tmp_path, capsys, where
) -> None:
    """`user:password@` in the endpoint: nothing sent (a plain client sent the password as Basic auth), no report
    written, and the refusal names the endpoint without the password."""
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    with Listener() as server:
        url = f"http://joe:{PASSWORD}@127.0.0.1:{server.port}/anthropic"
        if where == "--base-url":
            status = main(["doctor", "--base-url", url, "--out", str(tmp_path / "report.md")])
            captured = capsys.readouterr()
            said = captured.out + captured.err
        else:
            monkeypatch.setenv("MINIMAX_BASE_URL", url)
            status, said = _doctor_command(tmp_path, capsys)
    assert server.seen == [] and status == 2
    assert not (tmp_path / "report.md").exists()
    assert f"{where} carries credentials" in said and f"http://127.0.0.1:{server.port}/anthropic" in said
    assert PASSWORD not in said and CANARY not in said


def test_the_key_never_goes_to_anthropics_api(clean_env, monkeypatch, tmp_path, capsys) -> None:
    """MINIMAX_BASE_URL naming api.anthropic.com (resolved here to a server on 127.0.0.1, so that anything sent is
    seen): refused before sending, as get_client refuses it."""
    real_getaddrinfo = socket.getaddrinfo

    def to_localhost(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real_getaddrinfo("127.0.0.1" if host == "api.anthropic.com" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", to_localhost)
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    with Listener() as server:
        monkeypatch.setenv("MINIMAX_BASE_URL", f"http://api.anthropic.com:{server.port}")
        status, said = _doctor_command(tmp_path, capsys)
    assert server.seen == [], "the MiniMax key was sent to a host named api.anthropic.com"
    assert status == 2 and "Anthropic's own API" in said and not (tmp_path / "report.md").exists()


def test_the_old_command_says_where_the_doctor_went(capsys) -> None:
    from helpers.__main__ import main as helpers_main

    assert helpers_main(["doctor", "--plan"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert "python -m devtools doctor" in line and not captured.out


def test_a_plan_over_the_budget_is_refused_before_anything_is_sent(clean_env, monkeypatch, tmp_path) -> None:
    import devtools.doctor as doctor

    monkeypatch.setattr(doctor, "BUDGET_USD", plan(_recordings())[1] / 2)
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        said: list[str] = []
        assert run(api_key=CANARY, base_url=server.url, out=tmp_path / "r.md", say=said.append) == 2
    assert not server.requests, "the budget is enforced, not only printed"
    assert "over the budget" in said[-1] and "nothing was sent" in said[-1]


def test_the_whole_run_ends_at_its_deadline_on_a_service_that_hangs(clean_env, monkeypatch, tmp_path) -> None:
    """Each request gets what is left of the run's deadline: a service that answers nothing for minutes cannot hold
    the doctor longer than the deadline (scaled down here), and the report says which checks did not run."""
    import time

    import devtools.doctor as doctor

    monkeypatch.setattr(doctor, "DEADLINE_S", 2.0)
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        server.inject("slow", seconds=60, times=50)
        started = time.monotonic()
        status, said, report = _run(server, tmp_path)
        elapsed = time.monotonic() - started
    assert status == 1 and elapsed < 10, f"{elapsed:.1f} s for a 2 s deadline"
    assert "| deadline |" in report and "were not run" in report
    assert CANARY not in report + said
