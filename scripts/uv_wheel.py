"""The uv wheel a lock pins for this platform, fetched and installed into .venv without pip (pip takes 1.5 s or
more to start and fetch it): found on the package index pip is set to (PEP 691 JSON or PEP 503 HTML simple API), and
refused unless its sha256 is one of the hashes the lock pins, before anything in it is written or run. Standard
library only, like start.py. Any failure raises NoUvError with a one-line reason; start.py then gets uv with pip.
"""

from __future__ import annotations

import base64
import configparser
import gzip
import hashlib
import html.parser
import importlib.util
import io
import json
import os
import platform
import re
import ssl
import sys
import sysconfig
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

PYPI = "https://pypi.org/simple/"
ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"  # JSON where the index has it, else its HTML page
TIMEOUT = 30  # seconds without a byte before the index counts as unreachable
OLD_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


class NoUvError(Exception):
    """Why uv could not be had this way (one line, shown to the learner)."""


def pinned(pin: str) -> tuple[str, set[str]]:
    """The version and sha256 hashes in a lock's uv lines (`uv==0.13.9 \\` and its `--hash=sha256:...` lines)."""
    version = re.search(r"^uv==(\S+)", pin, re.M)
    hashes = set(re.findall(r"--hash=sha256:([0-9a-f]{64})", pin))
    if not (version and hashes):
        raise NoUvError("the lock pins no uv with hashes")
    return version.group(1), hashes


def pip_config_files(environ: dict[str, str]) -> list[Path]:
    """pip's configuration files in the order pip reads them (a later one wins); none under PIP_CONFIG_FILE=os.devnull
    (what pip itself does)."""
    named = environ.get("PIP_CONFIG_FILE")
    if named == os.devnull:
        return []
    home, name = Path.home(), "pip.ini" if os.name == "nt" else "pip.conf"
    if os.name == "nt":
        site_wide = [Path(environ.get("PROGRAMDATA", "C:/ProgramData")) / "pip" / name]
        user = [home / "pip" / name, Path(environ.get("APPDATA", home)) / "pip" / name]
    elif sys.platform == "darwin":
        site_wide = [Path("/Library/Application Support/pip") / name]
        user = [home / ".pip" / name, home / "Library/Application Support/pip" / name, home / ".config/pip" / name]
    else:
        xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        site_wide = [Path(d) / "pip" / name for d in reversed(xdg_dirs.split(os.pathsep))] + [Path("/etc") / name]
        user = [home / ".pip" / name, Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / "pip" / name]
    return [*site_wide, *user, Path(sys.prefix) / name, *([Path(named)] if named else [])]


def pip_setting(key: str, environ: dict[str, str], files: list[Path]) -> str | None:
    """One of pip's settings (`index-url`, `cert`): its PIP_ variable, else the last file's [install] or [global]."""
    value = environ.get("PIP_" + key.upper().replace("-", "_"))
    if value:
        return value
    config = configparser.RawConfigParser()
    for file in files:
        try:
            config.read(file, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
    for section in ("install", "global"):
        if config.has_option(section, key):
            return config.get(section, key).strip() or None
    return None


def package_index(environ: dict[str, str], files: list[Path]) -> str:
    """pip's index (PIP_INDEX_URL, pip.conf); else uv's (UV_DEFAULT_INDEX, UV_INDEX_URL), which the README's mirror
    line sets too; else PyPI."""
    uv_index = environ.get("UV_DEFAULT_INDEX") or environ.get("UV_INDEX_URL")
    return pip_setting("index-url", environ, files) or uv_index or PYPI


def platform_fits(tag: str, system: str, machine: str, version: tuple[int, ...]) -> bool:
    """Whether a wheel's platform tag runs here: `system` and `machine` as `platform` names them; `version` is
    glibc's on Linux (() on musl), macOS's on macOS."""
    if system == "Windows":
        return tag == {"amd64": "win_amd64", "x86": "win32", "arm64": "win_arm64"}.get(machine.lower())
    if system == "Darwin":
        found = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", tag)
        return found is not None and found[3] in (machine, "universal2") and (int(found[1]), int(found[2])) <= version
    if system != "Linux":
        return False
    if tag.startswith("musllinux_"):
        return not version and tag.endswith("_" + machine)
    family, _, arch = tag.partition("_")
    if family in OLD_MANYLINUX:
        needs = OLD_MANYLINUX[family]
    else:
        found = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", tag)
        if not found:
            return False
        needs, arch = (int(found[1]), int(found[2])), found[3]
    return bool(version) and arch == machine and needs <= version


def this_platform() -> tuple[str, str, tuple[int, ...]]:
    """(system, machine, glibc's or macOS's version) for platform_fits."""
    system, machine = platform.system(), platform.machine()
    if system == "Darwin":
        text = platform.mac_ver()[0]
    elif system == "Linux":
        libc, text = platform.libc_ver()
        text = text if libc == "glibc" else ""
    else:
        text = ""
    return system, machine, tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def tls_context(cafile: str | None) -> ssl.SSLContext:
    """Certificates checked as pip checks them: pip's `cert` setting, else the system's; on a macOS Python that
    finds none (python.org's before its Install Certificates step), the bundle inside this Python's own pip."""
    context = ssl.create_default_context(cafile=cafile)
    if not cafile and sys.platform == "darwin" and not context.cert_store_stats()["x509_ca"]:
        bundle = pip_certificates()
        if bundle:
            context.load_verify_locations(cafile=bundle)
    return context


def pip_certificates() -> str | None:
    """The certifi bundle pip carries (pip/_vendor/certifi/cacert.pem), found without importing pip."""
    spec = importlib.util.find_spec("pip")
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = [Path(f) / "_vendor" / "certifi" / "cacert.pem" for f in folders]
    return next((str(f) for f in found if f.is_file()), None)


class _Links(html.parser.HTMLParser):
    """The <a href> links of a PEP 503 simple page: (file name, URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[dict[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._href = dict(attrs).get("href") if tag == "a" else None

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self.files.append({"filename": data.strip(), "url": self._href})
            self._href = None


def _get(url: str, context: ssl.SSLContext, accept: str = "*/*") -> tuple[bytes, str, str]:
    """The body, final URL and content type of one GET (user:password@ in the URL becomes basic authentication;
    gzip is asked for, as PyPI's uv page is 2.6 MB of JSON unpacked)."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": accept, "Accept-Encoding": "gzip", "User-Agent": "minimax-notebooks-start"}
    if parts.username:
        user = urllib.parse.unquote(parts.username) + ":" + urllib.parse.unquote(parts.password or "")
        headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
        url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT, context=context) as got:
        body = got.read()
        body = gzip.decompress(body) if got.headers.get("Content-Encoding") == "gzip" else body
        return body, got.geturl(), got.headers.get("Content-Type", "")


def index_files(index: str, context: ssl.SSLContext) -> list[dict[str, str]]:
    """The files the index lists for uv: each a `filename` and an absolute `url`."""
    page = index.rstrip("/") + "/uv/"
    body, final, kind = _get(page, context, ACCEPT)
    if "json" in kind:
        files = [{"filename": f["filename"], "url": f["url"]} for f in json.loads(body)["files"]]
    else:
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        files = parser.files
    return [{**f, "url": urllib.parse.urljoin(final, f["url"])} for f in files]


def fetch(pin: str, environ: dict[str, str]) -> tuple[str, bytes]:
    """The locked uv wheel for this platform from pip's package index, once its sha256 is one the lock pins:
    (file name, its bytes). Raises NoUvError with the reason otherwise."""
    version, hashes = pinned(pin)
    files = pip_config_files(environ)
    if (pip_setting("no-index", environ, files) or "").lower() in ("1", "true", "yes", "on"):
        raise NoUvError("pip is set to use no index")
    index = package_index(environ, files)
    system, machine, platform_version = this_platform()
    try:
        context = tls_context(pip_setting("cert", environ, files))
        listed = index_files(index, context)
    except (OSError, ValueError, KeyError) as error:
        raise NoUvError(f"{index} did not list uv: {error}") from None
    wheels = [
        f
        for f in listed
        if f["filename"].startswith(f"uv-{version}-") and f["filename"].endswith(".whl")
        for tag in f["filename"][:-4].split("-")[-1].split(".")
        if platform_fits(tag, system, machine, platform_version)
    ]
    if not wheels:
        raise NoUvError(f"{index} has no uv {version} wheel for {system} {machine}")
    name = wheels[0]["filename"]
    try:
        body = _get(wheels[0]["url"], context)[0]
    except (OSError, ValueError) as error:
        raise NoUvError(f"could not download {name}: {error}") from None
    if hashlib.sha256(body).hexdigest() not in hashes:
        raise NoUvError(f"refused {name} from {index}: its sha256 is not one of the hashes the lock pins")
    return name, body


def install(wheel: bytes, venv: Path) -> None:
    """Install a checked wheel into the virtual environment `venv` as pip would (its programs into bin/ or
    Scripts/, the rest into site-packages, a RECORD of what went where), so uv later sees it installed."""
    try:
        _install(wheel, venv)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise NoUvError(f"could not install the uv wheel: {error!r}") from None


def _install(wheel: bytes, venv: Path) -> None:
    paths = sysconfig.get_paths("venv", vars={"base": str(venv), "platbase": str(venv)})
    with zipfile.ZipFile(io.BytesIO(wheel)) as zipped:
        names = zipped.namelist()
        info = next((n.split("/")[0] for n in names if re.fullmatch(r"[^/]+\.dist-info/WHEEL", n)), "")
        if not info:
            raise NoUvError("the uv wheel has no .dist-info/WHEEL")
        pure = "root-is-purelib: true" in zipped.read(f"{info}/WHEEL").decode().lower()
        root = Path(paths["purelib" if pure else "platlib"])
        record = {}
        for line in zipped.read(f"{info}/RECORD").decode().splitlines():
            record[line.split(",")[0]] = line
        written = []
        for name in names:
            if name.endswith("/") or name == f"{info}/RECORD":
                continue
            data = re.fullmatch(r"[^/]+\.data/(scripts|purelib|platlib|data|headers)/(.+)", name)
            target = Path(paths["include" if data[1] == "headers" else data[1]]) / data[2] if data else root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zipped.read(name))
            if data and data[1] == "scripts":
                target.chmod(0o755)
            relative = Path(os.path.relpath(target, root)).as_posix()
            written.append(record.get(name, f"{name},,").replace(name, relative, 1))
    (root / info / "INSTALLER").write_text("scripts/start.py\n")
    written += [f"{info}/INSTALLER,,", f"{info}/RECORD,,"]
    (root / info / "RECORD").write_text("\n".join(written) + "\n")
