"""`python -m devtools gitpuller --hub URL`: the nbgitpuller link that gives every learner on a JupyterHub their own
copy of the collection, with a notebook open.

A learner clicks the link; the hub logs them in and starts their server; nbgitpuller (installed on the hub) clones
the repository into their home folder on the first click, and on later clicks merges new commits without touching
what they changed; then JupyterLab opens the notebook. The link's format is nbgitpuller's
(`/hub/user-redirect/git-pull?repo=...&branch=...&targetpath=...&urlpath=lab/tree/...`; docs/sources.md, "Classes
past 100"). `targetpath` names the folder, so the link opens the same path on every hub whatever the repository's
name. The repository and branch come from devtools/project.py: while it names a placeholder, there is no link to
give (it could not resolve), and the command says so; `--repo` names another repository (a fork, a course copy).
"""

from __future__ import annotations

import sys
from urllib.parse import urlencode, urlsplit

from . import project

DEFAULT_NOTEBOOK = "notebooks/01_quick_start.ipynb"


class GitpullerError(Exception):
    """No link can be built: the message says why and what to do."""


def query(repo: str, branch: str, notebook: str = DEFAULT_NOTEBOOK, folder: str = project.CLONE_FOLDER) -> str:
    """nbgitpuller's parameters: clone `repo` at `branch` into `folder`, then open `notebook` in JupyterLab."""
    return urlencode({"repo": repo, "branch": branch, "targetpath": folder, "urlpath": f"lab/tree/{folder}/{notebook}"})


def hub_base(hub: str) -> str:
    """The hub's address without a trailing slash or /hub (the link adds /hub/user-redirect itself)."""
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise GitpullerError(f"--hub {hub!r} is not a hub's address: give it as https://hub.example.edu")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/hub")
    return f"{parts.scheme}://{parts.netloc}{path}"


def link(hub: str, notebook: str = DEFAULT_NOTEBOOK, repo: str | None = None, branch: str | None = None) -> str:
    """The nbgitpuller link for `hub`: the published repository (or `repo`) at its branch, `notebook` open."""
    if repo is None:
        if not project.published():
            raise GitpullerError(
                f"The collection is not published yet: devtools/project.py names {project.REPOSITORY}, a placeholder "
                "no hub can clone. Set REPOSITORY and COMMIT there once it is on GitHub, or pass --repo with the URL "
                "of a copy you host (a fork, your course's repository)."
            )
        repo = project.repository_url()
    return f"{hub_base(hub)}/hub/user-redirect/git-pull?{query(repo, branch or project.BRANCH, notebook)}"


def main(hub: str, notebook: str, repo: str | None, branch: str | None) -> int:
    """Print the link, or say why there is none (exit 2)."""
    try:
        print(link(hub, notebook, repo, branch))
    except GitpullerError as error:
        print(error, file=sys.stderr)
        return 2
    return 0
