"""`devtools/site.py`, the rendered site (`python -m devtools site`): its pages' links, the notebooks' copies (badges
out, attachments as files, outputs kept), and the check that nothing comes from another host; then, on a built site
(SITE=dist/site; CI: REQUIRE=site), every page in headless Debian chromium: nothing fetched from outside 127.0.0.1,
the diagrams load, the saved outputs are there, and "Try it in your browser" opens the notebook in the JupyterLite
site (LITE_SITE=dist/lite, served beside it as the default ../lite/ expects); light and dark screenshots are written
to SITE_SCREENSHOTS if set.
    SITE=dist/site LITE_SITE=dist/lite REQUIRE=site python -m pytest tests/test_site.py -n 0
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import cjk_fonts
from lite_support import browser, serve
from support import missing

from devtools import __main__ as cli
from devtools import project, site

ROOT = Path(__file__).resolve().parent.parent
PAGES = site.notebooks()
CHINESE = site.notebooks("zh-CN")
ATTACHED = {  # page -> its attachments' names, as the stored notebooks hold them
    nb: [n for c in json.loads((ROOT / nb).read_text())["cells"] for n in (c.get("attachments") or {})]
    for nb in PAGES + CHINESE
}
LANGUAGE_OF = {**dict.fromkeys(PAGES, "en"), **dict.fromkeys(CHINESE, "zh-CN")}
BADGES = ("https://colab.research.google.com/assets/colab-badge.svg", "https://mybinder.org/badge_logo.svg")


def test_pages_are_the_six_notebooks_in_order_then_the_solutions() -> None:
    assert PAGES[:6] == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("0*.ipynb"))
    assert [p.split("/")[-1][:2] for p in PAGES[:6]] == ["01", "02", "03", "04", "05", "06"]
    assert PAGES[6:] and all(p.startswith("notebooks/solutions/") for p in PAGES[6:])
    assert sum(bool(names) for names in ATTACHED.values()) >= 4  # the diagrams this site must draw


def test_the_chinese_site_has_the_translated_notebooks_in_order_in_its_own_words() -> None:
    assert CHINESE[:2] == ["notebooks/zh-CN/01_quick_start.ipynb", "notebooks/zh-CN/02_streaming.ipynb"]
    assert all(p.startswith("notebooks/zh-CN/") for p in CHINESE)
    index = site.index_page(CHINESE, "zh-CN")
    assert index.startswith("# 通过 Anthropic SDK 使用 MiniMax 模型") and ":caption: 笔记本" in index
    assert 'href="../index.html"' in index and 'href="zh-CN/index.html"' in site.index_page(PAGES)
    links = site.launch_links(CHINESE[0], "../../lite/", "zh-CN")
    assert "在浏览器中试一试" in links and "暂无" in links and "Try it" not in links
    assert site.lite_link(CHINESE[0], "../../lite/") == "../../../../lite/lab/index.html?path=" + CHINESE[0]


def test_the_lite_link_is_relative_to_the_page_or_absolute() -> None:
    assert site.lite_link("notebooks/01_quick_start.ipynb") == (
        "../../lite/lab/index.html?path=notebooks/01_quick_start.ipynb"
    )
    assert site.lite_link("notebooks/solutions/x.ipynb") == (
        "../../../lite/lab/index.html?path=notebooks/solutions/x.ipynb"
    )
    assert site.lite_link("notebooks/solutions/x.ipynb", "lite") == (  # the lite site copied under the site
        "../../lite/lab/index.html?path=notebooks/solutions/x.ipynb"
    )
    assert site.lite_link("notebooks/a.ipynb", "https://h.example/lite") == (
        "https://h.example/lite/lab/index.html?path=notebooks/a.ipynb"
    )
    assert site.lite_link("notebooks/a.ipynb", "/lite/").startswith("/lite/lab/")


def test_unpublished_pages_say_so_instead_of_linking_a_placeholder() -> None:
    assert not project.published()  # while this holds, no page may link to the placeholder
    links = site.launch_links("notebooks/01_quick_start.ipynb", "../lite/")
    assert "Try it in your browser" in links and "no published address" in links
    assert project.PLACEHOLDER not in links and ".invalid" not in links
    assert "colab.research" not in links and "mybinder" not in links


def test_published_pages_link_colab_and_binder_from_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project, "REPOSITORY", "owner/collection")
    monkeypatch.setattr(project, "COMMIT", "0" * 40)
    links = site.launch_links("notebooks/02_streaming.ipynb", "../lite/")
    assert project.colab_url("notebooks/02_streaming.ipynb") in links
    assert project.binder_url("notebooks/02_streaming.ipynb") in links
    assert "no published address" not in links and "owner/collection" in site.index_page(PAGES)


@pytest.mark.parametrize("notebook", PAGES + CHINESE)
def test_the_copy_has_launch_links_attachments_as_files_and_the_saved_outputs(notebook: str, tmp_path: Path) -> None:
    stored = (ROOT / notebook).read_bytes()
    copy = site.page_notebook(notebook, tmp_path, "../lite/", LANGUAGE_OF[notebook])
    assert (ROOT / notebook).read_bytes() == stored  # the stored notebook is never edited
    original = json.loads(stored)
    markdown = [c["source"] for c in copy["cells"] if c["cell_type"] == "markdown"]
    assert markdown[0].splitlines()[0] == "".join(original["cells"][0]["source"]).splitlines()[0]  # the title
    assert 'class="nb-try"' in markdown[0] and not any(b in markdown[0] for b in BADGES)
    assert not any("attachment:" in m or "example.invalid" in m for m in markdown)
    for name in ATTACHED[notebook]:
        file = tmp_path / "notebooks" / Path(notebook).parent.relative_to("notebooks") / "_attachments"
        file = file / Path(notebook).stem / name
        assert file.read_bytes() == (ROOT / "docs" / "img" / name).read_bytes()
        assert any(f"(_attachments/{Path(notebook).stem}/{name})" in m for m in markdown)
    outputs = [[o for o in c.get("outputs", [])] for c in original["cells"]]
    assert [c.get("outputs", []) for c in copy["cells"]] == outputs
    assert json.loads((tmp_path / notebook).read_text())["cells"] == copy["cells"]


def test_links_to_repository_files_that_are_not_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "See [the guide](../docs/sources.md#prices), [02](02_streaming.ipynb), [code](../helpers/show.py#L3), "
    text += "[`helpers/tools.py`](../helpers/tools.py), [web](https://example.org/x), ![d](_attachments/a/d.png)."
    out = site.repository_links(text, "notebooks/01_quick_start.ipynb")
    assert out == (
        "See [the guide](../docs/sources.md#prices), [02](02_streaming.ipynb), code (`helpers/show.py` in the "
        "repository), `helpers/tools.py`, [web](https://example.org/x), ![d](_attachments/a/d.png)."
    )
    monkeypatch.setattr(project, "REPOSITORY", "owner/collection")
    monkeypatch.setattr(project, "COMMIT", "a" * 40)
    out = site.repository_links("[code](../../helpers/show.py#L3)", "notebooks/solutions/x.ipynb")
    assert out == f"[code](https://github.com/owner/collection/blob/{'a' * 40}/helpers/show.py#L3)"


def test_offsite_finds_scripts_styles_fonts_and_images_from_another_host(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<script src="_static/a.js"></script><script src="https://cdn.example/r.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/f.css"><img src="_images/x.png">'
        '<a href="https://elsewhere.example/">a link is not a fetch</a>'
        '<style>@import "https://fonts.example/g.css"; p { background: url(data:image/png;base64,AA==) }</style>'
    )
    (tmp_path / "b.css").write_text("@font-face { src: url('https://fonts.example/x.woff2') } a { b: url(c.svg) }")
    assert site.offsite(tmp_path) == [
        "a.html: https://cdn.example/r.js",
        "a.html: //fonts.example/f.css",
        "a.html: https://fonts.example/g.css",
        "b.css: https://fonts.example/x.woff2",
    ]


def test_without_the_build_tools_the_command_says_how_to_get_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(site, "TOOLS", ("no_such_build_tool",))
    assert cli.main(["site", "--out", "dist/never-built"]) == 1
    error = capsys.readouterr().err
    assert "no_such_build_tool" in error and "devtools/site_requirements.txt" in error
    assert not (ROOT / "dist/never-built").exists()


# --- the built site in a browser ------------------------------------------------------------------------------------


def _built_site() -> Path:
    if not os.environ.get("SITE"):
        missing("site", "no built site: SITE=dist/site after python -m devtools site (its own CI step)")
    folder = Path(os.environ["SITE"]).resolve()
    if not (folder / "index.html").is_file():
        pytest.fail(f"SITE={folder} holds no index.html: build it with python -m devtools site --out {folder}")
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, bool]]:
    """(one headless chromium, the URL of the built site, whether the lite site is served beside it at ../lite/)."""
    built = _built_site()
    if not Path("/usr/bin/chromium").exists():
        missing("site", "Debian's chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("site", "playwright is not installed (pip install playwright)")
    root = tmp_path_factory.mktemp("served")
    (root / "site").symlink_to(built)
    lite = Path(os.environ.get("LITE_SITE") or built.parent / "lite").resolve()
    if (lite / "lab" / "index.html").is_file():
        (root / "lite").symlink_to(lite)
    with serve(root) as url, sync_playwright() as playwright:
        chromium = browser(playwright)
        yield chromium, f"{url}/site", (root / "lite").exists()
        chromium.close()


def _saved_texts(notebook: str) -> list[str]:
    """The first line of every saved printed output (stream, or a result that has only plain text)."""
    found = []
    for cell in json.loads((ROOT / notebook).read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") if output.get("output_type") == "stream" else None
            if text is None and set(output.get("data", {})) == {"text/plain"}:  # else the HTML or image is shown
                text = output["data"]["text/plain"]
            lines = [line.strip() for line in "".join(text or []).splitlines() if line.strip()]
            found += lines[:1]
    return found


HTML_PAGES = ["index.html", *[p.removesuffix(".ipynb") + ".html" for p in PAGES], "docs/sources.html"]
HTML_PAGES += ["zh-CN/index.html", *[f"zh-CN/{p.removesuffix('.ipynb')}.html" for p in CHINESE]]
HTML_PAGES += ["zh-CN/docs/teaching.zh-CN.html"]


@pytest.mark.slow
@pytest.mark.parametrize("page_path", HTML_PAGES)
def test_every_page_loads_from_the_site_alone_with_its_diagrams_and_outputs(
    served: tuple[Any, str, bool], page_path: str
) -> None:
    chromium, url, _ = served
    page = chromium.new_page()
    origin = url.rsplit("/", 1)[0]
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((origin, "data:", "blob:")) else None)
    try:
        assert page.goto(f"{url}/{page_path}").status == 200
        page.wait_for_load_state("load")
        images = page.evaluate("() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
        text = page.inner_text("article")
    finally:
        page.close()
    assert foreign == [], f"{page_path} fetched from outside the site: {foreign}"
    assert all(width > 0 for _, width in images), f"images that did not load: {images}"
    notebook = page_path.removeprefix("zh-CN/").removesuffix(".html") + ".ipynb"
    for name in ATTACHED.get(notebook, []):
        assert any(src.endswith("/" + name) for src, _ in images), f"{name} is not drawn on {page_path}"
    if notebook in ATTACHED:
        saved = _saved_texts(notebook)
        absent = [line for line in saved if line not in text]
        assert saved and not absent, f"saved outputs missing from {page_path}: {absent[:5]}"
        assert site.WORDS[LANGUAGE_OF[notebook]]["try"] in text


@pytest.mark.slow
def test_try_in_your_browser_opens_the_notebook_in_the_lite_site(served: tuple[Any, str, bool]) -> None:
    chromium, url, lite = served
    if not lite:
        missing("site", "no JupyterLite site beside the built one: LITE_SITE=dist/lite after python -m devtools lite")
    page = chromium.new_page()
    origin = url.rsplit("/", 1)[0]
    try:
        for notebook in PAGES + CHINESE:
            page.goto(f"{url}/{'zh-CN/' if notebook in CHINESE else ''}{notebook.removesuffix('.ipynb')}.html")
            href = page.get_attribute("a.nb-try", "href") or ""
            target = page.evaluate("() => document.querySelector('a.nb-try').href")
            assert target == f"{origin}/lite/lab/index.html?path={notebook}", href
            assert page.request.get(f"{origin}/lite/files/{notebook}").ok, f"the lite site lacks {notebook}"
        page.click("a.nb-try")  # the last page's link, as a reader follows it
        page.wait_for_function(
            "(path) => window.jupyterapp?.shell.currentWidget?.context?.path === path",
            arg=(PAGES + CHINESE)[-1],
            timeout=120_000,
        )
    finally:
        page.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page_path", "diagram"),
    [
        ("notebooks/01_quick_start.html", "diagram_request_response.png"),
        ("zh-CN/notebooks/zh-CN/01_quick_start.html", "diagram_request_response.zh-CN.png"),
    ],
)
def test_light_and_dark_pages_differ_and_are_screenshotted(
    served: tuple[Any, str, bool], tmp_path: Path, page_path: str, diagram: str
) -> None:
    """Both themes, in both languages; the Chinese page's text is drawn in a CJK font (no tofu) and wraps."""
    chromium, url, _ = served
    folder = Path(os.environ.get("SITE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    backgrounds = {}
    for scheme in ("light", "dark"):
        page = chromium.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{url}/{page_path}")
            page.locator(f"img[src$='{diagram}']").scroll_into_view_if_needed()
            page.wait_for_load_state("load")
            backgrounds[scheme] = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            shot = folder / f"site_{page_path.split('/')[0]}_{scheme}.png"
            page.screenshot(path=str(shot))
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            if page_path.startswith("zh-CN/"):
                fonts = cjk_fonts(page, "article", sample=30)
                assert fonts["marked"] > 30 and not fonts["without_cjk_font"] and not fonts["overflow"], fonts
        finally:
            page.close()
    assert backgrounds["light"] != backgrounds["dark"], backgrounds
