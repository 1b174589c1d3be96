"""The README's two commands (scripts/start.py, scripts/test.py), the locks they install, and
`python -m devtools bundle`, without installing.

CI runs both commands for real on a fresh machine (.ci/run); these check the decisions inside them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from support import load_file

from devtools import bundle, project
from devtools.lock import LOCKS, locked_versions, normalize

ROOT = Path(__file__).resolve().parent.parent
start = load_file(ROOT / "scripts" / "start.py")  # scripts/ is not a package: the README runs it as a file


def test_jupyterlab_serves_the_repository_root_with_the_quick_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start.os, "geteuid", lambda: 1000, raising=False)
    command = start.lab_command(["--no-browser"])
    assert command[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in command and "notebooks/01_quick_start.ipynb" in command
    assert "--allow-root" not in command and command[-1] == "--no-browser"
    assert (ROOT / "notebooks" / "01_quick_start.ipynb").is_file()
    # headless (no browser to open it), the URLs JupyterLab prints must open the quick start, not the Launcher
    assert "--LabApp.default_url=/lab/tree/notebooks/01_quick_start.ipynb" in command


def test_as_root_it_adds_allow_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start.os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in start.lab_command([])


def test_without_python3_venv_it_says_what_to_install(monkeypatch, tmp_path: Path, capsys) -> None:
    """Debian's python3 without python3-venv: .venv is made without pip, and pip cannot be added (no ensurepip)."""
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")

    def run(command: list, **_: object) -> subprocess.CompletedProcess:
        if command[1:3] == ["-m", "ensurepip"]:
            message = "No module named ensurepip"
            return subprocess.CompletedProcess(command, 1, "", message)
        return subprocess.CompletedProcess(command, 1, "", "No module named pip")

    monkeypatch.setattr(start.subprocess, "run", run)
    with pytest.raises(SystemExit):
        start.ensure_pip()
    assert "sudo apt install python3-venv" in capsys.readouterr().err


def test_a_half_made_venv_is_made_again_without_pip(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)  # an interrupted earlier run: no python inside
    calls: list[list[str]] = []

    def run(command: list, **_: object) -> subprocess.CompletedProcess:
        calls.append([str(c) for c in command])
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(start.subprocess, "run", run)
    start.make_venv()
    assert calls == [[start.sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")]]


class FakeInstallers:
    """subprocess.run for start.install: records each command; `uv_works` and `host_pip_works` say what succeeds."""

    def __init__(self, venv: Path, uv_works: bool = True, host_pip_works: bool = True) -> None:
        self.venv, self.uv_works, self.host_pip_works = venv, uv_works, host_pip_works
        self.commands: list[list[str]] = []

    def __call__(self, command: list, **_: object) -> subprocess.CompletedProcess:
        command = [str(c) for c in command]
        self.commands.append(command)
        ok = True
        if command[0] == start.sys.executable and "pip" in command:  # this Python's pip getting uv into .venv
            ok = self.host_pip_works
            if ok:
                (self.venv / "bin").mkdir(parents=True, exist_ok=True)
                (self.venv / "bin" / "uv").write_text("")
        elif command[0].endswith("/uv"):
            ok = command[1] == "--version" or self.uv_works
        return subprocess.CompletedProcess(command, 0 if ok else 1, "", "" if ok else "network unreachable")


def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No uv on PATH and no uv wheel from the index (tests/test_uv_wheel.py covers those): pip gets uv."""
    monkeypatch.setattr(start.shutil, "which", lambda name: None)

    def fetch(pin: str, environ: dict[str, str]) -> tuple[str, bytes]:
        raise start.uv_wheel.NoUvError("the index is not reachable")

    monkeypatch.setattr(start.uv_wheel, "fetch", fetch)


def test_command_1_installs_the_hash_checked_lock_with_uv_once(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    offline(monkeypatch)
    fake = FakeInstallers(tmp_path / ".venv")
    monkeypatch.setattr(start.subprocess, "run", fake)
    start.install("requirements.lock")
    uv_pin = [c for c in fake.commands if c[0] == start.sys.executable]
    assert uv_pin and uv_pin[0][3:6] == ["--python", str(start.venv_python()), "install"]
    assert "--require-hashes" in uv_pin[0], "uv itself comes at the version and hashes the lock pins"
    lock = str(ROOT / "requirements.lock")
    assert fake.commands[-1][1:] == [
        "pip",
        "install",
        "--python",
        str(start.venv_python()),
        "--require-hashes",
        "-r",
        lock,
    ]
    out = capsys.readouterr().out
    assert "with uv" in out and "Installed requirements.lock in" in out
    assert "Could not fetch uv directly (the index is not reachable): getting it with pip instead." in out
    fake.commands.clear()
    start.install("requirements.lock")
    assert fake.commands == [], "an unchanged lock is not installed again (the stamp in .venv)"


def test_with_the_locked_wheel_fetched_no_pip_runs(monkeypatch, tmp_path: Path, capsys) -> None:
    """The wheel from the index (hash-checked in uv_wheel.fetch) goes into .venv; uv installs the lock; pip never
    starts (it took 1.5 s or more to fetch uv)."""
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(start.shutil, "which", lambda name: None)
    fake = FakeInstallers(tmp_path / ".venv")
    monkeypatch.setattr(start.subprocess, "run", fake)
    monkeypatch.setattr(start.uv_wheel, "fetch", lambda pin, environ: ("uv-x.whl", b"checked wheel"))

    def install(wheel: bytes, venv: Path) -> None:
        assert wheel == b"checked wheel" and venv == start.VENV
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "uv").write_text("")

    monkeypatch.setattr(start.uv_wheel, "install", install)
    start.install("requirements.lock")
    assert not [c for c in fake.commands if c[1:3] == ["-m", "pip"]], "no pip process"
    assert fake.commands[-1][0] == str(tmp_path / ".venv" / "bin" / "uv") and fake.commands[-1][1:3] == [
        "pip",
        "install",
    ]
    out = capsys.readouterr().out
    assert "Getting the fast installer uv from the package index ..." in out and "Could not" not in out


def test_without_uv_it_says_so_in_one_line_and_installs_the_lock_with_pip(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    offline(monkeypatch)
    fake = FakeInstallers(tmp_path / ".venv", uv_works=False)
    monkeypatch.setattr(start.subprocess, "run", fake)
    start.install("requirements-dev.lock")
    out = capsys.readouterr().out
    assert "uv could not install it" in out and "trying pip instead" in out
    pip = fake.commands[-1]
    assert pip[1:4] == ["-m", "pip", "install"] and pip[-3:] == [
        "--require-hashes",
        "-r",
        str(ROOT / "requirements-dev.lock"),
    ]
    assert "-q" not in pip, "pip lists each package as it comes: progress, not a minute of silence"


def test_the_uv_pin_is_read_from_the_lock_with_its_hashes() -> None:
    pin = start.installer_pin((ROOT / "requirements.lock").read_text())
    lines = pin.splitlines()
    assert lines[0].startswith("uv==") and all(line.strip().startswith("--hash=sha256:") for line in lines[1:])
    assert len(lines) > 2 and not lines[-1].endswith("\\")
    assert start.installer_pin("pandas==3.0 \\\n    --hash=sha256:00\n") == ""


def test_learner_requirements_hold_no_test_tools() -> None:
    learner = (ROOT / "requirements.txt").read_text().lower()
    dev = (ROOT / "requirements-dev.txt").read_text().lower()
    for tool in ("pytest", "nbval", "ruff", "playwright", "mypy"):
        assert tool not in learner and tool in dev
    assert "-r requirements.txt" in dev
    assert (ROOT / "runtime.txt").read_text().startswith("python-3."), "repo2docker's runtime file"
    assert not {"pytest", "nbval", "ruff", "playwright", "mypy"} & set(locked_versions(ROOT / "requirements.lock"))


@pytest.mark.parametrize(("source", "lock"), sorted(LOCKS.items()))
def test_each_lock_pins_every_range_of_its_requirements_with_hashes(source: str, lock: str) -> None:
    """The locks follow the ranges: a range changed without `python -m devtools lock` fails here."""
    pins = locked_versions(ROOT / lock)
    for line in (ROOT / source).read_text().splitlines():
        text = line.split("#")[0].strip()
        if text and not text.startswith("-r"):
            requirement = Requirement(text)
            for version in pins[normalize(requirement.name)]:
                assert requirement.specifier.contains(version), (
                    f"{lock} pins {requirement.name} {version}, outside {source}'s {text}: run python -m devtools lock"
                )
    lock_text = (ROOT / lock).read_text()
    assert "python -m devtools lock" in lock_text.splitlines()[1]
    entries = re.findall(r"^\S+==\S+.*\\\n(?:\s+--hash=sha256:[0-9a-f]{64}.*\n?)+", lock_text, re.M)
    assert len(entries) == sum(len(v) for v in pins.values()) > 100, (
        "every pin carries its hashes (pip and uv then check every file)"
    )
    assert {"uv", "pip"} <= set(pins), "the installer scripts/start.py fetches first"


def test_the_scripts_install_the_locks() -> None:
    assert LOCKS["requirements.txt"] == start.LEARNER_LOCK
    assert f'install("{LOCKS["requirements-dev.txt"]}")' in (ROOT / "scripts" / "test.py").read_text()


def test_the_bundle_holds_helpers_data_and_notebooks_under_one_folder(tmp_path: Path) -> None:
    path = bundle.build(tmp_path / "b.zip")
    names = zipfile.ZipFile(path).namelist()
    top = f"{project.CLONE_FOLDER}/"
    assert all(n.startswith(top) for n in names)
    for needed in ("helpers/__init__.py", "helpers/locate.py", "notebooks/01_quick_start.ipynb", "requirements.txt"):
        assert top + needed in names
    assert any(n.startswith(top + "data/cassettes/") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert path.stat().st_size < 5_000_000
    assert bundle.build(tmp_path / "c.zip").read_bytes() == path.read_bytes(), "the same files give the same zip"


def _checkout(folder: Path, files: dict[str, str]) -> Path:
    """A small git checkout: `files` written and `git add`ed (forced past .gitignore), a .gitignore naming .env."""
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / ".gitignore").write_text(".env\n")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    subprocess.run(["git", "-C", str(folder), "add", "-f", ".gitignore", *files], check=True)
    return folder


def _names(path: Path) -> set[str]:
    return {n.split("/", 1)[1] for n in zipfile.ZipFile(path).namelist()}


def test_the_bundle_holds_only_what_git_tracks_so_an_ignored_env_never_goes_in(tmp_path: Path, capsys) -> None:
    root = _checkout(tmp_path / "repo", {"helpers/__init__.py": "", "notebooks/01.ipynb": "{}", "README.md": "# x"})
    (root / "notebooks" / ".env").write_text("MINIMAX_API_KEY=sk-teacher-0123456789abcdefghijklmnop\n")
    (root / "notebooks" / "untracked.ipynb").write_text("{}")
    (root / "data").mkdir()
    (root / "data" / "outside").symlink_to("/etc/hostname")
    subprocess.run(["git", "-C", str(root), "add", "data/outside"], check=True)
    path = bundle.build(tmp_path / "b.zip", root, show=True)
    assert _names(path) == {"START_HERE.md", "helpers/__init__.py", "notebooks/01.ipynb", "README.md"}
    shown = capsys.readouterr().out
    assert "  notebooks/01.ipynb" in shown and ".env" not in shown, "every file that went in is printed"
    assert "Skipped data/outside: a link that leads out of the checkout." in shown


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notebooks/.env", "x=1\n"),
        ("docs/server.key", "-----BEGIN PRIVATE KEY-----\n"),
        ("data/credentials.json", "{}"),
        ("notebooks/notes.md", "MINIMAX_API_KEY = 'sk-api-0123456789abcdefghijKLMNOP'\n"),
    ],
)
def test_the_bundle_refuses_a_tracked_file_that_can_hold_a_key(tmp_path: Path, name: str, text: str) -> None:
    root = _checkout(tmp_path / "repo", {"helpers/__init__.py": "", name: text})
    with pytest.raises(bundle.BundleError) as raised:
        bundle.build(tmp_path / "b.zip", root)
    assert name in str(raised.value) and "git rm --cached" in str(raised.value)
    assert not (tmp_path / "b.zip").exists(), "nothing is written"


def test_the_bundle_command_says_what_was_wrong_in_one_message(tmp_path: Path, monkeypatch, capsys) -> None:
    root = _checkout(tmp_path / "repo", {"helpers/__init__.py": "", "notebooks/.env": "MINIMAX_API_KEY=...\n"})
    monkeypatch.setattr(bundle, "repository_root", lambda: root)
    assert bundle.main(str(tmp_path / "b.zip")) == 1
    assert "Not writing the zip: it would hand out a key." in capsys.readouterr().out


def test_the_repository_bundle_has_no_key_and_the_example_lines_are_not_keys() -> None:
    """The collection's own tracked files pass (its `MINIMAX_API_KEY=...` examples hold no value)."""
    chosen, skipped = bundle.members(ROOT)
    assert skipped == [] and not any(p.name == ".env" for p in chosen)
    assert bundle.secret_problem("README.md", b"export MINIMAX_API_KEY=...  # yours") is None


def test_start_here_in_the_bundle_names_only_files_it_holds_and_start_py_runs_from_it(tmp_path: Path) -> None:
    """issue 20: the zip's README starts with `python3 scripts/start.py`; the zip holds it and what it needs."""
    path = bundle.build(tmp_path / "b.zip")
    with zipfile.ZipFile(path) as zipped:
        zipped.extractall(tmp_path / "out")
    top = tmp_path / "out" / project.CLONE_FOLDER
    guide = (top / "START_HERE.md").read_text()
    assert "Files pane" in guide and "python3 scripts/start.py" in guide
    named = re.findall(r"`(?:[\w-]+/)?((?:notebooks|scripts|helpers|requirements)[\w./-]*)`", guide)
    assert "notebooks/01_quick_start.ipynb" in named and "requirements.lock" in named
    for relative in named:
        assert (top / relative).exists(), f"START_HERE.md names {relative}, which the zip does not hold"
    unpacked = load_file(top / "scripts" / "start.py")
    for needed in (
        unpacked.ROOT / unpacked.LEARNER_LOCK,
        unpacked.JUPYTER_CONFIG,
        unpacked.ROOT / unpacked.FIRST_NOTEBOOK,
    ):
        assert needed.exists(), f"scripts/start.py from the zip needs {needed}"
    ran = subprocess.run(  # in a fresh Python: what start.py imports from scripts/ is in the zip too
        [sys.executable, top / "scripts" / "start.py", "--lang", "xx"], capture_output=True, text=True, cwd=tmp_path
    )
    assert ran.returncode == 1 and ran.stderr.strip() == "--lang xx: choose one of en, zh-CN.", ran.stderr
    first = re.search(r"```\w*\n(.+?)\n", (top / "README.md").read_text()).group(1)
    assert first.startswith("python3 scripts/start.py"), "the README's first command works from the unpacked zip"


def test_lang_zh_cn_is_taken_from_jupyterlab_s_arguments_and_selects_the_language_pack(tmp_path: Path) -> None:
    language, rest = start.split_language(["--no-browser", "--lang", "zh-CN", "--port=8899"])
    assert language == "zh-CN" and rest == ["--no-browser", "--port=8899"]
    assert start.split_language(["--lang=en"]) == ("en", [])
    settings = tmp_path / "settings"
    settings.mkdir()
    (settings / "overrides.json").write_text('{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}')
    start.select_language("zh-CN", settings)
    written = json.loads((settings / "overrides.json").read_text())
    assert written[start.TRANSLATION_PLUGIN] == {"locale": "zh_CN"}
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}, (
        "a teacher's overrides stay"
    )
    start.select_language("en", settings)
    assert json.loads((settings / "overrides.json").read_text())[start.TRANSLATION_PLUGIN] == {"locale": "en"}


def test_an_unknown_lang_fails_before_installing_anything(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        start.split_language(["--lang", "zh-TW"])
    assert "--lang zh-TW: choose one of en, zh-CN." in capsys.readouterr().err


def test_the_chinese_language_pack_is_in_the_learner_lock_for_the_lang_option() -> None:
    assert "jupyterlab-language-pack-zh-cn" in locked_versions(ROOT / "requirements.lock")
    assert start.first_notebook(None) == start.FIRST_NOTEBOOK
