"""The notebooks' diagrams come from devtools/diagrams.py, read in light and dark themes, and are attached (with
alt text) to the notebooks that teach them. `python -m devtools diagrams` fixes the first and last."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import nbformat
import pytest
from support import missing

from devtools import diagrams

ROOT = Path(__file__).resolve().parent.parent
STORED = json.loads(diagrams.MANIFEST.read_text(encoding="utf-8"))
FIX = "run `python -m devtools diagrams`"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def cjk_fonts() -> None:
    """Skip where the Chinese diagrams cannot be drawn (no CJK font); CI installs one and requires it (REQUIRE=cjk)."""
    from matplotlib import font_manager

    try:
        font_manager.findfont(diagrams.CJK_FONTS["DejaVu Sans"], fallback_to_default=False)
    except ValueError:
        missing("cjk", "no Noto Sans CJK SC: apt-get install fonts-noto-cjk, then delete ~/.cache/matplotlib")


def test_the_stored_images_were_drawn_from_this_source() -> None:
    assert STORED["source_sha256"] == diagrams.source_sha256(), f"devtools/diagrams.py changed since: {FIX}"
    assert set(STORED["images"]) == set(diagrams.images()), FIX
    for name, digest in STORED["images"].items():
        assert hashlib.sha256((diagrams.IMAGES / name).read_bytes()).hexdigest() == digest, f"{name} edited: {FIX}"


def test_rebuilt_images_equal_the_stored_ones(cjk_fonts: None) -> None:
    import matplotlib

    if matplotlib.__version__ != STORED["matplotlib"]:
        pytest.skip(f"drawn with matplotlib {STORED['matplotlib']}; this is {matplotlib.__version__} (pixels differ)")
    for file, (name, language) in diagrams.images().items():
        assert diagrams.render(name, language) == (diagrams.IMAGES / file).read_bytes(), f"{file}: {FIX}"


def test_every_word_of_a_chinese_diagram_is_chinese_or_code(cjk_fonts: None) -> None:
    """Drawing the Chinese diagrams uses every translation, and what stays English is the listed code and fields,
    so a label added in English later fails here instead of appearing untranslated in a Chinese notebook."""
    diagrams.untranslated.clear()
    for name in diagrams.DIAGRAMS:
        diagrams.render(name, "zh-CN")
    assert diagrams.untranslated == diagrams.KEPT


def test_a_missing_cjk_font_stops_the_drawing_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(diagrams.CJK_FONTS, "DejaVu Sans", "DejaVu Sans")
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        diagrams.render("diagram_cache_prefix.png", "zh-CN")


def test_the_palette_reads_on_light_and_dark_pages() -> None:
    """Text is always dark ink on a pale fill (WCAG AA, 4.5:1); lines stand out from both pages (3:1)."""
    for kind, fill in diagrams.FILL.items():
        assert _contrast(diagrams.INK, fill) >= 4.5, f"text on the {kind} fill"
    for theme, page in diagrams.BACKGROUNDS.items():
        assert _contrast(diagrams.LINE, page) >= 3, f"lines on the {theme} page"


@pytest.mark.parametrize("name", list(diagrams.images()))
def test_the_background_is_transparent_and_only_the_palette_is_drawn(name: str) -> None:
    """A transparent page (so the theme's colour shows through) and no text or line drawn straight onto it in a
    colour the palette did not check (e.g. black, which vanishes on a dark page)."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO((diagrams.IMAGES / name).read_bytes())).convert("RGBA"))
    alpha = pixels[..., 3]
    assert (alpha[[0, 0, -1, -1], [0, -1, 0, -1]] == 0).all(), "the background must be transparent"
    drawn = alpha > 0
    assert drawn.mean() > 0.2, "the diagram draws its boxes (pale fills under all text)"
    dark = (alpha > 200) & (pixels[..., :3].max(axis=2) < 60)
    assert dark.sum() < drawn.sum() * 0.1, "dark ink is only text, on fills"
    for y, x in zip(*np.nonzero(dark)[:2], strict=True):
        assert pixels[max(y - 2, 0) : y + 3, max(x - 2, 0) : x + 3, 3].min() > 0, f"dark ink on the page at {x},{y}"


@pytest.mark.parametrize("name", list(diagrams.images()))
def test_each_diagram_is_attached_with_alt_text_in_its_notebook(name: str) -> None:
    """English notebooks show the English image, their Chinese twins (once written) the Chinese one."""
    diagram, language = diagrams.images()[name]
    folder = ROOT / "notebooks" / ("" if language == "en" else language)
    path = folder / f"{diagrams.DIAGRAMS[diagram][2]}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is not written yet (tests/test_translations.py marks it)")
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "markdown" and f"(attachment:{name})" in c.source]
    assert len(cells) == 1, f"{path.name} shows {name} once, in its own markdown cell"
    (alt,) = re.findall(r"!\[([^\]]*)\]\(attachment:" + re.escape(name) + r"\)", cells[0].source)
    assert len(alt) > (150 if language == "en" else 60), "alt text describes the diagram for a screen reader"
    stored = base64.b64decode(cells[0].attachments[name]["image/png"])
    assert stored == (diagrams.IMAGES / name).read_bytes(), f"the attachment is stale: {FIX}"


def test_the_teachers_zip_carries_the_diagrams_only_inside_the_notebooks() -> None:
    """The zip stays small: a learner sees each diagram as its notebook's attachment, so docs/img's copy stays out."""
    from devtools import bundle

    chosen, _skipped = bundle.members(ROOT)
    names = {path.as_posix() for path in chosen}
    assert "notebooks/01_quick_start.ipynb" in names
    assert not any(name.startswith("docs/img/diagram") for name in names)
