"""Run the notebooks the way the tests do: fresh kernel, in order, on recordings (or live, to record).

`python -m devtools regenerate` rewrites every notebook's stored outputs in replay mode; `python -m devtools
record` runs them against the live service (a key is needed) and writes new cassettes; `python -m devtools drift`
(devtools/drift.py) records them into a scratch folder with `run_notebook` and compares.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KEY_VARIABLES = ("MINIMAX_API_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")


TRANSLATIONS = ("zh-CN",)
"""The translation folders under notebooks/ (notebooks/zh-CN/...: the Simplified Chinese edition, issue 21)."""


def language_of(path: Path, root: Path | None = None) -> str:
    """The language of a notebook under `root` (notebooks/ unless given): the translation folder it sits in
    (notebooks/zh-CN/...), else "en". Only the path below `root` is read: a checkout kept in a folder named zh-CN
    stays English."""
    below = path.resolve().relative_to((root or NOTEBOOKS).resolve())
    return next((part for part in below.parts if part in TRANSLATIONS), "en")


def is_translation(path: Path) -> bool:
    """True for a notebook in a translation folder (notebooks/zh-CN/...)."""
    return language_of(path) != "en"


def _selected(path: Path, name: str) -> bool:
    """Whether `name` selects `path`: part of its path under notebooks/; a translation only when the name says its
    folder ('zh-CN', 'zh-CN/01'), so '01_quick_start' still means the English notebook and its solutions."""
    relative = path.relative_to(NOTEBOOKS).as_posix()
    return name in relative and (not is_translation(path) or any(language in name for language in TRANSLATIONS))


def notebook_paths(names: list[str] | None = None) -> list[Path]:
    """The notebooks (solutions and translations included), or those that one of `names` selects: part of a file
    name ('01_quick_start': the English ones), a translation folder ('zh-CN') or both ('zh-CN/01_quick_start')."""
    paths = sorted(NOTEBOOKS.rglob("*.ipynb"))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    if names:
        paths = [p for p in paths if any(_selected(p, n) for n in names)]
    return paths


def english_paths() -> list[Path]:
    """The English notebooks (solutions included): what a translation is made from, and what `record` and `drift`
    take when no notebook is named (the translations default to region cn, so a live run of them is asked for by
    name, with a key of that region)."""
    return [p for p in notebook_paths() if not is_translation(p)]


def replay_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a keyless replay run at full speed: no key of any kind can leak in."""
    env = {k: v for k, v in (base or os.environ).items() if k not in KEY_VARIABLES}
    env.update({"MINIMAX_MODE": "replay", "MINIMAX_REPLAY_SPEED": "0"})
    env.pop("MINIMAX_BASE_URL", None)
    env.pop("ANTHROPIC_BASE_URL", None)
    return env


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Replace os.environ for the duration (kernels inherit it when they start)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def merge_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join consecutive stream outputs of the same name, as nbval does when comparing: how a cell's prints
    are chunked depends on timing, and one output per stream reads better in the saved file."""
    merged: list[dict[str, Any]] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        same_stream = (
            previous is not None
            and output.get("output_type") == "stream" == previous.get("output_type")
            and output.get("name") == previous.get("name")
        )
        if same_stream and previous is not None:
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
"""What JupyterLab writes for ipykernel's kernel: saved as it is, a notebook is not marked modified when it opens."""


def strip_volatile(nb: object) -> None:
    """Remove what must never be saved (widget state breaks GitHub and JupyterLab, a widget view whose model
    is gone shows "Error displaying widget"; run timings change every run) and join fragmented print outputs."""
    nb.metadata.pop("widgets", None)  # type: ignore[attr-defined]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)  # type: ignore[attr-defined]
    for cell in nb.cells:  # type: ignore[attr-defined]
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.get("outputs"):
            cell.outputs = merge_streams(cell.outputs)
            for output in cell.outputs:  # an app left open (notebook 06): its model lives only in the kernel
                output.get("data", {}).pop(WIDGET_MIME, None)  # keep its text/plain; nbval skips this mime anyway


def _prepared(path: Path, timeout: int) -> tuple[Any, Any]:
    """The notebook read from `path` and an nbclient client that runs it from a fresh kernel in its own folder."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    return nb, client


def execute(path: Path, *, timeout: int = 600) -> object:
    """Run one notebook from a fresh kernel in its own folder and return the executed notebook; a cell that
    raises (and is not tagged raises-exception) raises nbclient's CellExecutionError."""
    nb, client = _prepared(path, timeout)
    client.execute()
    strip_volatile(nb)
    return nb


def run_notebook(path: Path, *, timeout: int = 600) -> tuple[Any, str | None]:
    """Like `execute`, but a failing cell is returned, not raised: the executed notebook (up to that cell) and
    None, or a line naming the cell as nbval numbers it ('cell 12: ValueError: ...', code cells from 0)."""
    from nbclient.exceptions import CellExecutionError

    nb, client = _prepared(path, timeout)
    try:
        client.execute()
    except CellExecutionError as error:
        strip_volatile(nb)
        first = (error.evalue or "").strip().splitlines()
        return nb, f"{_failed_cell(nb)}{error.ename}: {first[0] if first else ''}"
    strip_volatile(nb)
    return nb, None


def _failed_cell(nb: Any) -> str:
    """'cell N: ' for the first cell whose error was not expected (not tagged raises-exception), N counting code
    cells from 0 as nbval does."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code):
        expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        if not expected and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return f"cell {index}: "
    return ""


def regenerate(names: list[str] | None = None) -> int:
    """Re-run notebooks in replay mode and save their outputs; the only way stored outputs are made."""
    import nbformat

    with environment(replay_environment()):
        for path in notebook_paths(names):
            print(f"regenerating {path.relative_to(ROOT)} ...", flush=True)
            nbformat.write(execute(path), path)
    return 0


def record(names: list[str] | None = None) -> int:
    """Run notebooks live in record mode: every request's answer is written under data/cassettes."""
    env = dict(os.environ)
    if not any(env.get(k) for k in ("MINIMAX_API_KEY",)) and not env.get("MINIMAX_BASE_URL"):
        print("Recording calls MiniMax live: set MINIMAX_API_KEY first (and MINIMAX_REGION=cn for a China key).")
        return 2
    env.update({"MINIMAX_MODE": "record"})
    paths = notebook_paths(names) if names else english_paths()  # translations only by name: `record zh-CN`
    with environment(env):
        for path in paths:
            print(f"recording {path.relative_to(ROOT)} ...", flush=True)
            execute(path)
    print("Done. Now run `python -m devtools regenerate` to store outputs from the new recordings.")
    return 0
