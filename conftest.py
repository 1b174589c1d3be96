"""Root conftest: loaded before collection, so the replay environment is in os.environ before nbval starts
any notebook kernel (kernels inherit os.environ as it is when they start; a fixture would be too late)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject.toml): one pytest-xdist worker more than there are cores, because much of the suite waits
    (recordings replayed at their pace, browsers, kernels starting) rather than computes. On the 2-core CI machine:
    3 workers, about 80 s against about 150 s in one process. PYTEST_XDIST_AUTO_NUM_WORKERS, or `-n 0`, overrides."""
    chosen = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").strip()
    if chosen.isdigit():
        return int(chosen)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


def _start_order(item: pytest.Item) -> int:
    """Browser tests first (about 15 to 25 s each), then the other slow ones, then the quick ones: with pytest-xdist
    (`--no-loadscope-reorder` in pyproject.toml keeps this order) the long modules start at once and the quick ones
    fill in at the end."""
    if item.path.name.startswith("test_browser_"):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every notebook cell nbval runs needs a kernel: mark them `slow`, like the tests that start a process. Then
    order the run longest first (stable: each notebook's cells keep their order)."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
    items.sort(key=_start_order)


def pytest_configure(config: pytest.Config) -> None:
    from devtools.notebooks import replay_environment

    env = replay_environment()
    os.environ.clear()
    os.environ.update(env)
