"""Keep every notebook's Colab and Binder badges, setup cell and images in step with devtools/project.py.

The repository URL lives only in `project.py`. `python -m devtools badges` rewrites each notebook's badges (in
its first markdown cell) and the shared part of its setup cell (its first code cell) from it, and turns images
linked by a relative path (which Colab, opening the notebook alone, cannot load) into cell attachments of the
repository's file (docs/img/...), kept equal to that file; `problems()` lists what disagrees, for the test suite.
A setup cell's own last line (`client = helpers.get_client(...)`)
is kept, and added, with the notebook's stem, where missing (notebook 01 creates its client later).
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Any

from . import project
from .notebooks import language_of

FIRST_NOTEBOOK = "01_quick_start"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_IMAGE = "https://mybinder.org/badge_logo.svg"
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)(?: \[!\[Launch Binder\]\([^)]*\)\]\([^)]*\))?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
SETUP_TITLE = "Setup: find this collection, import its helpers and set MODEL (run it; no need to read it)"
"""The setup cell's first line (English; a translation's is in SETUP_WORDS). Colab draws a `# @title` cell whose
metadata says `cellView: form` as a collapsed
form showing only this title; JupyterLab hides a cell whose metadata says `jupyter.source_hidden`."""
_CLIENT_LINE = re.compile(r"^client = helpers\.get_client\(.*\)\s*$")


def repository_root() -> Path:
    """The checkout this package sits in: notebook paths in badges are relative to it."""
    return Path(__file__).resolve().parent.parent


SETUP_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": SETUP_TITLE,
        "finds": "# helpers/locate.py finds the collection (this checkout, a copy, the teacher's zip, your Drive if you"
        " say yes{fetched}).",
        "fetched": "; else fetched pinned",
        "mark": "# only this collection's finder runs, never another project's",
        "local": "# the finder taken from the zip (or fetched), beside the notebook",
        "zip": "# the teacher's zip (here or one folder up) comes first",
        "mirror": "# Outside Colab and a checkout it installs what this kernel lacks; MIRROR: a package-index mirror,"
        " if any",
        "fetch": "# published: this one file at a pinned commit, run only if its sha256 matches",
        "howto": "Could not find this notebook's collection. Upload {NAME}.zip (your teacher has it) here or one folder"
        " up (Colab: the Files pane; JupyterLab: the Upload Files button), or put the folder {NAME} in your Google"
        " Drive and run `from google.colab import drive;"
        " drive.mount('/content/drive')`; then run this cell again.",
        "unpublished": " Nothing is fetched from the internet: this collection has no published address yet.",
        "region": "global",
        "region_note": "# where live calls go unless you set MINIMAX_REGION (notebook 01)",
        "language": "en",
        "language_note": '# what the helpers print: English ("zh-CN": 简体中文)',
    },
    "zh-CN": {
        "title": "设置：找到本合集，导入 helpers 并设定 MODEL（运行即可，不必阅读）",
        "finds": "# helpers/locate.py 负责找到本合集（当前仓库、一份副本、老师发的 zip；"
        "你同意后也查 Google Drive{fetched}）。",
        "fetched": "；否则按固定提交下载",
        "mark": "# 只运行本合集的查找程序，绝不运行别的项目的",
        "local": "# 从 zip 中取出（或下载）的查找程序，放在笔记本旁边",
        "zip": "# 优先使用老师发的 zip（放在这里或上一级文件夹）",
        "mirror": "# 不在 Colab、也不在仓库里时，会安装本内核缺少的包；MIRROR：软件包索引的镜像地址（可不填）",
        "fetch": "# 已发布：只下载这一个文件（固定提交），sha256 一致才运行",
        "howto": "找不到本笔记本所属的合集。请把 {NAME}.zip（向老师索取）上传到这里或上一级文件夹"
        "（Colab：左侧“文件”面板；JupyterLab：“上传文件”按钮），"
        "或把文件夹 {NAME} 放进你的 Google Drive 并运行 `from google.colab import drive;"
        " drive.mount('/content/drive')`，然后重新运行本单元格。",
        "unpublished": "本合集尚未发布到网上，因此不会从互联网下载任何东西。",
        "region": "cn",
        "region_note": "# 国内站（api.minimaxi.com）；国际站的密钥请设置 MINIMAX_REGION=global",
        "language": "zh-CN",
        "language_note": '# helpers 输出的语言：简体中文（"en"：英文）',
    },
}
"""What a setup cell says in each language (its code is the same in every one: only strings and comments differ,
as `python -m devtools translations` checks), and the region its notebooks' clients use by default: a Chinese
learner's key comes from the China console (platform.minimaxi.com)."""


def setup_source(language: str = "en") -> str:
    """The shared setup cell: find the collection with helpers/locate.py, then import the helpers.

    Opened on its own (Colab opens only the notebook file), it first takes that one file from a local source: this
    checkout, a copy here or one folder up, Drive already mounted, then the teacher's zip (here, else one folder
    up). Only once project.py names a published repository and commit does it fetch that file, at that commit,
    and run it only if its sha256 matches; until then nothing is fetched. Only this collection's finder runs (it
    holds the marker line), never another project's.
    In Colab only the SDK is installed: Colab's own ipywidgets (7.7.1), pandas and matplotlib stay. On another
    hosted JupyterLab (PAI-DSW, ModelScope, a hub), outside a git checkout, the finder installs what the kernel
    lacks of requirements.txt, and nothing when all is there; from the cell's MIRROR only when the learner names one.
    """
    words = SETUP_WORDS[language]
    published = project.published()
    return _setup_lines(words, published, _fetch_lines(words) if published else [])


def _fetch_lines(words: dict[str, str]) -> list[str]:
    """The published cell's fetch: helpers/locate.py at the pinned commit, kept only if its sha256 matches."""
    return [
        f'SOURCE, SHA256 = "{project.raw_url("helpers/locate.py")}", "{project.finder_sha256()}"',
        f"if not finder.is_file():  {words['fetch']}",
        "    !curl -fsL -o {NAME}_locate.part {SOURCE}",
        '    part = Path(f"{NAME}_locate.part")',
        "    if part.is_file() and hashlib.sha256(part.read_bytes()).hexdigest() == SHA256:",
        "        part.rename(finder)",
        "    part.unlink(missing_ok=True)",  # a download that did not match is never run
    ]


def _setup_lines(words: dict[str, str], published: bool, fetch: list[str]) -> str:
    """The cell's lines: local sources first, then (only when published) the pinned fetch, then the finder."""
    return "\n".join(
        [
            f"# @title {words['title']}",
            words["finds"].format(fetched=words["fetched"] if published else ""),
            words["mirror"],
            'MIRROR = ""  # @param {type:"string"}',
            *(["import hashlib"] if published else []),
            "import runpy",
            "import zipfile",
            "from pathlib import Path",
            "",
            "from IPython.core.error import UsageError",
            "",
            f'NAME, FINDER = "{project.CLONE_FOLDER}", "helpers/locate.py"',
            "MARK = f'COLLECTION = \"{NAME}\"'  " + words["mark"],
            'LOCAL = Path(f"{NAME}_locate.py")  ' + words["local"],
            'places = [Path.cwd(), *Path.cwd().parents, Path(NAME), Path("..", NAME), Path("drive/MyDrive", NAME)]',
            "found = [f for f in [*(p / FINDER for p in places), LOCAL] if f.is_file()]",
            'finder = next((f for f in found if MARK in f.read_text("utf-8", "replace")), LOCAL)',
            'zips = [z for d in ("", "..") for z in sorted(Path(d).glob(f"{NAME}*.zip"),'
            " key=lambda p: p.stat().st_mtime)[::-1]]",
            "if zips and not finder.is_file():  " + words["zip"],
            "    with zipfile.ZipFile(zips[0]) as bundle:",
            '        finder.write_bytes(bundle.read(f"{NAME}/{FINDER}"))',
            *fetch,
            'if not finder.is_file() or MARK not in finder.read_text("utf-8", "replace"):',
            "    raise UsageError(",
            f'        f"{words["howto"]}' + ("" if published else words["unpublished"]) + '"',
            "    )",
            'ROOT = runpy.run_path(str(finder))["locate"](',
            f'    "{project.repository_url()}", NAME, get_ipython(), commit="{project.COMMIT if published else ""}"'
            ", mirror=MIRROR",
            ")",
            "",
            "import helpers",
            "",
            f'helpers.set_language("{words["language"]}")  {words["language_note"]}',
            f'helpers.client.set_default_region("{words["region"]}")  {words["region_note"]}',
            'MODEL = "MiniMax-M2.1"',
        ]
    )


def badge(notebook_path: str) -> str:
    """The badges for a notebook, given its path inside the repository: Open in Colab, and Binder beside it."""
    return (
        f"[![Open In Colab]({BADGE_IMAGE})]({project.colab_url(notebook_path)})"
        f" [![Launch Binder]({BINDER_IMAGE})]({project.binder_url(notebook_path)})"
    )


def without_badges(markdown: str) -> str:
    """A title cell's text with its Colab and Binder badges taken out (the rendered site shows its own links)."""
    return _BADGE.sub("", markdown, count=1)


def _attachment(file: Path) -> dict[str, str]:
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return {kind: base64.b64encode(file.read_bytes()).decode("ascii")}


def image_problems(path: Path, cell: Any, *, fix: bool = False) -> list[str]:
    """Images of one markdown cell that Colab or GitHub would not show: a relative link (made an attachment of
    that file with `fix`), an attachment that no longer equals its file in docs/img, or one the cell does not show."""
    root = repository_root()
    relative = path.resolve().relative_to(root).as_posix()
    found: list[str] = []
    attachments = dict(cell.get("attachments") or {})

    def replace(match: re.Match[str]) -> str:
        alt, target = match.groups()
        if target.startswith(("http://", "https://", "data:", "attachment:")):
            return match.group(0)
        file = (path.parent / target).resolve()
        if not file.is_file() or root not in file.parents:
            found.append(f"{relative}: image {target} is not a file of the repository")
            return match.group(0)
        found.append(f"{relative}: image {target} is a relative link (Colab opens the notebook alone)")
        attachments[file.name] = _attachment(file)
        return f"![{alt}](attachment:{file.name})"

    source = _IMAGE.sub(replace, cell.source)
    for name in re.findall(r"\(attachment:([^)\s]+)\)", source):
        file = root / "docs" / "img" / name
        if file.is_file() and attachments.get(name) != _attachment(file):
            found.append(f"{relative}: attachment {name} differs from docs/img/{name}")
            attachments[name] = _attachment(file)
    shown = set(re.findall(r"\(attachment:([^)\s]+)\)", source))
    for name in sorted(set(attachments) - shown):
        found.append(f"{relative}: attachment {name} is carried but not shown")
        del attachments[name]
    if fix and found:
        cell.source, cell["attachments"] = source, attachments
    return found


def recordings_name(path: Path) -> str:
    """The recordings folder a notebook's client uses by default: its stem, without a `_solutions` suffix."""
    return path.stem.removesuffix("_solutions")


def expected_setup(path: Path, current: str) -> str:
    """The setup cell `path` should have: the shared code in its language, then (except in notebook 01) its client
    line."""
    shared = setup_source(language_of(path, repository_root()))
    if path.stem == FIRST_NOTEBOOK:
        return shared
    last = current.rstrip().splitlines()[-1] if current.strip() else ""
    if not _CLIENT_LINE.match(last):
        last = f'client = helpers.get_client(recordings="{recordings_name(path)}")'
    return f"{shared}\n{last}"


def expected_title_cell(relative: str, current: str) -> str:
    """The first markdown cell with its badge pointing at this notebook (inserted after the title if absent)."""
    wanted = badge(relative)
    if _BADGE.search(current):
        return _BADGE.sub(lambda _: wanted, current, count=1)
    lines = current.splitlines()
    head, rest = (lines[:1], lines[1:]) if lines and lines[0].startswith("#") else ([], lines)
    return "\n".join([*head, "", wanted, *([""] if rest and rest[0].strip() else []), *rest])


def _cells(nb: Any) -> tuple[Any, Any]:
    """The notebook's first markdown cell (title and badge) and first code cell (setup), or None for each."""
    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    return markdown, code


def _collapse(relative: str, code: Any) -> list[str]:
    """Mark the setup cell collapsed (Colab's form view, JupyterLab's hidden source); what was missing, if anything."""
    metadata = code.metadata
    if metadata.get("cellView") == "form" and metadata.get("jupyter", {}).get("source_hidden") is True:
        return []
    metadata["cellView"] = "form"
    metadata.setdefault("jupyter", {})["source_hidden"] = True
    return [f"{relative}: the setup cell is not collapsed (cellView form, jupyter.source_hidden)"]


def check_notebook(path: Path, *, fix: bool = False) -> list[str]:
    """What disagrees with project.py in one notebook; with `fix`, rewrite it so nothing does."""
    import nbformat

    root = repository_root()
    relative = path.resolve().relative_to(root).as_posix()
    nb = nbformat.read(path, as_version=4)
    markdown, code = _cells(nb)
    found: list[str] = []
    if markdown is None or code is None:
        return [f"{relative}: needs a title cell and a setup cell"]
    title = expected_title_cell(relative, markdown.source)
    if title != markdown.source:
        found.append(f"{relative}: the Colab and Binder badges are missing or do not point at {relative}")
        markdown.source = title
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += image_problems(path, cell, fix=True)
    setup = expected_setup(path, code.source)
    if setup != code.source:
        found.append(f"{relative}: the first code cell differs from the shared setup cell")
        code.source = setup
    found += _collapse(relative, code)
    if fix and found:
        nbformat.write(nb, path)
    return found


def problems(names: list[str] | None = None) -> list[str]:
    """Every disagreement between the notebooks (solutions included) and project.py."""
    from .notebooks import notebook_paths

    return [p for path in notebook_paths(names) for p in check_notebook(path)]


def main(names: list[str], *, check: bool = False) -> int:
    """`python -m devtools badges [--check] [names]`: rewrite (or only list) what disagrees with project.py."""
    from .notebooks import notebook_paths

    paths = notebook_paths(names)
    if not paths:
        print(f"No notebook matches {', '.join(names)}: give part of a notebook's file name, or nothing for all.")
        return 1
    changed = 0
    for path in paths:
        found = check_notebook(path, fix=not check)
        for line in found:
            print(("differs: " if check else "rewrote: ") + line)
        changed += bool(found)
    if check:
        print(f"{changed} notebook(s) disagree with devtools/project.py" if changed else "All notebooks agree.")
        return 1 if changed else 0
    if changed:
        print(f"Rewrote {changed} notebook(s). Their stored outputs are unchanged: the setup cell prints nothing.")
    else:
        print("All notebooks already agree with devtools/project.py.")
    return 0
