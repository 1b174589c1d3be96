""".ci/run and .ci/python313 against what they and the README claim: a step that says it runs every notebook runs
them (conftest.py marks every notebook cell `slow`, so `-m "not slow"` runs none), and the SDK floor is one number in
helpers/_sdk.py, requirements.txt, CI and the README. Read as text: nothing is run here but one line of the system
step."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from devtools import lock
from helpers import _sdk

ROOT = Path(__file__).resolve().parent.parent
RUN = (ROOT / ".ci" / "run").read_text()
SCRIPTS = {name: (ROOT / ".ci" / name).read_text() for name in ("run", "python313")}


def _lines(script: str) -> list[str]:
    """The script's lines, a line ending in a backslash joined to the next, comments after ` #` dropped."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [re.sub(r"\s+#\s.*$", "", line) for line in joined.splitlines()]


def _pytest_args(line: str) -> list[str] | None:
    """The arguments after `-m pytest` on a line (a quoted argument keeps its quotes: `"not slow"`), or None."""
    found = re.search(r"-m pytest\b(.*)", line)
    return re.findall(r'"[^"]*"|\'[^\']*\'|\S+', found[1]) if found else None


def _names_notebooks(args: list[str]) -> bool:
    return any(a.strip("\"'") == "notebooks" or a.strip("\"'").startswith("notebooks/") for a in args)


def _marker_filters(args: list[str]) -> list[str]:
    return [a for a in args if a == "-m" or a.startswith("-m=") or a.startswith('-m"') or a == "-k"]


def _steps(script: str) -> dict[str, list[str]]:
    """`step "title"` -> the lines up to the next step."""
    steps: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _lines(script):
        title = re.match(r'step "(.*)"', line)
        if title:
            current = steps.setdefault(title[1], [])
        else:
            current.append(line)
    return steps


def test_the_script_parser_sees_the_pytest_runs() -> None:
    runs = [args for line in _lines(RUN) if (args := _pytest_args(line)) is not None]
    assert len(runs) >= 6, runs
    assert _marker_filters(_pytest_args('python -m pytest -m "not slow" tests notebooks') or []) == ["-m"]
    assert _names_notebooks(_pytest_args('x python -m pytest --nbval-lax notebooks -o addopts="-p no:x"') or [])


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_no_pytest_run_that_names_the_notebooks_filters_them_out(name: str) -> None:
    """`-m "not slow" notebooks` (or -k) collects every notebook and runs no cell of them: a silent no-op."""
    for line in _lines(SCRIPTS[name]):
        args = _pytest_args(line)
        if args is not None and _names_notebooks(args):
            assert not _marker_filters(args), f".ci/{name}: {line.strip()}"


def test_every_step_that_claims_every_notebook_runs_them() -> None:
    steps = {title: lines for title, lines in _steps(RUN).items() if "every notebook" in title}
    assert len(steps) >= 3, list(_steps(RUN))  # the Colab-like stack, the SDK floor, the newest releases
    for title, lines in steps.items():
        runs = [args for line in lines if (args := _pytest_args(line)) is not None]
        newest = any("-m devtools lock --newest" in line for line in lines)  # NEWEST_RUNS, tested below
        in_browser = ["tests/test_browser_lite.py"]  # the browser edition: a test per notebook, in Chromium
        ran = [a for a in runs if (_names_notebooks(a) or a[:1] == in_browser) and not _marker_filters(a)]
        assert newest or ran, title


def test_lock_newest_runs_every_notebook_unfiltered() -> None:
    """The newest-releases step hands its pytest runs to `python -m devtools lock --newest` (NEWEST_RUNS)."""
    notebook_runs = [args for _, args in lock.NEWEST_RUNS if _names_notebooks(args)]
    assert notebook_runs, lock.NEWEST_RUNS
    assert all(not _marker_filters(args) for args in notebook_runs), lock.NEWEST_RUNS
    assert all(not _names_notebooks(args) for _, args in lock.NEWEST_RUNS if _marker_filters(args))


def test_the_floor_step_runs_the_quick_loop_and_every_notebook_on_the_floor() -> None:
    floor = "\n".join(line for title, lines in _steps(RUN).items() if "SDK_FLOOR" in title for line in lines)
    runs = [args for line in floor.splitlines() if (args := _pytest_args(line)) is not None]
    assert ["-m", '"not slow"', "tests", "--deselect", "tests/test_lint.py"] in runs
    assert ["notebooks"] in runs
    assert floor.count('PATH="$PWD/.ci/venv-floor/bin:$PATH" python -m pytest') == 2, "both in the floor's venv"


def test_the_oldest_sdk_is_the_floor_of_requirements_ci_and_the_readme() -> None:
    ranges = re.findall(r"^anthropic>=([0-9.]+),<(\d+)\s", (ROOT / "requirements.txt").read_text(), re.M)
    assert len(ranges) == 1, ranges
    floor, ceiling = ranges[0]
    assert tuple(int(n) for n in floor.split(".")) == _sdk.OLDEST_SDK
    assert ceiling == str(_sdk.OLDEST_SDK[0] + 1), "the helpers support one major version"
    readme = (ROOT / "README.md").read_text()
    assert f"**The SDK range is `anthropic>={floor},<{ceiling}`**" in readme
    assert f"| anthropic {floor}.0 on the dev lock |" in readme, "the Tested versions table names the floor"
    assert re.search(r"SDK_FLOOR=\$\(sed -n 's/\^anthropic>=", RUN), "CI's floor step reads requirements.txt"


def test_the_browser_edition_runs_its_notebooks_in_workers_not_one_module_on_one_worker() -> None:
    """About 660 s in one process against about 420 s in three workers (measured on the shared 2-core machine);
    pyproject.toml's --dist loadscope would keep the whole module, so every notebook, on one worker."""
    runs = [a for line in _lines(RUN) if (a := _pytest_args(line)) and a[:1] == ["tests/test_browser_lite.py"]]
    assert len(runs) == 1, runs
    options = dict(zip(runs[0], runs[0][1:], strict=False))
    assert options.get("-n") not in (None, "0") and options.get("--dist") in {"load", "worksteal"}, runs[0]


@pytest.mark.parametrize(("installed", "dropped"), [("fonts-noto-cjk", True), ("unzip", False)])
def test_a_cjk_font_installed_now_drops_matplotlibs_older_font_cache(
    tmp_path: Path, installed: str, dropped: bool
) -> None:
    """A matplotlib font cache made before the CJK font was installed does not know it (the diagrams then fail to find
    Noto Sans CJK SC); the system step drops that cache only when it has just installed the font. Runs that line."""
    line = next(line for line in RUN.splitlines() if line.startswith("case ") and "fonts-noto-cjk" in line)
    cache = tmp_path / ".cache" / "matplotlib"
    cache.mkdir(parents=True)
    (cache / "fontlist-v3.11.0.json").write_text("{}")
    script = f"missing=({installed})\n{line}\n"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(["bash", "-c", script], env=env, check=True)
    assert cache.exists() is not dropped
