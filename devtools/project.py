"""Where this collection is published: the one place the repository URL lives (badges and setup cells
are rewritten from it by `python -m devtools badges`).

Until it is published, REPOSITORY names a reserved placeholder (RFC 2606 `.invalid`; no GitHub account can hold a
dot in its name), so no setup cell can fetch anything: a learner's Colab then uses only local sources (this
checkout, the teacher's zip, Google Drive with consent). Once published, set REPOSITORY and COMMIT together: the
setup cells fetch helpers/locate.py at that one commit and check its sha256 before running it; never `main`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

PLACEHOLDER = "example.invalid/minimax-anthropic-notebooks"
REPOSITORY = PLACEHOLDER
"""GitHub owner/name. A placeholder until the collection is published: change it (and COMMIT) here, then run
`python -m devtools badges` to rewrite every notebook's badge and setup cell."""

COMMIT = ""
"""The published commit (40 hex digits) whose helpers/locate.py the setup cells fetch and `git clone` checks out;
empty until published, and then nothing is fetched or cloned."""

BRANCH = "main"
CLONE_FOLDER = "minimax-anthropic-notebooks"


def published() -> bool:
    """True once REPOSITORY is a real GitHub owner/name and COMMIT pins one commit: only then is anything fetched."""
    real = REPOSITORY != PLACEHOLDER and ".invalid" not in REPOSITORY
    return real and re.fullmatch(r"[0-9a-f]{40}", COMMIT) is not None


def repository_url() -> str:
    """The clone URL once published; until then a reserved address that can never resolve (RFC 2606)."""
    return f"https://github.com/{REPOSITORY}" if published() else f"https://{PLACEHOLDER}"


def raw_url(path: str) -> str:
    """A file of the published repository at the pinned COMMIT, as GitHub serves it raw; refused while unpublished."""
    if not published():
        raise ValueError(f"{REPOSITORY} at commit {COMMIT!r} is not published: set REPOSITORY and COMMIT in project.py")
    return f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/{path}"


def finder_sha256() -> str:
    """The sha256 of this checkout's helpers/locate.py: a fetched copy must equal it before a setup cell runs it."""
    return hashlib.sha256((Path(__file__).resolve().parent.parent / "helpers" / "locate.py").read_bytes()).hexdigest()


def binder_url(notebook_path: str) -> str:
    """The Launch-Binder link of a notebook: repo2docker builds requirements.txt with runtime.txt's Python."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={notebook_path}"


def colab_url(notebook_path: str) -> str:
    """The Open-in-Colab link of a notebook, given its path inside the repository."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook_path}"
