"""Where this collection is published: the one place the repository URL lives (badges and setup cells
are rewritten from it by `python -m devtools badges`)."""

from __future__ import annotations

REPOSITORY = "minimax-notebooks/minimax-anthropic-notebooks"
"""GitHub owner/name. A placeholder until the collection is published: change it here, then run
`python -m devtools badges` to rewrite every notebook's badge and setup cell."""

BRANCH = "main"
CLONE_FOLDER = "minimax-anthropic-notebooks"


def repository_url() -> str:
    return f"https://github.com/{REPOSITORY}"


def raw_url(path: str) -> str:
    """A file of the published repository, as GitHub serves it raw (what a notebook opened alone fetches)."""
    return f"https://raw.githubusercontent.com/{REPOSITORY}/{BRANCH}/{path}"


def binder_url(notebook_path: str) -> str:
    """The Launch-Binder link of a notebook: repo2docker builds requirements.txt with runtime.txt's Python."""
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={notebook_path}"


def colab_url(notebook_path: str) -> str:
    """The Open-in-Colab link of a notebook, given its path inside the repository."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook_path}"
