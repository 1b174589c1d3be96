"""`python -m devtools lite`: the collection as a static JupyterLite site (every notebook, keyless, in the browser).

Everything comes from the package registries, pinned: the Pyodide core from npm (checked by sha256), the build tools
and the kernel's wheels from PyPI (`devtools/lite_requirements/*.txt`, with hashes), and the site carries its own
Pyodide folder and lock, so nothing is fetched from a CDN at run time (it works from any static host or an intranet
server). `--pyodide-release DIR` adds pandas and matplotlib (and what they need) from a Pyodide release folder, which
the registries do not have. Facts behind the choices: docs/sources.md, "In the browser".
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = Path(__file__).resolve().parent / "lite_requirements"
PYODIDE_VERSION = "314.0.6"
"""The Pyodide that jupyterlite-pyodide-kernel 0.8.6 is built for."""
PYODIDE_SHA256 = "d78ac549b28a2a58600cd06f44e017024151775f8c6b2d73fab1475400d38ea2"
"""sha256 of npm's pyodide-314.0.6.tgz, checked before it is unpacked."""
PYODIDE_RELEASE_URL = (
    f"https://github.com/pyodide/pyodide/releases/download/{PYODIDE_VERSION}/pyodide-{PYODIDE_VERSION}.tar.bz2"
)
"""The full Pyodide release (pandas, matplotlib and the rest) that .github/workflows/pages.yml downloads for the
published site; the registries do not carry it, so it was never downloaded here."""
PYODIDE_RELEASE_SHA256 = ""
"""sha256 of that archive, pinned by a maintainer from the workflow's first run (which prints it and stops while
this is empty): the publishing workflow unpacks nothing whose hash is not pinned here."""
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
PLATFORM = "pyemscripten_2026_0_wasm32"
KERNEL_EXTENSION = "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
STUBS = ("piplite", "pyodide_kernel", "ipykernel", "widgetsnbextension-4")
"""The Pyodide kernel's own wheels (from its lab extension): the kernel, its installer, and its stubs."""
PRELOAD = ["micropip", "piplite", "pyodide-kernel", "ipykernel", "comm", "ipython", "jedi"]
PRELOAD += ["anthropic", "jsonschema", "markdown-it-py", "python-dotenv", "ipywidgets"]
"""Loaded when the kernel starts: the kernel's own, and what the helpers import (the kernel loads packages by
scanning a cell's own imports: a notebook's setup cell imports helpers with runpy, and the helpers import
jsonschema, markdown-it-py, python-dotenv and ipywidgets inside functions, which no scan sees)."""
RELEASE_PACKAGES = ("pandas", "matplotlib")
CONTENTS = ("notebooks", "helpers", "data/cassettes", "data/datasets")
MARKER_ENV = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}


class LiteError(Exception):
    """A build step that cannot go on, with what to do."""


def run(command: list[str], **options: Any) -> None:
    """Run a command, its output shown; a failure says which step failed."""
    print("$", " ".join(command), flush=True)
    if subprocess.run(command, **options).returncode != 0:
        raise LiteError(f"This step failed: {' '.join(command[:4])} ... (its output is above).")


def build_venv(cache: Path) -> Path:
    """The build tools' venv (`cache/venv`), installed from build.txt with hashes; reused while build.txt is the
    same. Returns its Python."""
    folder = cache / "venv"
    python = folder / "bin" / "python"
    stamp = folder / "build.txt.sha256"
    wanted = hashlib.sha256((REQUIREMENTS / "build.txt").read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(folder, ignore_errors=True)
    venv.create(folder, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "-r", str(REQUIREMENTS / "build.txt")])
    stamp.write_text(wanted)
    return python


def pyodide_core(cache: Path) -> Path:
    """npm's `pyodide` package (the core: wasm, standard library, lock; no wheels), checked and unpacked."""
    tarball = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise LiteError("npm is needed to fetch Pyodide's core from the npm registry: install Node.js and npm.")
        run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination", str(cache)])
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != PYODIDE_SHA256:
        tarball.unlink()
        raise LiteError(f"{tarball.name} has sha256 {digest}, not the pinned {PYODIDE_SHA256}: deleted, not used.")
    folder = cache / "pyodide"
    shutil.rmtree(folder, ignore_errors=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def kernel_wheels(cache: Path, python: Path) -> list[Path]:
    """The kernel's wheels from PyPI (kernel.txt, hash-checked): WebAssembly builds or pure Python."""
    folder = cache / "wheels"
    command = [str(python), "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps"]
    command += ["--only-binary=:all:", "--platform", PLATFORM, "--platform", "any", "--python-version", "3.14"]
    command += ["--implementation", "cp", "--abi", "cp314", "--abi", "none", "-d", str(folder)]
    run([*command, "--require-hashes", "-r", str(REQUIREMENTS / "kernel.txt")])
    pinned = {line.split("==")[0].lower().replace("_", "-") for line in _requirement_lines()}
    return sorted(w for w in folder.glob("*.whl") if _dist_name(w) in pinned)


def _requirement_lines() -> Iterable[str]:
    for line in (REQUIREMENTS / "kernel.txt").read_text().splitlines():
        if line[:1].isalpha() and "==" in line:
            yield line.split()[0]


def _dist_name(wheel: Path) -> str:
    return wheel.name.split("-")[0].lower().replace("_", "-")


def stub_wheels(python: Path) -> list[Path]:
    """The Pyodide kernel's own wheels, shipped inside its lab extension in the build venv."""
    folder = python.parent.parent / KERNEL_EXTENSION
    wheels = [w for w in folder.glob("*.whl") if w.name.startswith(STUBS)]
    if len(wheels) != len(STUBS):
        raise LiteError(f"Expected the kernel's wheels {STUBS} in {folder}, found {[w.name for w in wheels]}.")
    return wheels


def _metadata(wheel: Path) -> tuple[Any, list[str]]:
    """A wheel's METADATA (an email.message) and its top-level import names (top_level.txt, else its RECORD)."""
    import email.parser

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        meta = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        if f"{info}/top_level.txt" in names:
            return meta, archive.read(f"{info}/top_level.txt").decode().split()
    tops = {n.split("/")[0].removesuffix(".py") for n in names if n.endswith(".py")}
    return meta, sorted(t for t in tops if t.isidentifier())


def lock_entry(wheel: Path, available: set[str]) -> dict[str, Any]:
    """One package of pyodide-lock.json for a wheel in the lock's folder: what it depends on under Emscripten
    (markers evaluated for Pyodide's Python 3.14), among the packages in the lock."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    meta, imports = _metadata(wheel)
    depends = []
    for line in meta.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(MARKER_ENV):
            depends.append(canonicalize_name(requirement.name))
    name = canonicalize_name(meta["Name"])
    return {
        "name": name,
        "version": meta["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": imports,
        "depends": sorted(d for d in depends if d in available),
        "unvendored_tests": False,
    }


def release_entries(release: Path, have: set[str]) -> dict[str, dict[str, Any]]:
    """RELEASE_PACKAGES and everything they depend on, from a Pyodide release folder's own lock (its entries kept
    as they are), except what the site already has."""
    lock_path = release / "pyodide-lock.json"
    if not lock_path.is_file():
        raise LiteError(f"{release} holds no pyodide-lock.json: give the unpacked Pyodide {PYODIDE_VERSION} release.")
    packages = json.loads(lock_path.read_text())["packages"]
    wanted, entries = list(RELEASE_PACKAGES), {}
    while wanted:
        name = wanted.pop()
        if name in have or name in entries:
            continue
        if name not in packages or not (release / packages[name]["file_name"]).is_file():
            raise LiteError(f"{release} lacks {name} (in its lock and as a file): is it a full Pyodide release?")
        entries[name] = packages[name]
        wanted.extend(packages[name].get("depends", []))
    return entries


def write_pyodide(core: Path, wheels: list[Path], out: Path, release: Path | None) -> dict[str, Any]:
    """`out` (the site's static/pyodide): the core files, every wheel, and a lock naming exactly those (no entry
    points to a file the site lacks, so nothing is looked for on a CDN). Returns the lock."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in CORE_FILES:
        shutil.copy2(core / name, out / name)
    lock: dict[str, Any] = json.loads((core / "pyodide-lock.json").read_text())
    available = {_dist_name(w) for w in wheels}
    extra = release_entries(release, available) if release is not None else {}
    available |= set(extra)
    packages = {}
    for wheel in wheels:
        shutil.copy2(wheel, out / wheel.name)
        entry = lock_entry(wheel, available)
        packages[entry["name"]] = entry
    for name, entry in extra.items():
        shutil.copy2(Path(str(release)) / entry["file_name"], out / entry["file_name"])
        packages[name] = entry
    lock["packages"] = dict(sorted(packages.items()))
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock


def _joined(notebook: dict[str, Any]) -> dict[str, Any]:
    """A notebook with every multi-line string as one string (JupyterLite 0.8 draws saved lists of lines with
    stray commas between them)."""

    def join(value: Any) -> Any:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    for cell in notebook["cells"]:
        cell["source"] = join(cell["source"])
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = join(output["text"])
            for kind, value in output.get("data", {}).items():
                output["data"][kind] = value if kind.endswith("json") else join(value)
    return notebook


def stage_contents(staging: Path) -> None:
    """The site's files: the notebooks (outputs as saved, lines joined), the helpers and the recordings."""
    shutil.rmtree(staging, ignore_errors=True)
    for name in CONTENTS:
        shutil.copytree(ROOT / name, staging / name, ignore=shutil.ignore_patterns("__pycache__", "scratch", "*.pyc"))
    for path in (staging / "notebooks").rglob("*.ipynb"):
        path.write_text(json.dumps(_joined(json.loads(path.read_text())), indent=1, ensure_ascii=False) + "\n")


def lite_config(title: str) -> dict[str, Any]:
    """jupyter-lite.json: the kernel on the site's own Pyodide and lock, no PyPI, no news or update checks."""
    kernel = {
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": PRELOAD, "lockFileURL": "./static/pyodide/pyodide-lock.json"},
    }
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": title,
            "exposeAppInBrowser": True,  # window.jupyterapp: the browser test and benchmark drive the page by it
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
            "settingsOverrides": {
                "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
            },
        },
    }


def build(out: Path, cache: Path, release: Path | None = None) -> Path:
    """Build the site into `out` (clean: an incremental JupyterLite build can drop settings). Returns `out`."""
    cache.mkdir(parents=True, exist_ok=True)
    python = build_venv(cache)
    core = pyodide_core(cache)
    wheels = kernel_wheels(cache, python) + stub_wheels(python)
    lite_dir = cache / "lite-dir"
    shutil.rmtree(lite_dir, ignore_errors=True)
    lock = write_pyodide(core, wheels, lite_dir / "static" / "pyodide", release)
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config("MiniMax notebooks"), indent=1))
    stage_contents(cache / "contents")
    shutil.rmtree(out, ignore_errors=True)
    jupyter = [str(python.parent / "jupyter"), "lite", "build", "--lite-dir", str(lite_dir)]
    run(
        [
            *jupyter,
            "--contents",
            str(cache / "contents"),
            "--output-dir",
            str(out.resolve()),
            "--apps",
            "lab",
            "--no-sourcemaps",
            "--no-unused-shared-packages",
        ],
        cwd=lite_dir,
    )
    print(f"Built {out}: {len(lock['packages'])} packages in its own Pyodide lock; serve it with any static server,")
    print(f"  e.g. python -m http.server -d {out}, then open lab/index.html?path=notebooks/01_quick_start.ipynb")
    return out


def main(out: str, cache: str, release: str | None) -> int:
    """`python -m devtools lite`: exit 0 with the site built, 1 with what went wrong."""
    try:
        build(Path(out).resolve(), Path(cache).resolve(), Path(release).resolve() if release else None)
    except LiteError as error:
        print(error, file=sys.stderr)
        return 1
    return 0
