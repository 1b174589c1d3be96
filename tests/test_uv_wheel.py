"""Command 1 gets uv without pip (scripts/uv_wheel.py): the locked wheel from a package index, refused unless its
sha256 is one the lock pins; a `uv` on PATH only at exactly the locked version; pip, after one line, otherwise.

The index is a local HTTP server here (PEP 691 JSON and PEP 503 HTML pages); the wheel is a small stand-in whose
`uv` is a shell script, so nothing is downloaded and nothing fetched is run unchecked.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import load_file

ROOT = Path(__file__).resolve().parent.parent
start = load_file(ROOT / "scripts" / "start.py")
uv_wheel = start.uv_wheel
VERSION = "0.13.9"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in uv is a shell script")


def fitting_tag() -> str:
    """A platform tag this machine's Python accepts (the wheel the index must choose)."""
    system, machine, version = uv_wheel.this_platform()
    if system == "Darwin":
        return f"macosx_10_12_{machine}"
    return f"manylinux_2_17_{machine}" if version else f"musllinux_1_1_{machine}"


def stand_in_wheel(version: str = VERSION) -> bytes:
    """A plain wheel laid out as uv's: the `uv` program under .data/scripts, a package, a RECORD."""
    info, buffer = f"uv-{version}.dist-info", io.BytesIO()
    files = {
        f"uv-{version}.data/scripts/uv": f'#!/bin/sh\necho "uv {version} (stand-in)"\n',
        "uv/__init__.py": "",
        f"{info}/METADATA": f"Metadata-Version: 2.4\nName: uv\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n",
    }
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in files.items():
            zipped.writestr(name, text)
        zipped.writestr(f"{info}/RECORD", "".join(f"{n},sha256=x,{len(t)}\n" for n, t in files.items()))
    return buffer.getvalue()


def pin_for(*wheels: bytes) -> str:
    hashes = "".join(f" \\\n    --hash=sha256:{hashlib.sha256(w).hexdigest()}" for w in wheels)
    return f"uv=={VERSION}{hashes}\n"


class Index:
    """A package index on 127.0.0.1 serving `pages` (path: (body, content type)), its listings gzipped when asked
    (as PyPI does); `requests` lists the paths asked."""

    def __init__(self, pages: dict[str, tuple[bytes, str]]) -> None:
        self.pages, self.requests = pages, []
        index = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                index.requests.append(self.path)
                body, kind = index.pages.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in index.pages else 404)
                if self.path.startswith("/simple/") and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def serve_wheels(wheels: dict[str, bytes], html: bool = False) -> Index:
    """An index listing `wheels` (file name: bytes) for uv, as PEP 691 JSON or as a PEP 503 HTML page."""
    pages = {f"/files/{name}": (body, "application/octet-stream") for name, body in wheels.items()}
    if html:
        links = "".join(f'<a href="../../files/{n}#sha256=00">{n}</a><br/>' for n in wheels)
        pages["/simple/uv/"] = (f"<html><body>{links}</body></html>".encode(), "text/html")
    else:
        files = [{"filename": n, "url": f"/files/{n}", "hashes": {}} for n in wheels]
        listing = json.dumps({"meta": {"api-version": "1.1"}, "name": "uv", "files": files}).encode()
        pages["/simple/uv/"] = (listing, "application/vnd.pypi.simple.v1+json")
    return Index(pages)


@pytest.fixture
def index_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No pip configuration file read, no uv on PATH: only what each test serves."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    for name in ("PIP_CERT", "PIP_NO_INDEX", "UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(start.shutil, "which", lambda name: None)
    yield


@pytest.mark.parametrize("html", [False, True], ids=["pep691-json", "pep503-html"])
def test_the_locked_wheel_for_this_platform_is_fetched_checked_and_installed(
    html: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_env: None
) -> None:
    good = stand_in_wheel()
    other = stand_in_wheel() + b"another platform's file"
    index = serve_wheels(
        {
            f"uv-{VERSION}-py3-none-win_arm64.whl": other,  # listed first, but not for this platform
            f"uv-0.0.1-py3-none-{fitting_tag()}.whl": other,  # this platform, another version
            f"uv-{VERSION}-py3-none-{fitting_tag()}.whl": good,
        },
        html=html,
    )
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    name, body = uv_wheel.fetch(pin_for(good, other), dict(os.environ))
    assert name == f"uv-{VERSION}-py3-none-{fitting_tag()}.whl" and body == good
    assert index.requests == ["/simple/uv/", f"/files/{name}"], "one listing, one download"
    venv = tmp_path / ".venv"
    uv_wheel.install(body, venv)
    program = venv / "bin" / "uv"
    assert subprocess.run([program, "--version"], capture_output=True, text=True).stdout.startswith("uv 0.13.9")
    site = next((venv / "lib").glob("python3*/site-packages"))
    record = (site / f"uv-{VERSION}.dist-info" / "RECORD").read_text()
    assert "../../../bin/uv,sha256=x," in record and "uv/__init__.py" in record, "uninstallable: RECORD says where"
    assert (site / f"uv-{VERSION}.dist-info" / "INSTALLER").exists() and (site / "uv" / "__init__.py").exists()


def test_a_wheel_whose_hash_the_lock_does_not_pin_is_refused_and_pip_gets_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], index_env: None
) -> None:
    tampered = stand_in_wheel() + b"changed on the way"
    name = f"uv-{VERSION}-py3-none-{fitting_tag()}.whl"
    index = serve_wheels({name: tampered})
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    with pytest.raises(uv_wheel.NoUvError, match=f"refused {name} from .*: its sha256 is not one of the hashes"):
        uv_wheel.fetch(pin_for(stand_in_wheel()), dict(os.environ))
    # the same through command 1: nothing of the refused wheel is written, and pip is asked for uv instead
    lock = tmp_path / "requirements.lock"
    lock.write_text(pin_for(stand_in_wheel()))
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    asked: list[str] = []
    monkeypatch.setattr(start, "pip_install_uv", lambda pin, uv: asked.append(pin))
    assert start.get_uv(lock) is None
    out = capsys.readouterr().out
    assert f"Could not fetch uv directly (refused {name} from {index.url}" in out
    assert "getting it with pip instead." in out and asked == [lock.read_text()]
    assert not (tmp_path / ".venv").exists(), "not one file of the refused wheel is written"


def test_an_unreachable_index_is_one_line_and_pip_gets_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], index_env: None
) -> None:
    index = serve_wheels({})
    index.pages.clear()  # every page 404
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    lock = tmp_path / "requirements.lock"
    lock.write_text(pin_for(stand_in_wheel()))
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(start, "pip_install_uv", lambda pin, uv: "pip's uv")
    assert start.get_uv(lock) == "pip's uv"
    lines = [line for line in capsys.readouterr().out.splitlines() if "uv" in line]
    assert lines[0] == "Getting the fast installer uv from the package index ..."
    assert len(lines) == 2 and lines[1].startswith(f"Could not fetch uv directly ({index.url} did not list uv: ")
    assert "404" in lines[1] and lines[1].endswith("getting it with pip instead.")


def test_no_wheel_for_this_platform_is_said_and_nothing_is_downloaded(
    monkeypatch: pytest.MonkeyPatch, index_env: None
) -> None:
    index = serve_wheels({f"uv-{VERSION}-py3-none-win_arm64.whl": stand_in_wheel()})
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    with pytest.raises(uv_wheel.NoUvError, match=f"has no uv {VERSION} wheel for "):
        uv_wheel.fetch(pin_for(stand_in_wheel()), dict(os.environ))
    assert index.requests == ["/simple/uv/"]


def _program(folder: Path, version: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "uv"
    program.write_text(f'#!/bin/sh\necho "uv {version} (abc 2026-01-01)"\n')
    program.chmod(0o755)
    return str(program)


def test_a_uv_on_path_is_used_only_at_exactly_the_locked_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], index_env: None
) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(pin_for(stand_in_wheel()))
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")
    fetched: list[str] = []

    def fetch(pin: str, environ: dict[str, str]) -> tuple[str, bytes]:
        fetched.append(pin)
        raise uv_wheel.NoUvError("offline")

    monkeypatch.setattr(uv_wheel, "fetch", fetch)
    monkeypatch.setattr(start, "pip_install_uv", lambda pin, uv: None)
    wrong = _program(tmp_path / "old", "0.13.8")
    monkeypatch.setattr(start.shutil, "which", lambda name: wrong)
    assert start.get_uv(lock) is None and len(fetched) == 1, "uv 0.13.8 on PATH is not the locked 0.13.9"
    right = _program(tmp_path / "new", VERSION)
    monkeypatch.setattr(start.shutil, "which", lambda name: right)
    capsys.readouterr()
    assert start.get_uv(lock) == right and len(fetched) == 1, "the locked version on PATH: nothing fetched"
    assert capsys.readouterr().out == f"Using {right}: uv {VERSION}, the version requirements.lock pins.\n"
    assert start.uv_version(str(tmp_path / "old" / "uv")) == "0.13.8"


@pytest.mark.parametrize(
    ("tag", "system", "machine", "version", "fits"),
    [
        ("manylinux_2_17_x86_64", "Linux", "x86_64", (2, 36), True),
        ("manylinux2014_x86_64", "Linux", "x86_64", (2, 17), True),
        ("manylinux_2_28_aarch64", "Linux", "aarch64", (2, 27), False),  # glibc too old
        ("manylinux_2_17_aarch64", "Linux", "x86_64", (2, 36), False),
        ("musllinux_1_1_x86_64", "Linux", "x86_64", (2, 36), False),  # glibc, not musl
        ("musllinux_1_1_x86_64", "Linux", "x86_64", (), True),
        ("manylinux_2_17_x86_64", "Linux", "x86_64", (), False),
        ("macosx_11_0_arm64", "Darwin", "arm64", (14, 5), True),
        ("macosx_11_0_arm64", "Darwin", "x86_64", (14, 5), False),
        ("macosx_10_12_x86_64", "Darwin", "x86_64", (10, 11), False),
        ("win_amd64", "Windows", "AMD64", (), True),
        ("win_arm64", "Windows", "AMD64", (), False),
        ("win32", "Windows", "x86", (), True),
    ],
)
def test_the_wheel_chosen_runs_on_this_platform(
    tag: str, system: str, machine: str, version: tuple[int, ...], fits: bool
) -> None:
    assert uv_wheel.platform_fits(tag, system, machine, version) is fits


def test_the_index_is_pip_s_own(tmp_path: Path) -> None:
    """PIP_INDEX_URL, else the last pip.conf's [install] or [global] index-url (none read under os.devnull), else
    uv's own variable, else PyPI; pip's --no-index is obeyed."""
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://mirror.example/simple\ncert = /etc/ca.pem\n")
    files = uv_wheel.pip_config_files({"PIP_CONFIG_FILE": str(conf)})
    assert files[-1] == conf
    assert uv_wheel.pip_setting("index-url", {}, files) == "https://mirror.example/simple"
    assert uv_wheel.pip_setting("cert", {}, files) == "/etc/ca.pem"
    assert uv_wheel.pip_setting("index-url", {"PIP_INDEX_URL": "https://env.example/simple"}, files).startswith(
        "https://env"
    )
    assert uv_wheel.pip_config_files({"PIP_CONFIG_FILE": os.devnull}) == []
    assert uv_wheel.package_index({"UV_DEFAULT_INDEX": "https://uv.example/simple"}, files).startswith("https://mirror")
    assert uv_wheel.package_index({"UV_DEFAULT_INDEX": "https://uv.example/simple"}, []) == "https://uv.example/simple"
    assert uv_wheel.package_index({}, []) == "https://pypi.org/simple/"
    with pytest.raises(uv_wheel.NoUvError, match="no index"):
        uv_wheel.fetch(pin_for(b"x"), {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull})
    assert uv_wheel.pip_setting("index-url", {}, [tmp_path / "absent.conf"]) is None
    assert uv_wheel.pinned(pin_for(b"x"))[0] == VERSION
    with pytest.raises(uv_wheel.NoUvError, match="pins no uv"):
        uv_wheel.pinned("pandas==3.0\n")


def test_a_macos_python_without_certificates_uses_the_bundle_in_its_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """python.org's macOS Python finds no certificates until its Install Certificates step; pip has its own."""
    bundle = uv_wheel.pip_certificates()
    assert bundle and Path(bundle).name == "cacert.pem", "this Python's pip carries certifi's bundle"
    loaded: list[str] = []

    class Bare:
        def cert_store_stats(self) -> dict[str, int]:
            return {"x509_ca": 0}

        def load_verify_locations(self, cafile: str) -> None:
            loaded.append(cafile)

    monkeypatch.setattr(uv_wheel.ssl, "create_default_context", lambda cafile=None: Bare())
    monkeypatch.setattr(uv_wheel.sys, "platform", "darwin")
    uv_wheel.tls_context(None)
    assert loaded == [bundle]
    uv_wheel.tls_context("/etc/ca.pem")  # pip's own cert setting wins
    monkeypatch.setattr(uv_wheel.sys, "platform", "linux")  # OpenSSL loads a folder of certificates lazily there
    uv_wheel.tls_context(None)
    assert loaded == [bundle]
