"""Small shared pieces of the test suite."""

from __future__ import annotations

import os

import pytest


def missing(feature: str, reason: str) -> None:
    """Skip a test whose tool is absent here, but fail it where CI requires the feature
    (REQUIRE=node,browser): a missing install step must not pass as a skip."""
    required = {f.strip() for f in os.environ.get("REQUIRE", "").split(",") if f.strip()}
    if feature in required:
        pytest.fail(f"{reason} (and REQUIRE={os.environ['REQUIRE']} says it must run here)")
    pytest.skip(reason, allow_module_level=True)
