"""The publishing path that CI cannot run here (it needs Pyodide's GitHub release): `.github/workflows/pages.yml`,
parsed and its checksum step run with a stand-in `curl`, and `--pyodide-release`'s choice of packages from a
release folder's lock (devtools/lite.py), on a fake release folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devtools import lite

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps() -> list[dict]:
    return [step for job in _workflow()["jobs"].values() for step in job["steps"]]


def test_it_runs_only_by_hand_with_pinned_actions_and_least_permissions() -> None:
    flow = _workflow()
    assert set(flow[True]) == {"workflow_dispatch"}  # PyYAML reads the key `on` as True
    assert flow["permissions"] == {"contents": "read"}
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for step in _steps():
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), f"not pinned to a commit: {step['uses']}"
    assert "secrets." not in WORKFLOW.read_text()


def test_it_builds_what_ci_builds_plus_the_release_and_names_no_version_of_its_own() -> None:
    runs = "\n".join(step.get("run", "") for step in _steps())
    assert "--require-hashes -r requirements-dev.lock" in runs
    assert "--require-hashes -r devtools/site_requirements.txt" in runs
    assert "devtools lite --out public/lite --pyodide-release pyodide-release" in runs
    assert "devtools site --out public/site --lite-url ../lite/" in runs
    assert lite.PYODIDE_VERSION not in WORKFLOW.read_text()  # read from devtools/lite.py, one place
    assert lite.PYODIDE_VERSION in lite.PYODIDE_RELEASE_URL and lite.PYODIDE_RELEASE_URL.startswith(
        "https://github.com/pyodide/pyodide/releases/download/"
    )


def test_the_download_is_not_unpacked_while_no_sha256_is_pinned(tmp_path: Path) -> None:
    """The checksum step, run as the workflow runs it, with a `curl` that writes known bytes: with the pin empty
    (as committed until a maintainer pins it) it stops, prints the archive's sha256, and unpacks nothing."""
    if lite.PYODIDE_RELEASE_SHA256:
        pytest.skip("the release's sha256 is pinned: this checks the unpinned first run")
    script = next(s["run"] for s in _steps() if "sha256" in s.get("name", ""))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    payload = b"not really a Pyodide release"
    fake_curl = bin_dir / "curl"
    fake_curl.write_text(f'#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\nprintf %s "{payload.decode()}" > "$2"\n')
    fake_curl.chmod(0o755)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # the workflow calls .venv/bin/python
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert hashlib.sha256(payload).hexdigest() in done.stdout and "PYODIDE_RELEASE_SHA256 is empty" in done.stdout
    assert not (tmp_path / "pyodide-release").exists()


def _fake_release(folder: Path, files: tuple[str, ...]) -> Path:
    packages = {
        "pandas": {"name": "pandas", "file_name": "pandas.whl", "depends": ["numpy", "python-dateutil"]},
        "numpy": {"name": "numpy", "file_name": "numpy.whl", "depends": []},
        "python-dateutil": {"name": "python-dateutil", "file_name": "dateutil.whl", "depends": ["six"]},
        "six": {"name": "six", "file_name": "six.whl", "depends": []},
        "matplotlib": {"name": "matplotlib", "file_name": "mpl.whl", "depends": ["numpy"]},
        "scipy": {"name": "scipy", "file_name": "scipy.whl", "depends": []},
    }
    folder.mkdir()
    (folder / "pyodide-lock.json").write_text(json.dumps({"packages": packages}))
    for name in files:
        (folder / name).write_bytes(b"wheel")
    return folder


def test_a_release_gives_pandas_matplotlib_and_their_dependencies_only(tmp_path: Path) -> None:
    release = _fake_release(tmp_path / "r", ("pandas.whl", "numpy.whl", "dateutil.whl", "six.whl", "mpl.whl"))
    entries = lite.release_entries(release, have={"six"})
    assert set(entries) == {"pandas", "matplotlib", "numpy", "python-dateutil"}  # six: the site has it; no scipy
    assert entries["pandas"]["file_name"] == "pandas.whl"  # the release's own entry, kept as it is


def test_a_folder_that_is_not_a_full_release_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    with pytest.raises(lite.LiteError, match=r"holds no pyodide-lock\.json"):
        lite.release_entries(tmp_path, have=set())
    release = _fake_release(tmp_path / "r", ("pandas.whl", "numpy.whl", "dateutil.whl", "six.whl"))
    with pytest.raises(lite.LiteError, match="lacks matplotlib"):
        lite.release_entries(release, have=set())
