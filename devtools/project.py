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


def colab_url(notebook_path: str) -> str:
    """The Open-in-Colab link of a notebook, given its path inside the repository."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook_path}"
