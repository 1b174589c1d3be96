"""Command 2 of the README: install requirements-dev.lock into the same `.venv`, then run the whole test suite.

requirements-dev.lock is requirements-dev.txt resolved to exact versions with hashes (`python -m devtools lock`):
the set CI tests. It installs as command 1 does (uv, else pip).

Arguments go to pytest (e.g. `tests/test_client.py -q`). Standard library only; makes `.venv` if command 1 has not.
"""

from __future__ import annotations

import os
import subprocess
import sys

from start import ROOT, install, make_venv


def main(argv: list[str]) -> int:
    python = make_venv()
    install("requirements-dev.lock")
    os.chdir(ROOT)
    return subprocess.call([str(python), "-m", "pytest", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
