"""`python -m devtools site`: the collection as a rendered static site (Sphinx, myst-nb, the Furo theme).

Each notebook is one page showing its saved outputs (nothing is executed: `nb_execution_mode = "off"`), with a
"Try it in your browser" link into the JupyterLite site (`python -m devtools lite`) and the Colab and Binder links of
devtools/project.py (an honest note instead while the collection has no published address). The notebooks are
copied, never edited: in the copy the badges (images from Colab's and Binder's hosts) give way to those links, and
cell attachments (the diagrams; myst-nb does not read `attachment:` images) become image files Sphinx copies into
the site. After the build every page is checked: no script, style sheet, font or image comes from another host.
The Simplified Chinese notebooks (notebooks/zh-CN) make a second site under `zh-CN/` (Sphinx in Chinese, the words
of `WORDS`), and each index links to the other. The build tools are pinned in devtools/site_requirements.txt; run
this with a Python that has them.
"""

from __future__ import annotations

import base64
import html
import html.parser
import importlib.util
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath
from typing import Any

from . import badges, project
from .notebooks import TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = Path(__file__).resolve().parent / "site_requirements.txt"
TITLE = "MiniMax models through the Anthropic SDK"
DEFAULT_LITE_URL = "../lite/"
"""Where the JupyterLite site is, relative to the rendered site's root: dist/site and dist/lite side by side."""
DOCS = {"en": ("docs/teaching.md", "docs/sources.md"), "zh-CN": ("docs/teaching.zh-CN.md", "docs/sources.md")}
"""Pages of their own too: the notebooks link to them (for teachers, and where each fact comes from)."""
LANGUAGES = {"en": "", **{folder: folder for folder in TRANSLATIONS}}
"""Each site's language and its folder under the site's root (a translation's, as under notebooks/)."""
WORDS = {
    "en": {
        "title": TITLE,
        "try": "Try it in your browser",
        "colab": "Open in Colab",
        "binder": "Launch Binder",
        "unpublished": "Colab and Binder: not yet, this collection has no published address",
        "intro": "Every notebook of the collection as it was last run, with its saved outputs (replayed recordings: "
        "nothing runs on this site). Each page's **Try it in your browser** opens the notebook in the browser "
        "edition (JupyterLite), where it runs keyless.",
        "later": "Colab and Binder links appear once the collection is published.",
        "published": "Each page also opens the notebook in Colab or Binder, from {url}.",
        "notebooks": "Notebooks",
        "solutions": "Solutions",
        "about": "About the collection",
        "other": '<p class="nb-language"><a href="zh-CN/index.html" hreflang="zh-CN">简体中文版</a></p>',
        "sphinx": "en",
    },
    "zh-CN": {
        "title": "通过 Anthropic SDK 使用 MiniMax 模型",
        "try": "在浏览器中试一试",
        "colab": "在 Colab 中打开",
        "binder": "在 Binder 中打开",
        "unpublished": "Colab 和 Binder：暂无，本合集还没有公开发布的地址",
        "intro": "本合集每个笔记本最后一次运行的样子，带着保存的输出（回放的录制：本站不运行任何东西）。"
        "每页的 **在浏览器中试一试** 会在浏览器版（JupyterLite）中打开该笔记本，无需密钥即可运行。",
        "later": "本合集公开发布后，会出现 Colab 和 Binder 的链接。",
        "published": "每页也可以在 Colab 或 Binder 中打开笔记本，来自 {url}。",
        "notebooks": "笔记本",
        "solutions": "参考答案",
        "about": "关于本合集",
        "other": '<p class="nb-language"><a href="../index.html" hreflang="en">English edition</a></p>',
        "sphinx": "zh_CN",
    },
}
"""What each site says in its own words (the notebooks' own text comes from the notebooks)."""
TOOLS = ("sphinx", "myst_nb", "furo")
_OFFSITE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
_CSS_URLS = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)|url\(\s*["']?([^"')\s]+)""", re.IGNORECASE)

CONF = '''"""Written by devtools/site.py (the rendered site): saved outputs only, nothing from a CDN."""

project = {title!r}
language = {language!r}
extensions = ["myst_nb"]
nb_execution_mode = "off"  # the pages show the outputs saved by `python -m devtools regenerate`
nb_ipywidgets_js = {{}}  # no require.js or widget manager from a CDN (the saved notebooks hold no widget state)
html_theme = "furo"  # its own fonts-free CSS and JavaScript, light and dark
html_title = project
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_copy_source = False
html_show_copyright = False
html_show_sourcelink = False
exclude_patterns = ["_doctrees"]
myst_heading_anchors = 3  # the notebooks link to sections of docs/sources.md and docs/teaching.md
'''

CSS = """/* The launch links of each page (devtools/site.py), in the theme's own colours, light and dark. */
.nb-launch a, .nb-launch span { display: inline-block; margin: 0.2em 0.5em 0.2em 0; padding: 0.25em 0.8em;
  border: 1px solid var(--color-brand-primary); border-radius: 0.4em; text-decoration: none; }
.nb-launch a.nb-try { background: var(--color-brand-primary); color: var(--color-background-primary); }
.nb-launch span.nb-unpublished { border-style: dashed; border-color: var(--color-foreground-border);
  color: var(--color-foreground-secondary); }
.cell_output table.dataframe { border-collapse: collapse; border: none; }
.cell_output table.dataframe th, .cell_output table.dataframe td { border: 1px solid var(--color-table-border);
  padding: 0.2em 0.6em; }
"""


class SiteError(Exception):
    """A build step that cannot go on, with what to do."""


def notebooks(language: str = "en") -> list[str]:
    """The pages' notebooks in `language`, in reading order: the numbered notebooks, then the solutions (repository
    paths)."""
    folder = ROOT / "notebooks" / LANGUAGES[language]
    found = sorted(folder.glob("0*.ipynb")) + sorted((folder / "solutions").glob("*.ipynb"))
    return [p.relative_to(ROOT).as_posix() for p in found]


def _relative(url: str) -> bool:
    """True for a URL taken from the site's root (not another host's, not an absolute path)."""
    return not (_OFFSITE.match(url) or url.startswith("/"))


def lite_link(notebook: str, lite_url: str = DEFAULT_LITE_URL) -> str:
    """The link, from `notebook`'s page, to that notebook in the JupyterLite site (which holds the notebooks at the
    same paths and opens one by `lab/index.html?path=`). A relative `lite_url` is taken from the site's root."""
    base = lite_url if lite_url.endswith("/") else lite_url + "/"
    if _relative(base):
        base = "../" * notebook.count("/") + base
    return f"{base}lab/index.html?path={notebook}"


def launch_links(notebook: str, lite_url: str, language: str = "en") -> str:
    """The page's launch links (raw HTML in its first cell): the browser edition, then Colab and Binder from
    project.py, or, while the collection is unpublished, a note saying so instead of a link that cannot resolve."""
    words = WORDS[language]
    links = [f'<a class="nb-try" href="{html.escape(lite_link(notebook, lite_url))}">{words["try"]}</a>']
    if project.published():
        links.append(f'<a class="nb-colab" href="{html.escape(project.colab_url(notebook))}">{words["colab"]}</a>')
        links.append(f'<a class="nb-binder" href="{html.escape(project.binder_url(notebook))}">{words["binder"]}</a>')
    else:
        links.append(f'<span class="nb-unpublished">{words["unpublished"]}</span>')
    return f'<p class="nb-launch">\n{chr(10).join(links)}\n</p>'


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def page_notebook(notebook: str, src: Path, lite_url: str, language: str = "en") -> dict[str, Any]:
    """A copy of `notebook` ready for its page, written under `src` at the same path; its attachments written as
    files beside it. Returns the copy."""
    nb: dict[str, Any] = json.loads((ROOT / notebook).read_text(encoding="utf-8"))
    target = src / notebook
    folder = Path("_attachments") / target.stem
    first = True
    for cell in nb["cells"]:
        source = _text(cell["source"])
        if cell["cell_type"] == "markdown":
            if first:
                source, first = _with_launch_links(source, notebook, lite_url, language), False
            source = repository_links(source, notebook, language)
            for name, data in (cell.pop("attachments", None) or {}).items():
                file = target.parent / folder / name
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(base64.b64decode(next(iter(data.values()))))
                source = source.replace(f"(attachment:{name})", f"({(folder / name).as_posix()})")
        elif cell["cell_type"] == "code" and cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            tags = cell["metadata"].setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")  # folded as in JupyterLab (the setup cell), myst-nb's <details>
        cell["source"] = source
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    return nb


def _with_launch_links(source: str, notebook: str, lite_url: str, language: str = "en") -> str:
    """The title cell with its badges replaced by the launch links, placed right under the title."""
    lines = badges.without_badges(source).splitlines()
    head, rest = (lines[:1], lines[1:]) if lines and lines[0].startswith("#") else ([], lines)
    while rest and not rest[0].strip():
        rest = rest[1:]
    return "\n".join([*head, "", launch_links(notebook, lite_url, language), "", *rest])


def repository_links(markdown: str, page: str, language: str = "en") -> str:
    """`page`'s relative links to files that are not pages of the site (a notebook links to a docs file, a
    helper): to that file in the published repository at COMMIT, or, while unpublished, its path as plain text."""
    pages = set(notebooks(language)) | set(DOCS[language])

    def replace(match: re.Match[str]) -> str:
        text, target = match.groups()
        if _OFFSITE.match(target) or target.startswith(("#", "mailto:", "attachment:", "data:", "/", "_attachments/")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if file in pages:
            return match.group(0)
        if project.published():
            return f"[{text}]({project.repository_url()}/blob/{project.COMMIT}/{file}{'#' + anchor if anchor else ''})"
        return f"`{file}`" if text.strip("`") == file else f"{text} (`{file}` in the repository)"

    return _LINK.sub(replace, markdown)


def index_page(pages: list[str], language: str = "en") -> str:
    """The index: what the site is, a link to the other language's site, then the notebooks in order, the
    solutions and the docs (Sphinx toctrees)."""
    words = WORDS[language]
    numbered = [p.removesuffix(".ipynb") for p in pages if "/solutions/" not in p]
    solutions = [p.removesuffix(".ipynb") for p in pages if "/solutions/" in p]
    docs = [p.removesuffix(".md") for p in DOCS[language]]
    note = words["published"].format(url=project.repository_url()) if project.published() else words["later"]
    tree = [
        ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", "", *entries, "```", ""]
        for caption, entries in (
            (words["notebooks"], numbered),
            (words["solutions"], solutions),
            (words["about"], docs),
        )
    ]
    return "\n".join(
        [
            f"# {words['title']}",
            "",
            f"{words['intro']} {note}",
            "",
            words["other"],
            "",
            *(line for block in tree for line in block),
        ]
    )


def stage(src: Path, lite_url: str, language: str = "en") -> list[str]:
    """The Sphinx source folder of one language: conf.py, the index, each notebook's copy and the site's CSS.
    Returns the pages."""
    shutil.rmtree(src, ignore_errors=True)
    (src / "_static").mkdir(parents=True)
    conf = CONF.format(title=WORDS[language]["title"], language=WORDS[language]["sphinx"])
    (src / "conf.py").write_text(conf, encoding="utf-8")
    (src / "_static" / "site.css").write_text(CSS, encoding="utf-8")
    pages = notebooks(language)
    for notebook in pages:
        page_notebook(notebook, src, lite_url, language)
    for doc in DOCS[language]:
        (src / doc).parent.mkdir(parents=True, exist_ok=True)
        text = repository_links((ROOT / doc).read_text(encoding="utf-8"), doc, language)
        (src / doc).write_text(text, encoding="utf-8")
    (src / "index.md").write_text(index_page(pages, language), encoding="utf-8")
    return pages


class _Fetches(html.parser.HTMLParser):
    """What a page makes the browser fetch: script src, link href, img/source/iframe/embed src, and inline CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = {"script": "src", "link": "href", "img": "src", "source": "src", "iframe": "src", "embed": "src"}
        if tag in key and values.get(key[tag]):
            self.urls.append(str(values[key[tag]]))
        self.urls += css_urls(values.get("style") or "")
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls += css_urls(data)


def css_urls(css: str) -> list[str]:
    """The URLs a style sheet fetches: @import and url(...)."""
    return [a or b for a, b in _CSS_URLS.findall(css)]


def offsite(out: Path) -> list[str]:
    """Every fetch of the built site that points to another host (`file: URL`); empty when it is self-contained."""
    found = []
    for file in sorted(out.rglob("*")):
        if file.suffix == ".html":
            parser = _Fetches()
            parser.feed(file.read_text(encoding="utf-8"))
            urls = parser.urls
        elif file.suffix == ".css":
            urls = css_urls(file.read_text(encoding="utf-8"))
        else:
            continue
        found += [f"{file.relative_to(out).as_posix()}: {url}" for url in urls if _OFFSITE.match(url.strip())]
    return found


def sphinx_python() -> str:
    """This Python, if it has the build tools; otherwise the error says how to get them."""
    absent = [name for name in TOOLS if importlib.util.find_spec(name) is None]
    if absent:
        raise SiteError(
            f"This Python ({sys.executable}) lacks {', '.join(absent)}. Install the pinned build tools into a venv "
            f"of their own and run this command with it: uv venv .ci/venv-site && uv pip install --python "
            f".ci/venv-site/bin/python --require-hashes -r {REQUIREMENTS.relative_to(ROOT)}, then "
            ".ci/venv-site/bin/python -m devtools site"
        )
    return sys.executable


def build(out: Path, lite_url: str = DEFAULT_LITE_URL, src: Path | None = None) -> list[str]:
    """Build the site into `out` (clean) and its Chinese twin into `out`/zh-CN, their Sphinx sources in `src`
    (default: `out` + "-src"); fail if any page fetches from another host. Returns every notebook page."""
    python = sphinx_python()
    src = src or out.with_name(out.name + "-src")
    shutil.rmtree(out, ignore_errors=True)
    pages = []
    for language, folder in LANGUAGES.items():
        # A translation's site sits in its folder under `out`: a relative lite URL starts one level up per part.
        lite = "../" * len(PurePosixPath(folder).parts) + lite_url if _relative(lite_url) else lite_url
        source = src / (folder or "en")
        pages += stage(source, lite, language)
        command = [python, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going"]
        command += ["-d", str(src / "_doctrees" / language), str(source), str(out / folder)]
        print("$", " ".join(command), flush=True)
        if subprocess.run(command).returncode != 0:
            raise SiteError(f"sphinx-build failed for the {language} site (its messages are above).")
    foreign = offsite(out)
    if foreign:
        raise SiteError("The site would fetch from another host:\n  " + "\n  ".join(foreign))
    return pages


def main(out: str, lite_url: str) -> int:
    """`python -m devtools site`: exit 0 with the site built, 1 with what went wrong."""
    start = time.monotonic()
    try:
        pages = build(Path(out).resolve(), lite_url)
    except SiteError as error:
        print(error, file=sys.stderr)
        return 1
    seconds = time.monotonic() - start
    docs = sum(len(d) for d in DOCS.values())
    print(f"Built {out} in {seconds:.1f} s: {len(pages)} notebook pages in English and Chinese (zh-CN/), {docs} docs")
    print(
        f"  and the indexes; nothing in it is fetched from another host. Its Try-in-browser links go to {lite_url}",
        end="",
    )
    if not _relative(lite_url):
        print(".")
        return 0
    lite = Path(os.path.normpath(Path(out) / lite_url))
    both = os.path.commonpath([Path(out), lite])
    print(f" from the site's root: {lite} must hold the JupyterLite site (python -m devtools lite --out {lite});")
    print(f"  serve both from one folder, e.g. python -m http.server -d {both}")
    return 0
