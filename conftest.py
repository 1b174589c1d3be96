"""Root conftest: loaded before collection, so the replay environment is in os.environ before nbval starts
any notebook kernel (kernels inherit os.environ as it is when they start; a fixture would be too late)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every notebook cell nbval runs needs a kernel: mark them `slow`, like the tests that start a process."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    from devtools.notebooks import replay_environment

    env = replay_environment()
    os.environ.clear()
    os.environ.update(env)
