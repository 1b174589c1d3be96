"""The shared setup cell, run as IPython runs it, with a stand-in Colab, on every path helpers/locate.py takes.

Shell lines run for real (bash), with stand-in `curl` and `git` first on PATH that log each call: while the
repository is the RFC 2606 placeholder neither may run at all; once published (project.py monkeypatched) curl
serves this checkout's finder (or a tampered one), and git clone clones this checkout.
"""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.error import UsageError
from IPython.core.inputtransformer2 import TransformerManager
from IPython.utils.text import DollarFormatter
from support import stand_in_colab_module

from devtools import badges, bundle, project
from helpers import locate

ROOT = Path(__file__).resolve().parent.parent
NAME = project.CLONE_FOLDER
SDK_INSTALL = ("pip", f'install -q "{locate.SDK}"')

LOG = 'echo "$(basename "$0") $*" >> "$(dirname "$0")/calls.log"\n'  # every call of a stand-in tool, logged
FAILING_CURL = f'#!/bin/sh\n{LOG}echo "curl: (22) The requested URL returned error: 404" >&2\nexit 22\n'
SERVING_CURL = (
    f'#!/bin/sh\n{LOG}# -fsL -o FILE URL: serve this checkout\'s finder\ncp "{ROOT}/helpers/locate.py" "$3"\n'
)
TAMPERED_CURL = (
    f'#!/bin/sh\n{LOG}printf \'COLLECTION = "{project.CLONE_FOLDER}"\\nraise SystemExit("ran")\\n\' > "$3"\n'
)
FAILING_GIT = f"#!/bin/sh\n{LOG}echo \"fatal: repository '$4/' not found\" >&2\nexit 128\n"
GIT = shutil.which("git")
# clone -q --no-checkout URL TARGET, then -C TARGET checkout -q --detach COMMIT: this checkout stands in for GitHub
CLONING_GIT = f'#!/bin/sh\n{LOG}[ "$1" = clone ] && exec {GIT} clone -q --no-checkout "{ROOT}" "$5"\nexec {GIT} "$@"\n'
LOCAL = f"{NAME}_locate.py"  # where the cell keeps the finder it took from the zip or fetched


def calls(tools: str) -> list[str]:
    """What the stand-in curl and git were asked to do (their folder is the first entry of the PATH given)."""
    log = Path(tools.split(os.pathsep)[0]) / "calls.log"
    return log.read_text().splitlines() if log.is_file() else []


def published(monkeypatch: pytest.MonkeyPatch) -> str:
    """project.py as once published: a real owner/name and this checkout's HEAD as the pinned commit."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    monkeypatch.setattr(project, "REPOSITORY", "someone/published")
    monkeypatch.setattr(project, "COMMIT", commit.strip())
    return commit.strip()


class Shell:
    """IPython's `system` and `run_line_magic`, enough for the cell: shell lines really run, magics are recorded."""

    def __init__(self, namespace: dict, path: str) -> None:
        self.namespace, self.path = namespace, path
        self.commands: list[str] = []
        self.magics: list[tuple[str, str]] = []

    def system(self, command: str) -> None:
        expanded = DollarFormatter().format(command, **self.namespace)  # IPython's {name} expansion
        self.commands.append(expanded)
        subprocess.run(["bash", "-c", expanded], env={**os.environ, "PATH": self.path}, check=False)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> None:
        self.magics.append((name, line))


def stand_in_tools(folder: Path, *, curl: str, git: str) -> str:
    """A PATH whose curl and git behave as given, the machine's own tools (bash, unzip, cp) after them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, script in (("curl", curl), ("git", git)):
        (folder / name).write_text(script)
        (folder / name).chmod(0o755)
    return f"{folder}:{os.environ['PATH']}"


def stand_in_colab(monkeypatch: pytest.MonkeyPatch, drive_content: Path | None = None) -> list[str]:
    """A `google.colab` whose drive.mount links My Drive to drive_content; returns the mount points asked for."""
    mounted: list[str] = []

    def mount(mountpoint: str) -> None:
        mounted.append(mountpoint)
        Path(mountpoint).mkdir(parents=True, exist_ok=True)
        (Path(mountpoint) / "MyDrive").symlink_to(drive_content or Path(mountpoint) / "empty", target_is_directory=True)

    stand_in_colab_module(monkeypatch, "drive", mount=mount)
    return mounted


def run_cell(
    monkeypatch: pytest.MonkeyPatch, cwd: Path, path: str | None = None, answers: list[str] | None = None
) -> tuple[Shell, dict, list[str]]:
    """Run the setup cell in cwd; `answers` are typed at the prompts, which are returned."""
    code = TransformerManager().transform_cell(badges.setup_source())
    namespace: dict = {}
    shell = Shell(namespace, path or os.environ["PATH"])
    namespace["get_ipython"] = lambda: shell
    asked: list[str] = []
    replies = list(answers or [])

    def ask(prompt: str = "") -> str:
        asked.append(prompt)
        return replies.pop(0) if replies else ""

    monkeypatch.setattr(builtins, "input", ask)
    monkeypatch.setenv("PATH", shell.path)  # the finder's own git runs in this process
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(compile(code, "<setup cell>", "exec"), namespace)
    return shell, namespace, asked


def test_in_a_checkout_it_uses_the_checkout_and_fetches_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    shell, namespace, asked = run_cell(monkeypatch, ROOT / "notebooks" / "solutions")
    assert shell.commands == [] and shell.magics == [] and asked == []
    assert namespace["ROOT"] == ROOT and sys.path[0] == str(ROOT)
    assert namespace["MODEL"] == "MiniMax-M2.1"


def test_in_colab_from_a_checkout_it_installs_only_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in_colab(monkeypatch)
    shell, namespace, _ = run_cell(monkeypatch, ROOT / "notebooks")
    assert shell.commands == [] and shell.magics == [SDK_INSTALL], "Colab's own ipywidgets must not be upgraded"
    assert namespace["ROOT"] == ROOT


def test_opened_alone_once_published_it_fetches_the_pinned_finder_and_clones_that_commit(
    monkeypatch, tmp_path: Path
) -> None:
    commit = published(monkeypatch)
    stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    work.mkdir()
    path = stand_in_tools(tmp_path / "bin", curl=SERVING_CURL, git=CLONING_GIT)
    shell, namespace, asked = run_cell(monkeypatch, work, path, answers=["n"])
    assert f"https://raw.githubusercontent.com/someone/published/{commit}/helpers/locate.py" in shell.commands[0]
    assert "/main/" not in shell.commands[0], "never unpinned main"
    assert namespace["ROOT"] == work / NAME and (work / NAME / "helpers" / "__init__.py").is_file()
    head = subprocess.run(["git", "-C", str(work / NAME), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert head.stdout.strip() == commit, "the clone is checked out at the pinned commit"
    assert len(asked) == 1 and "Google Drive" in asked[0], "Drive (local, with consent) is offered before the network"
    assert shell.magics == [SDK_INSTALL] and sys.path[0] == str(work / NAME)


def test_once_published_a_finder_whose_sha256_differs_is_never_run(monkeypatch, tmp_path: Path) -> None:
    published(monkeypatch)
    stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    work.mkdir()
    path = stand_in_tools(tmp_path / "bin", curl=TAMPERED_CURL, git=CLONING_GIT)
    with pytest.raises(UsageError) as raised:  # not SystemExit("ran"): the tampered file never ran
        run_cell(monkeypatch, work, path)
    assert "Could not find this notebook's collection" in str(raised.value)
    assert [c.split()[0] for c in calls(path)] == ["curl"], "fetched once, then refused; nothing cloned"
    assert list(work.iterdir()) == [], "the download that did not match is deleted"


def test_unpublished_the_cell_and_the_finder_fetch_nothing(monkeypatch, tmp_path: Path) -> None:
    """The placeholder (example.invalid) repository: no curl, no git, whatever else is missing; one line says so."""
    assert not project.published() and project.repository_url().startswith("https://example.invalid/")
    stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    work.mkdir()
    path = stand_in_tools(tmp_path / "bin", curl=SERVING_CURL, git=CLONING_GIT)
    with pytest.raises(UsageError) as raised:
        run_cell(monkeypatch, work, path)
    assert "Nothing is fetched from the internet" in str(raised.value) and len(str(raised.value).splitlines()) == 1
    (work / LOCAL).write_bytes((ROOT / "helpers" / "locate.py").read_bytes())  # taken from a zip earlier
    with pytest.raises(Exception) as raised:
        run_cell(monkeypatch, work, path, answers=["n"])
    assert type(raised.value).__name__ == "SetupError" and "not published yet" in str(raised.value)
    assert "git clone https://example.invalid" not in str(raised.value).split("tried:")[-1].split(")")[-1]
    assert calls(path) == [], "neither curl nor git ran"


def test_unpublished_with_the_bundle_it_uses_the_zip_before_asking_about_drive(monkeypatch, tmp_path: Path) -> None:
    mounted = stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    bundle.build(work / f"{NAME} (1).zip")  # as Colab names a second upload
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    shell, namespace, asked = run_cell(monkeypatch, work, path, answers=["y"])
    assert namespace["ROOT"] == work / NAME and (work / NAME / "data" / "cassettes").is_dir()
    assert (work / NAME / "notebooks" / "01_quick_start.ipynb").is_file()
    assert asked == [] and mounted == [], "the uploaded zip comes first: no question about Google Drive"
    assert shell.commands == [] and calls(path) == [] and shell.magics == [SDK_INSTALL]


def test_unpublished_with_the_folder_in_drive_it_mounts_drive_after_a_yes(monkeypatch, tmp_path: Path) -> None:
    drive = tmp_path / "google-drive"
    shutil.copytree(ROOT / "helpers", drive / NAME / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    mounted = stand_in_colab(monkeypatch, drive)
    work = tmp_path / "content"
    work.mkdir()
    (work / LOCAL).write_bytes((ROOT / "helpers" / "locate.py").read_bytes())  # taken by an earlier run
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    _, namespace, asked = run_cell(monkeypatch, work, path, answers=["y"])
    assert mounted == [str(work / "drive")] and len(asked) == 1
    assert namespace["ROOT"].resolve() == (drive / NAME).resolve()


def test_another_projects_helpers_in_a_parent_folder_are_never_run_or_imported(monkeypatch, tmp_path: Path) -> None:
    """A folder above the notebook with its own helpers/ (and even a helpers/locate.py): not this collection."""
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    other = tmp_path / "other-project"
    (other / "helpers").mkdir(parents=True)
    (other / "helpers" / "__init__.py").write_text("")
    (other / "helpers" / "locate.py").write_text('raise SystemExit("another project\'s finder ran")\n')
    work = other / "notebooks"
    work.mkdir()
    zipped = bundle.build(tmp_path / f"{NAME}.zip")  # before the stand-in git is first on PATH
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    with pytest.raises(UsageError):  # the cell skips the other finder: nothing of this collection is here
        run_cell(monkeypatch, work, path)
    zipped.rename(work / zipped.name)
    assert locate.find(project.repository_url(), NAME, start=work, ask=lambda _: "n") == work / NAME


def test_with_drive_mounted_by_hand_it_finds_the_finder_there(monkeypatch, tmp_path: Path) -> None:
    """What the 'nothing found' message tells a learner with the folder in Drive to do; no prompt then."""
    drive = tmp_path / "content" / "drive" / "MyDrive"
    shutil.copytree(ROOT / "helpers", drive / NAME / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    mounted = stand_in_colab(monkeypatch)
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    shell, namespace, asked = run_cell(monkeypatch, tmp_path / "content", path)
    assert namespace["ROOT"] == drive / NAME and asked == [] and mounted == []
    assert shell.commands == [], "the finder was on disk: nothing fetched"


def test_nothing_found_is_one_message_saying_what_to_do(monkeypatch, tmp_path: Path) -> None:
    stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    work.mkdir()
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    with pytest.raises(UsageError) as raised:  # IPython shows a UsageError as its one line, no traceback
        run_cell(monkeypatch, work, path)
    message = str(raised.value)
    assert "Nothing is fetched from the internet" in message
    assert f"Upload {NAME}.zip" in message and f"folder {NAME} in your Google Drive" in message
    assert "drive.mount('/content/drive')" in message and "run this cell again" in message
    assert list(work.iterdir()) == [], "no half-fetched locate.py is left behind"


def test_nothing_found_after_the_finder_ran_is_its_one_message(monkeypatch, tmp_path: Path) -> None:
    """The finder was fetched earlier, but no clone, no Drive (the learner said no), no zip: SetupError."""
    stand_in_colab(monkeypatch)
    work = tmp_path / "content"
    work.mkdir()
    (work / LOCAL).write_bytes((ROOT / "helpers" / "locate.py").read_bytes())
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    with pytest.raises(Exception) as raised:
        run_cell(monkeypatch, work, path, answers=["n"])
    error = raised.value
    assert type(error).__name__ == "SetupError"
    shown = error._render_traceback_()  # type: ignore[attr-defined]
    assert shown[0].startswith(f"Could not find this notebook's collection {NAME}")
    assert "not published yet" in shown[0], "why nothing was cloned"
    assert any(f"upload {NAME}.zip" in line for line in shown)
    assert not any("Traceback" in line for line in shown)


@pytest.mark.slow  # a notebook kernel
def test_a_notebook_run_in_a_real_kernel_shows_only_the_message(tmp_path: Path) -> None:
    """Through Jupyter, as a learner sees it: one UsageError line, and Run all stops at the setup cell."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(badges.setup_source()), nbformat.v4.new_code_cell("print(helpers)")]
    path = stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)
    work = tmp_path / "alone"
    work.mkdir()
    env_path, failure = os.environ.get("PATH", ""), None
    os.environ["PATH"] = path
    try:
        NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(work)}}, allow_errors=False).execute()
    except Exception as error:
        failure = error
    finally:
        os.environ["PATH"] = env_path
    assert type(failure).__name__ == "CellExecutionError"
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs) + "".join("".join(o.get("traceback", [])) for o in outputs)
    assert "UsageError: Could not find this notebook's collection." in text
    assert "Traceback" not in text and "NameError" not in text and "StopIteration" not in text
    assert nb.cells[1].outputs == [], "Run all stopped at the setup cell"


# On a hosted JupyterLab that is not Colab (PAI-DSW, ModelScope, a hub) with no checkout: the teacher's zip first,
# then pip installs only what the kernel lacks of requirements.txt, from a mirror only when the learner names one.
MIRROR = "https://mirrors.example.cn/pypi/simple/"  # a stand-in: the docs name real mirrors as examples only
SHIPPED_SETUP = badges.setup_source  # the cell as shipped, before a test types a MIRROR into it


class FakePip:
    """subprocess.run with pip faked (each call recorded with what was on disk then); anything else runs for real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, unpacked: Path, *, fails: str = "") -> None:
        self.calls: list[list[str]] = []
        self.unpacked_before: list[bool] = []
        self.unpacked, self.fails, self.real = unpacked, fails, subprocess.run
        monkeypatch.setattr(subprocess, "run", self)

    def __call__(self, command: list[str], *args, **kwargs) -> subprocess.CompletedProcess:
        if list(command[1:3]) != ["-m", "pip"]:
            return self.real(command, *args, **kwargs)
        self.calls.append(list(command))
        self.unpacked_before.append((self.unpacked / "requirements.txt").is_file())
        return subprocess.CompletedProcess(command, 1 if self.fails else 0, "", self.fails)


def lacking(monkeypatch: pytest.MonkeyPatch, *names: str, old: dict[str, str] | None = None) -> None:
    """importlib.metadata as a kernel would see it with `names` not installed (and `old` at other versions)."""
    import importlib.metadata

    real = importlib.metadata.version

    def version(name: str) -> str:
        if name in names:
            raise importlib.metadata.PackageNotFoundError(name)
        return (old or {}).get(name) or real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)


def hosted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, Path, str]:
    """A hosted JupyterLab's workspace: the teacher's zip uploaded to it, the notebook opened in a folder below.
    Returns the notebook's folder, where the zip unpacks, and a PATH whose curl and git log any call."""
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    workspace = tmp_path / "workspace"
    bundle.build(workspace / f"{NAME}.zip")
    (workspace / "lesson").mkdir()
    return workspace / "lesson", workspace / NAME, stand_in_tools(tmp_path / "bin", curl=FAILING_CURL, git=FAILING_GIT)


def run_hosted_cell(monkeypatch: pytest.MonkeyPatch, work: Path, path: str, mirror: str = "") -> dict:
    """The setup cell with MIRROR as a learner typed it into the form (empty: as shipped)."""
    source = SHIPPED_SETUP()
    assert 'MIRROR = ""  # @param {type:"string"}' in source
    monkeypatch.setattr(badges, "setup_source", lambda: source.replace('MIRROR = ""', f"MIRROR = {mirror!r}"))
    return run_cell(monkeypatch, work, path)[1]


MISSING = ["anthropic>=2.0,<3", "python-dotenv>=1.0,<2"]


def test_hosted_it_unpacks_the_zip_one_folder_up_then_installs_only_what_is_missing(
    monkeypatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    lacking(monkeypatch, "anthropic", "python-dotenv")
    pip = FakePip(monkeypatch, unpacked)
    namespace = run_hosted_cell(monkeypatch, work, path)
    assert namespace["ROOT"] == unpacked and sys.path[0] == str(unpacked)
    assert pip.calls == [[sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *MISSING]], (
        "only what is missing, at requirements.txt's ranges; no mirror named, so no -i"
    )
    assert pip.unpacked_before == [True], "the zip was found and unpacked before anything was installed"
    assert calls(path) == [], "no curl, no git: nothing from GitHub while unpublished"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Unpacked {work.parent / NAME}.zip into {unpacked}."
    assert lines[1].startswith("Installing what this kernel lacks (anthropic>=2.0,<3, python-dotenv>=1.0,<2)")
    assert "pip's own index setting" in lines[1] and lines[2].startswith("Installed 2 package(s) in")
    assert len(lines) == 3, "one line per step"


def test_hosted_a_mirror_named_in_the_cell_is_pips_index_and_only_then(monkeypatch, tmp_path: Path, capsys) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    lacking(monkeypatch, "anthropic")
    pip = FakePip(monkeypatch, unpacked)
    run_hosted_cell(monkeypatch, work, path, mirror=MIRROR)
    assert pip.calls[0][-3:] == ["-i", MIRROR, "anthropic>=2.0,<3"]
    assert f"with pip from the mirror {MIRROR}" in capsys.readouterr().out
    monkeypatch.setenv("PIP_INDEX_URL", MIRROR)  # pip's own setting, which pip reads itself: no -i added
    run_hosted_cell(monkeypatch, work, path)
    assert "-i" not in pip.calls[1] and len(pip.calls) == 2
    assert f"from PIP_INDEX_URL ({MIRROR})" in capsys.readouterr().out


def test_hosted_with_everything_present_nothing_is_installed_or_printed(monkeypatch, tmp_path: Path, capsys) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    pip = FakePip(monkeypatch, unpacked)
    run_hosted_cell(monkeypatch, work, path)
    assert capsys.readouterr().out.startswith("Unpacked ")
    run_hosted_cell(monkeypatch, work, path, mirror=MIRROR)  # the second run: unpacked already, all present
    assert pip.calls == [] and capsys.readouterr().out == ""


def test_hosted_an_old_package_is_replaced_and_the_learner_told_to_restart(monkeypatch, tmp_path, capsys) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    lacking(monkeypatch, old={"anthropic": "0.40.0", "ipywidgets": "8.1.9", "jupyterlab": "3.6.0"})
    pip = FakePip(monkeypatch, unpacked)
    run_hosted_cell(monkeypatch, work, path)
    assert pip.calls[0][-1:] == ["anthropic>=2.0,<3"], "in-range ipywidgets kept; the host's own JupyterLab left alone"
    assert "Replaced anthropic 0.40.0: restart the kernel" in capsys.readouterr().out


def test_hosted_pip_failing_is_one_message_saying_to_name_a_mirror(monkeypatch, tmp_path: Path) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    lacking(monkeypatch, "anthropic")
    FakePip(monkeypatch, unpacked, fails="WARNING: Retrying\nERROR: No matching distribution found for anthropic\n")
    with pytest.raises(Exception) as raised:  # the finder's SetupError (runpy: its own class object)
        run_hosted_cell(monkeypatch, work, path)
    assert type(raised.value).__name__ == "SetupError"
    shown = raised.value._render_traceback_()  # type: ignore[attr-defined]
    assert shown[0] == ("pip could not install anthropic>=2.0,<3: ERROR: No matching distribution found for anthropic")
    assert "MIRROR" in shown[1] and "run this cell again" in shown[1] and len(shown) == 2


def test_hosted_a_mirror_that_is_not_an_address_is_refused_before_pip_runs(monkeypatch, tmp_path: Path) -> None:
    work, unpacked, path = hosted(monkeypatch, tmp_path)
    lacking(monkeypatch, "anthropic")
    pip = FakePip(monkeypatch, unpacked)
    with pytest.raises(Exception, match="is not the address of a package index") as raised:
        run_hosted_cell(monkeypatch, work, path, mirror="mirrors.aliyun.com")
    assert type(raised.value).__name__ == "SetupError" and pip.calls == []


def test_in_a_git_checkout_outside_colab_nothing_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """scripts/start.py installs in a checkout: the cell never runs pip there, whatever the kernel lacks."""
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    lacking(monkeypatch, "anthropic")
    pip = FakePip(monkeypatch, ROOT)
    shell, namespace, _ = run_cell(monkeypatch, ROOT / "notebooks")
    assert namespace["ROOT"] == ROOT and pip.calls == [] and shell.magics == []


def test_in_colab_a_named_mirror_is_the_sdk_installs_index(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in_colab(monkeypatch)
    source = SHIPPED_SETUP().replace('MIRROR = ""', f'MIRROR = "{MIRROR}"')
    monkeypatch.setattr(badges, "setup_source", lambda: source)
    shell, _, _ = run_cell(monkeypatch, ROOT / "notebooks")
    assert shell.magics == [("pip", f'install -q -i {MIRROR} "{locate.SDK}"')]
