"""`devtools/gitpuller.py`: the nbgitpuller link a teacher hands out on a JupyterHub.

Without a server: the link's parts, and no link while the repository is a placeholder. With nbgitpuller
(CLASS_PYTHON=a venv with requirements.lock and devtools/class_requirements.txt; CI's class step sets it with
REQUIRE=gitpuller): a Jupyter server on 127.0.0.1 with nbgitpuller, serving an empty folder, is sent the link this
module builds (its part after /hub/user-redirect, which the hub forwards to the learner's server), pointing at a local
clone of this repository; headless chromium follows it, the files arrive, and the page ends on the notebook open in
JupyterLab."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support import missing, stop_process

from devtools import gitpuller, project

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "gitpuller-test"
NOTEBOOK = "notebooks/01_quick_start.ipynb"


def test_no_link_while_the_repository_is_a_placeholder(capsys: pytest.CaptureFixture[str]) -> None:
    assert not project.published()
    with pytest.raises(gitpuller.GitpullerError, match=r"not published yet.*--repo"):
        gitpuller.link("https://hub.example.edu")
    assert gitpuller.main("https://hub.example.edu", NOTEBOOK, None, None) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "placeholder" in captured.err


def test_the_published_repository_gives_nbgitpullers_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project, "REPOSITORY", "someone/minimax-anthropic-notebooks")
    monkeypatch.setattr(project, "COMMIT", "0" * 40)
    for hub in ("https://hub.example.edu", "https://hub.example.edu/", "https://hub.example.edu/hub/"):
        url = urlsplit(gitpuller.link(hub, "notebooks/03_tool_use.ipynb"))
        assert (url.scheme, url.netloc, url.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
        assert parse_qs(url.query) == {
            "repo": ["https://github.com/someone/minimax-anthropic-notebooks"],
            "branch": ["main"],
            "targetpath": ["minimax-anthropic-notebooks"],
            "urlpath": ["lab/tree/minimax-anthropic-notebooks/notebooks/03_tool_use.ipynb"],
        }
    prefixed = gitpuller.link("https://uni.example.edu/jupyter/", repo="https://example.org/fork.git", branch="spring")
    assert prefixed.startswith("https://uni.example.edu/jupyter/hub/user-redirect/git-pull?repo=https%3A%2F%2Fexample")
    assert parse_qs(urlsplit(prefixed).query)["branch"] == ["spring"]


@pytest.mark.parametrize("hub", ["hub.example.edu", "ftp://hub.example.edu", "https://hub.example.edu/?x=1", ""])
def test_a_hub_that_is_not_an_address_is_refused(hub: str) -> None:
    with pytest.raises(gitpuller.GitpullerError, match="not a hub's address"):
        gitpuller.link(hub, repo="https://example.org/r.git")


def _class_python() -> Path:
    python = os.environ.get("CLASS_PYTHON")
    if not python or not Path(python).exists():
        missing("gitpuller", "no venv with nbgitpuller: set CLASS_PYTHON (devtools/class_requirements.txt)")
    if not CHROMIUM.exists():
        missing("gitpuller", "Debian's chromium is not installed (apt-get install -y chromium)")
    return Path(os.path.abspath(str(python)))  # not resolve(): a venv's python is a link


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Jupyter server (the class venv's, nbgitpuller enabled) on 127.0.0.1 serving an empty folder."""
    python = _class_python()
    home, served = tmp_path / "home", tmp_path / "served"
    served.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update({"HOME": str(home), **{f"JUPYTER_{k}_DIR": str(home / k.lower()) for k in ("CONFIG", "RUNTIME")}})
    port = _free_port()
    command = [str(python), "-m", "jupyter_server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1"]
    command += [f"--ServerApp.port={port}", f"--ServerApp.root_dir={served}", f"--IdentityProvider.token={TOKEN}"]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                request = urllib.request.Request(f"{base}/api/status", headers={"Authorization": f"token {TOKEN}"})
                with urllib.request.urlopen(request, timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the Jupyter server did not answer within 2 minutes"
                time.sleep(0.5)
        yield base, served
    finally:
        stop_process(process, timeout=20)
        log.close()


@pytest.fixture
def origin(tmp_path: Path) -> tuple[str, str]:
    """A local clone of this repository's committed HEAD, on a branch of its own: (file:// URL, branch)."""
    path = tmp_path / "origin"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "checkout", "--quiet", "-B", "course"], check=True)
    return path.as_uri(), "course"


@pytest.mark.slow
def test_the_link_clones_the_collection_and_opens_the_notebook(
    server: tuple[str, Path], origin: tuple[str, str]
) -> None:
    from playwright.sync_api import sync_playwright

    base, served = server
    repo, branch = origin
    hub_link = gitpuller.link("https://hub.example.edu", NOTEBOOK, repo=repo, branch=branch)
    query = urlsplit(hub_link).query
    assert hub_link == f"https://hub.example.edu/hub/user-redirect/git-pull?{query}"
    # the hub's user-redirect sends the learner to /user/NAME/git-pull?...; this server has no hub: /git-pull?...
    target = f"/lab/tree/{project.CLONE_FOLDER}/{NOTEBOOK}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/git-pull?{query}&token={TOKEN}")
            page.wait_for_url(f"{base}{target}*", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)  # JupyterLab opened the notebook
            tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").inner_text()
        finally:
            browser.close()
    assert "01_quick_start.ipynb" in tab
    cloned = served / project.CLONE_FOLDER
    committed = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"HEAD:{NOTEBOOK}"], capture_output=True, check=True
    ).stdout
    assert (cloned / NOTEBOOK).read_bytes() == committed
    assert (cloned / "helpers/exercises/__init__.py").is_file() and (cloned / "data/cassettes").is_dir()
    head = subprocess.run(["git", "-C", str(cloned), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True)
    assert head.stdout.decode().strip() == branch
