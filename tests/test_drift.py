"""`python -m devtools drift` (devtools/drift.py) against the local MiniMax-like server with a canary key: once
matching (exit 0, "No drift"), once made to differ through an altered recording folder (exit 1, the report names
the doctor row and the notebook cell); without a key (exit 2, nothing sent). The key is in nothing it writes or
says. Then the scheduled workflow that runs it, `.github/workflows/drift.yml`, parsed and checked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from devtools.__main__ import main as devtools_main
from devtools.drift import REPORT, Findings, _scrub_folder, report, run
from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files, load
from helpers.server import ReplayServer

CANARY = "sk-canary-drift-9a8b7c6d5e4f"
NOTEBOOK = "01_quick_start.ipynb"  # the command does every notebook; one keeps the test within CI time
LIVE_CALLS = 8  # notebook 01's model calls, one recording each (the max_tokens lesson's content-null call is the 8th)
WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "drift.yml"


def _drift(root: Path, out: Path, monkeypatch, capfd) -> tuple[int, str, str]:
    said: list[str] = []
    with ReplayServer(root, api_keys={CANARY}, speed=1) as server:
        monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
        monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
        status = run(out, [NOTEBOOK], say=said.append)
    captured = capfd.readouterr()
    everything = "\n".join([*said, captured.out, captured.err])
    for path in out.rglob("*"):
        if path.is_file():
            everything += path.read_text(encoding="utf-8", errors="replace")
    assert CANARY not in everything and CANARY[:16] not in everything, "the key is in nothing written or said"
    return status, "\n".join(said), (out / REPORT).read_text()


@pytest.mark.slow  # records notebook 01 in a kernel, then replays it under nbval in another process
def test_drift_against_a_server_that_sends_the_recordings_finds_none(clean_env, monkeypatch, capfd, tmp_path) -> None:
    before = {p: p.stat().st_mtime_ns for p in iter_cassette_files(DEFAULT_ROOT)}
    status, said, text = _drift(DEFAULT_ROOT, tmp_path / "out", monkeypatch, capfd)
    assert status == 0, text
    assert "**No drift**" in text and "Everything matches." in text
    assert f"| {NOTEBOOK} | {LIVE_CALLS} | ran to the end |" in text
    assert re.search(rf"\| {re.escape(NOTEBOOK)} \| \d+ \| none \|", text), "nbval compared every cell, none differ"
    assert len(list(iter_cassette_files(tmp_path / "out" / "recordings"))) == LIVE_CALLS
    assert (tmp_path / "out" / "live" / NOTEBOOK).exists() and (tmp_path / "out" / "doctor-report.md").exists()
    assert {p: p.stat().st_mtime_ns for p in iter_cassette_files(DEFAULT_ROOT)} == before, "shipped ones untouched"
    assert "No drift" in said


def _altered_copy(tmp_path: Path) -> Path:
    """The shipped recordings with MiniMax-M2's answer in notebook 01's model comparison changed (no later request
    sends it back) and the doctor's lightning answer cut short."""
    root = tmp_path / "altered"
    shutil.copytree(DEFAULT_ROOT, root)
    for path in iter_cassette_files(root):
        cassette = load(path)
        body, model = cassette.response.get("body") or {}, cassette.request["body"]["model"]
        if path.parent.name == "01_quick_start" and path.name.startswith("name-one-prime") and model == "MiniMax-M2":
            body["content"][-1]["text"] = "\n\n89"
        elif path.parent.name == "doctor" and model == "MiniMax-M2.1-lightning":
            body["stop_reason"] = "max_tokens"
        else:
            continue
        path.write_text(json.dumps(cassette.to_json()), encoding="utf-8")
    return root


@pytest.mark.slow  # as above
def test_drift_against_a_server_that_differs_names_what_differs(clean_env, monkeypatch, capfd, tmp_path) -> None:
    status, said, text = _drift(_altered_copy(tmp_path), tmp_path / "out", monkeypatch, capfd)
    assert status == 1
    verdict, listed = text.split("\n\n")[2:4]
    assert verdict == "**Drift: 2 thing(s) differ.**", text
    doctor, cell = listed.splitlines()
    assert doctor.startswith("- doctor, model MiniMax-M2.1-lightning: the service did 'answers: thinking, text; stop ")
    assert "stop max_tokens'; the recordings assume 'answers: thinking, text; stop end_turn'" in doctor
    (number,) = re.findall(rf"^- nbval {re.escape(NOTEBOOK)}, (cell \d+): Cell outputs differ$", cell)
    assert f"| {NOTEBOOK} | {LIVE_CALLS} | ran to the end |" in text, "the notebook itself still ran live"
    (details,) = text.split("<details>")[1:]
    assert details.startswith(f"<summary>{NOTEBOOK}, {number}: Cell outputs differ</summary>")
    assert "answer='89'" in details and "answer='97'" in details, "the report shows the difference"
    assert "DIFF nbval" in said and "Drift: report written" in said


def test_drift_without_a_key_sends_nothing_and_says_so(clean_env, monkeypatch, tmp_path) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
        said: list[str] = []
        assert run(tmp_path / "out", [NOTEBOOK], say=said.append) == 2
    assert not server.requests and "MINIMAX_API_KEY" in said[-1]
    assert "No key" in (tmp_path / "out" / REPORT).read_text()


def test_drift_with_credentials_in_the_base_url_sends_nothing_and_says_why(clean_env, monkeypatch, tmp_path) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
        monkeypatch.setenv("MINIMAX_BASE_URL", server.url.replace("http://", "http://joe:s3cret@"))
        said: list[str] = []
        assert run(tmp_path / "out", [NOTEBOOK], say=said.append) == 2
    assert not server.requests, "nothing may be sent to a base URL get_client refuses"
    written = "\n".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "MINIMAX_BASE_URL" in said[-1] and "Nothing was sent" in written
    assert "s3cret" not in written + "\n".join(said) and CANARY not in written + "\n".join(said)


def test_the_report_redacts_credentials_in_urls_and_the_command_is_wired(tmp_path, capsys) -> None:
    findings = Findings("https://joe:s3cret@gateway.example/anthropic?token=t0k3n", [], [], [])
    (tmp_path / REPORT).write_text(report(findings) + CANARY)
    assert _scrub_folder(tmp_path, CANARY) == 1
    text = (tmp_path / REPORT).read_text()
    assert "s3cret" not in text and "t0k3n" not in text and CANARY not in text and "gateway.example" in text
    assert devtools_main(["drift", "no-such-notebook"]) == 2
    said = capsys.readouterr().err
    assert "No notebook path contains no-such-notebook" in said and "zh-CN/01_quick_start.ipynb" in said


# -- the workflow that runs it -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_the_workflow_runs_weekly_and_by_hand(workflow) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert minute.isdigit() and hour.isdigit() and day == month == "*" and weekday.isdigit(), "once a week"
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_the_workflow_installs_the_lock_runs_the_command_and_files_an_issue(workflow) -> None:
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any("-r requirements-dev.lock" in r for r in runs)
    (drift,) = [s for s in _steps(workflow) if "python -m devtools drift --out" in s.get("run", "")]
    assert drift["env"]["MINIMAX_API_KEY"] == "${{ secrets.MINIMAX_API_KEY }}"
    upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact@"))
    out = re.search(r"--out (\S+)", drift["run"]).group(1)
    assert upload["if"] == "always()" and upload["with"]["path"].rstrip("/") == out
    issue = next(s for s in _steps(workflow) if "gh issue create" in s.get("run", ""))
    assert "gh issue comment" in issue["run"] and f"{out}/drift-report.md" in issue["run"]
    assert issue["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_the_workflow_keeps_the_key_in_env_only_and_pins_every_action(workflow) -> None:
    text = WORKFLOW.read_text()
    for step in _steps(workflow):
        script = step.get("run", "")
        assert "${{" not in script, f"expressions reach scripts only through env: {step.get('name')}"
        assert "MINIMAX_API_KEY" not in script and "secrets" not in script, "the key is never echoed"
        for name, value in (step.get("env") or {}).items():
            if "secrets." in str(value):
                assert name == "MINIMAX_API_KEY"
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"pinned to a commit: {step['uses']}"
    assert text.count("secrets.") == 1, "the secret appears once, in the drift step's env"
    assert not re.search(r"(?i)set -x|env\s*$|printenv", text)


@pytest.mark.slow  # starts a kernel
def test_a_notebook_that_fails_live_is_named_with_its_cell_as_nbval_counts_them(tmp_path) -> None:
    import nbformat

    from devtools.notebooks import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# a title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise KeyError('expected')", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('never')"),
    ]
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    ran, failure = run_notebook(path)
    assert failure == "cell 2: ZeroDivisionError: division by zero"
    assert not ran.cells[4].outputs
