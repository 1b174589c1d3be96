"""`python -m devtools drift --out DIR`: the live drift check for whoever publishes the collection.

With a key (MINIMAX_API_KEY; MINIMAX_REGION and MINIMAX_BASE_URL as for the notebooks) it runs three checks and
writes DIR/drift-report.md (Markdown; never a key, and credentials in URLs redacted):
1. `doctor` (devtools/doctor.py): does the service still behave as the recordings assume?
2. every notebook run live in record mode, its recordings written to DIR/recordings (a scratch folder: the
   shipped data/cassettes are never touched) and the live run saved to DIR/live/;
3. strict nbval on that recording: the notebooks as shipped, replayed from DIR/recordings, compared cell by cell
   with their stored outputs.
Exit 0: nothing differs; 1: something differs (the report names it); 2: no key. `.github/workflows/drift.yml`
runs it every week and files the report as an issue, as the Gemini cookbook's weekly notebook test does.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import anthropic

from helpers._replay.cassettes import iter_cassette_files
from helpers._settings import REGIONS, ConfigError, find_key

from .doctor import Row, examine, markdown, redact
from .notebooks import ROOT, english_paths, environment, notebook_paths, replay_environment, run_notebook

REPORT = "drift-report.md"
NBVAL_TIMEOUT = 3600
"""Seconds the strict nbval run may take in all (every notebook replays at full speed: a few minutes)."""


@dataclass
class Recorded:
    """One notebook run live in record mode: how many recordings it wrote, and the cell that failed, if one did."""

    notebook: str
    recordings: int
    failure: str | None


@dataclass
class Compared:
    """Strict nbval on one notebook replayed from the new recordings: cells compared, and those that differ."""

    notebook: str
    cells: int = 0
    differ: list[tuple[str, str, str]] = field(default_factory=list)
    """(cell, what nbval said in a line, the start of its explanation), one per cell that differs."""


@dataclass
class Findings:
    """Everything the report says; `differs` is what the exit code says."""

    endpoint: str
    doctor: list[Row]
    recorded: list[Recorded]
    compared: list[Compared]
    nbval_problem: str | None = None

    @property
    def differs(self) -> list[str]:
        """One line per thing that differs."""
        lines = [
            f"doctor, {r.check}: the service did {r.service!r}; the recordings assume {r.recordings!r}"
            for r in self.doctor
            if not r.same
        ]
        lines += [f"recording {r.notebook}: {r.failure}" for r in self.recorded if r.failure]
        lines += [f"nbval {c.notebook}, {cell}: {what}" for c in self.compared for cell, what, _ in c.differ]
        if self.nbval_problem:
            lines.append(f"nbval: {self.nbval_problem}")
        return lines


# -- the three checks --------------------------------------------------------------------------------------------


def _record(paths: list[Path], out: Path, say: Callable[[str], None]) -> list[Recorded]:
    """Run each notebook live in record mode, recordings into out/recordings, the live run into out/live."""
    import nbformat

    env = {**os.environ, "MINIMAX_MODE": "record", "MINIMAX_CASSETTES": str(out / "recordings")}
    results = []
    with environment(env):
        for path in paths:
            name = str(path.relative_to(ROOT / "notebooks"))
            say(f"recording {name} live ...")
            before = len(list(iter_cassette_files(out / "recordings")))
            nb, failure = run_notebook(path)
            saved = out / "live" / name
            saved.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, saved)
            written = len(list(iter_cassette_files(out / "recordings"))) - before
            results.append(Recorded(name, written, failure))
    return results


def _sanitizer(out: Path) -> Path:
    """An nbval sanitize file: the scratch folder, which the notebooks' banner names, reads as data/cassettes."""
    recordings = (out / "recordings").resolve()
    path = out / "nbval-sanitize.cfg"
    path.write_text(f"[recordings]\nregex: {re.escape(str(recordings))}\nreplace: data/cassettes\n", encoding="utf-8")
    return path


def _nbval(paths: list[Path], out: Path, say: Callable[[str], None]) -> tuple[list[Compared], str | None]:
    """Strict nbval on the shipped notebooks replayed from out/recordings (keyless: the replay environment)."""
    xml = out / "nbval.xml"
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "--nbval"]
    command += ["--nbval-current-env", "--nbval-sanitize-with", str(_sanitizer(out)), "--color=no", "-q"]
    command += ["--junitxml", str(xml)]
    if importlib.util.find_spec("xdist"):
        command += ["-n", "auto", "--dist", "loadscope"]
    env = {**replay_environment(), "MINIMAX_CASSETTES": str((out / "recordings").resolve())}
    say("strict nbval on the recording ...")
    try:
        done = subprocess.run(
            [*command, *map(str, paths)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=NBVAL_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return [], f"did not finish within {NBVAL_TIMEOUT} s"
    (out / "nbval.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if not xml.exists():
        return [], f"pytest wrote no results (exit {done.returncode}); see nbval.log"
    return _read_junit(xml), None


def _read_junit(xml: Path) -> list[Compared]:
    """Per notebook: the cells nbval compared and, for each that differs, nbval's words."""
    by_notebook: dict[str, Compared] = {}
    for case in ElementTree.parse(xml).iter("testcase"):
        classname = case.get("classname", "")
        name = re.sub(r"^notebooks\.", "", classname).replace(".", "/").replace("/ipynb", ".ipynb")
        compared = by_notebook.setdefault(name, Compared(name))
        compared.cells += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            text = problem.text or problem.get("message") or ""
            what = next((line for line in text.splitlines() if line.startswith("Cell ")), "failed")
            what = what.split(": ", 1)[-1] if ": " in what else what
            compared.differ.append((case.get("name", "?").lower(), what, "\n".join(text.splitlines()[:40])))
    return list(by_notebook.values())


# -- the report --------------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(findings: Findings) -> str:
    """The Markdown report: the verdict, what differs, then each check in full. run() redacts it."""
    differs = findings.differs
    lines = [
        "# Live drift check",
        "",
        f"Endpoint: {findings.endpoint} · SDK: anthropic {anthropic.__version__} · "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
    ]
    if differs:
        lines += [f"**Drift: {len(differs)} thing(s) differ.**", ""] + [f"- {_cell(d)}" for d in differs]
    else:
        lines.append(
            "**No drift**: the service behaves as the recordings assume, every notebook ran live without an error, "
            "and every notebook replayed from the new recordings gives its stored outputs."
        )
    lines += ["", "## 1. doctor", ""]
    lines += markdown(findings.doctor, findings.endpoint).split("\n", 4)[4].splitlines()
    lines += ["", "## 2. Every notebook recorded live (recordings/, the live runs in live/)", ""]
    lines += ["| notebook | recordings written | result |", "|---|---|---|"]
    for r in findings.recorded:
        lines.append(f"| {r.notebook} | {r.recordings} | {_cell(r.failure) if r.failure else 'ran to the end'} |")
    lines += ["", "## 3. Strict nbval on that recording (stored outputs against the new recordings)", ""]
    if findings.nbval_problem:
        lines.append(f"nbval could not run: {findings.nbval_problem}.")
    lines += ["| notebook | cells compared | cells that differ |", "|---|---|---|"]
    for c in findings.compared:
        lines.append(f"| {c.notebook} | {c.cells} | {', '.join(cell for cell, _, _ in c.differ) or 'none'} |")
    for c in findings.compared:
        for cell, what, detail in c.differ:
            lines += ["", f"<details><summary>{c.notebook}, {cell}: {what}</summary>", "", "```", detail, "```"]
            lines.append("</details>")
    lines += ["", _ADVICE if differs else "Nothing to do."]
    return "\n".join(lines) + "\n"


_ADVICE = (
    "What to do: a doctor row that differs means MiniMax (or the endpoint) changed a behaviour the recordings "
    "assume: fix the helpers or the exchange in data/exchanges, then `python -m devtools synth`. A notebook that "
    "failed live, or cells whose outputs differ, need the notebook or the helpers fixed; the live runs and their "
    "recordings are in this report's folder. Model text always varies between runs: a cell that differs only in "
    "the model's words is not a fault, but the stored output no longer shows what MiniMax says today."
)


def _scrub_folder(out: Path, key: str) -> int:
    """Redact the key and URL credentials from every text file written under `out`; how many files changed."""
    changed = 0
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        clean = redact(text, key)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            changed += 1
    return changed


# -- the command ------------------------------------------------------------------------------------------------


def run(out: Path, names: list[str] | None = None, *, say: Callable[[str], None] = print) -> int:
    """The drift command: 0 when nothing differs, 1 when something does (the report names it), 2 without a key or
    with a base URL that get_client would refuse (nothing is sent then)."""
    out.mkdir(parents=True, exist_ok=True)
    found = find_key(None)
    key = getattr(found, "value", None)
    region = os.environ.get("MINIMAX_REGION", "").strip() or "auto"
    base_url = os.environ.get("MINIMAX_BASE_URL", "").strip() or None
    endpoint = base_url or REGIONS.get(region) or ", ".join(REGIONS.values())
    if not key:
        message = "No key: set MINIMAX_API_KEY (in CI, the repository secret MINIMAX_API_KEY). Nothing was sent."
        (out / REPORT).write_text(f"# Live drift check\n\n{message}\n", encoding="utf-8")
        say(message)
        return 2
    paths = notebook_paths(names) if names else english_paths()  # translations only by name: `drift zh-CN`
    say(f"doctor against {redact(endpoint, key)} ...")
    try:
        rows, endpoint = examine(key, region=region, base_url=base_url)
    except ConfigError as error:  # a base URL get_client refuses: nothing was sent; the message hides credentials
        (out / REPORT).write_text(f"# Live drift check\n\n{error}\n\nNothing was sent.\n", encoding="utf-8")
        say(str(error))
        return 2
    (out / "doctor-report.md").write_text(redact(markdown(rows, endpoint), key), encoding="utf-8")
    recorded = _record(paths, out, say)
    compared, problem = _nbval(paths, out, say)
    findings = Findings(endpoint, rows, recorded, compared, problem)
    (out / REPORT).write_text(report(findings), encoding="utf-8")
    _scrub_folder(out, key)
    differs = findings.differs
    for line in differs:
        say(redact(f"DIFF {line}", key))
    say(f"{'Drift' if differs else 'No drift'}: report written to {out / REPORT}.")
    return 1 if differs else 0
