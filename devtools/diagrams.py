"""The notebooks' diagrams, drawn with matplotlib from this file: `python -m devtools diagrams`.

Each diagram is a function below that places boxes and arrows; the command renders them to docs/img/diagram_*.png
(transparent, so they sit on JupyterLab's, Colab's and GitHub's light and dark backgrounds alike: all text is dark
ink on a pale fill, every line a mid grey that reads on both), records the sha256 of this file and of each image in
docs/img/diagrams.json, and refreshes the notebooks' cell attachments (`devtools badges`), so Colab and GitHub,
which open a notebook alone, show them. tests/test_diagrams.py checks that the stored images come from this source.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
MANIFEST = IMAGES / "diagrams.json"

INK = "#1f2328"
"""Every piece of text: dark ink, always on one of the pale fills below."""
LINE = "#8c959f"
"""Arrows and outlines: at least 3:1 against white and against JupyterLab's dark background (WCAG non-text)."""
FILL = {
    "request": "#eaeef2",
    "user": "#ddf4ff",
    "assistant": "#fff8c5",
    "thinking": "#fbefff",
    "tool": "#dafbe1",
    "note": "#f6f8fa",
    "cache": "#ffebe9",
}
BACKGROUNDS = {"light": "#ffffff", "dark": "#111111"}
"""The two page colours the palette is checked against (JupyterLab's light and dark `--jp-layout-color0`)."""
DPI = 90


def _box(ax: Any, x: float, y: float, w: float, h: float, text: str, kind: str, **style: Any) -> None:
    """A rounded box of one fill with dark text centred (or left-aligned with `ha="left"`)."""
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch(
        (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=FILL[kind], edgecolor=LINE, lw=1.2
    )
    ax.add_patch(patch)
    ha = style.pop("ha", "center")
    tx = x + 0.12 if ha == "left" else x + w / 2
    family = style.pop("family", "DejaVu Sans")
    ax.text(tx, y + h / 2, text, ha=ha, va="center", color=INK, fontsize=style.pop("size", 10), family=family, **style)


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float], **style: Any) -> None:
    """A grey arrow from `start` to `end` (curved with `rad`)."""
    from matplotlib.patches import FancyArrowPatch

    rad = style.pop("rad", 0.0)
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=14, color=LINE, lw=1.6, connectionstyle=f"arc3,rad={rad}"
        )
    )


def _label(ax: Any, x: float, y: float, text: str, **style: Any) -> None:
    """A short caption on a pale pill, so it reads on any page colour."""
    bbox = {"boxstyle": "round,pad=0.25", "facecolor": FILL["note"], "edgecolor": LINE, "lw": 0.8}
    ax.text(x, y, text, ha=style.pop("ha", "center"), va="center", color=INK, fontsize=9, bbox=bbox, **style)


def request_response(ax: Any) -> None:
    """01: what `client.messages.create` sends and what comes back."""
    mono = {"family": "DejaVu Sans Mono", "ha": "left", "size": 9}
    _box(ax, 0.2, 3.4, 3.1, 0.5, "Your request:\nclient.messages.create(...)", "request", weight="bold", size=9.5)
    request = "\n".join(
        [
            'model="MiniMax-M2.1"',
            "max_tokens=1000",
            'system="..."  (optional)',
            "messages=[",
            '  {"role": "user",',
            '   "content": "..."}]',
        ]
    )
    _box(ax, 0.2, 1.35, 3.1, 1.85, request, "user", **mono)
    _arrow(ax, (3.45, 2.45), (5.55, 2.45))
    _label(ax, 4.5, 2.85, "POST\n<base URL>/v1/messages")
    _arrow(ax, (5.55, 1.75), (3.45, 1.75))
    _label(ax, 4.5, 1.3, "JSON back: the SDK\nbuilds a Message")
    _box(ax, 5.7, 3.4, 4.1, 0.5, "The answer: a Message", "assistant", weight="bold")
    _box(ax, 5.7, 2.75, 4.1, 0.5, 'id, model, role="assistant"', "note", **mono)
    _box(ax, 5.7, 1.35, 1.95, 1.2, "content[0]\nthinking block\n.thinking\n.signature", "thinking", size=9)
    _box(ax, 7.85, 1.35, 1.95, 1.2, "content[1]\ntext block\n.text\n(what you show)", "assistant", size=9)
    _box(
        ax,
        5.7,
        0.55,
        4.1,
        0.6,
        'stop_reason: "end_turn" | "max_tokens" | "tool_use"\nusage: input_tokens, output_tokens',
        "note",
        size=8.5,
    )
    _label(ax, 1.75, 0.75, "M2.x models always think first:\nthinking comes before the text")


def tool_turn(ax: Any) -> None:
    """03: one tool turn as the history holds it, and which request sends what."""
    mono = {"family": "DejaVu Sans Mono", "ha": "left", "size": 9}
    rows = [
        ("messages[0]  user", '"What\'s the weather in Paris right now?"', "user"),
        (
            "messages[1]  assistant",
            'thinking (text + signature)   tool_use(id="call_..._1",\n'
            '                              name="get_weather", input={"city": "Paris"})',
            "assistant",
        ),
        ("messages[2]  user", 'tool_result(tool_use_id="call_..._1", content="Paris: 14 °C, light rain")', "tool"),
        ("reply        assistant", 'thinking   text "It is 14 °C and raining lightly in Paris..."', "assistant"),
    ]
    for i, (who, body, kind) in enumerate(rows):
        y = 3.3 - i * 0.95
        _box(ax, 0.2, y, 1.9, 0.7, who.split("  ")[0] + "\n" + who.split()[-1], "note", size=9)
        _box(ax, 2.3, y, 6.2, 0.7, body, kind, **mono)
    _arrow(ax, (8.6, 2.55), (8.6, 1.65), rad=-0.6)
    _label(ax, 9.05, 2.1, "same id", ha="left")
    _label(ax, 9.05, 3.0, "request 1 sends [0]\nanswer: [1], with\nstop_reason tool_use", ha="left")
    _label(ax, 9.05, 1.2, "your code runs\nget_weather, then\nrequest 2 sends [0]-[2]", ha="left")
    _label(ax, 9.05, 0.45, "answer: the reply,\nstop_reason end_turn", ha="left")
    ax.plot([0.2, 8.5], [1.27, 1.27], color=LINE, lw=1.2, ls="--")


def interleaved(ax: Any) -> None:
    """04: one task, the model thinking again after every tool result; all of it stays in the history."""
    _box(ax, 0.1, 2.9, 1.3, 0.5, "model", "note", weight="bold")
    _box(ax, 0.1, 1.1, 1.3, 0.5, "your code", "note", weight="bold")
    steps = [
        ("think: plan", "thinking"),
        ("4 x search_trains", "assistant"),
        ("think: Prague,\n84.80 EUR", "thinking"),
        ("get_forecast", "assistant"),
        ("think: per night\n(250-84.80)/2", "thinking"),
        ("find_hotels", "assistant"),
        ("think: total", "thinking"),
        ("text: the answer", "assistant"),
    ]
    x = 1.6
    for i, (text, kind) in enumerate(steps):
        _box(ax, x, 2.8, 1.0, 0.7, text, kind, size=8)
        if i % 2 == 1 and i < 7:
            _box(ax, x + 0.55, 1.0, 1.0, 0.7, "run tool,\ntool_result", "tool", size=8)
            _arrow(ax, (x + 0.6, 2.75), (x + 0.8, 1.75))
            _arrow(ax, (x + 1.4, 1.75), (x + 1.6, 2.75))
        elif i < 7:
            _arrow(ax, (x + 1.03, 3.15), (x + 1.17, 3.15))
        x += 1.05
    ax.plot([1.6, 10.0], [0.7, 0.7], color=LINE, lw=1.2, ls="--")
    _label(
        ax,
        5.8,
        0.35,
        "each request sends the whole history back: every thinking block, tool call and result, unchanged",
    )
    _label(
        ax, 5.8, 4.0, "one task, four model calls: the model thinks again after each tool result (interleaved thinking)"
    )


def cache_prefix(ax: Any) -> None:
    """04: where a cache prefix ends: tools, system and earlier turns up to the `cache_control` marker."""
    parts = [
        (0.2, 1.3, "tools", "request"),
        (1.5, 1.3, "system", "request"),
        (2.8, 4.1, "earlier turns: user, assistant (thinking,\ntool calls), tool results, ...", "assistant"),
        (7.3, 2.5, "the new user message\n(or tool results)", "user"),
    ]
    for x, w, text, kind in parts:
        _box(ax, x, 1.8, w - 0.08, 0.9, text, kind, size=9)
    ax.plot([7.22, 7.22], [1.45, 3.4], color=LINE, lw=2.5)
    _label(ax, 7.22, 3.55, 'cache_control: {"type": "ephemeral"} on the last block before here')
    _arrow(ax, (0.2, 3.05), (7.15, 3.05))
    _label(ax, 3.7, 3.05, "the prefix, in this order: tools, system, messages")
    _box(
        ax,
        0.2,
        0.55,
        6.95,
        0.8,
        "1st call: written to the cache (usage.cache_creation_input_tokens)\n"
        "next calls, same prefix: read from it (usage.cache_read_input_tokens, cheaper)",
        "cache",
        size=9,
    )
    _box(ax, 7.3, 0.55, 2.45, 0.8, "after the marker:\nusage.input_tokens", "note", size=9)
    _label(
        ax, 5.0, 0.15, "a change anywhere before the marker (a tool, the system prompt, an old turn) misses the cache"
    )


DIAGRAMS: dict[str, tuple[Callable[[Any], None], tuple[float, float], str]] = {
    "diagram_request_response.png": (request_response, (10.0, 4.1), "01_quick_start"),
    "diagram_tool_turn.png": (tool_turn, (10.6, 4.2), "03_tool_use"),
    "diagram_interleaved.png": (interleaved, (10.3, 4.3), "04_interleaved_thinking"),
    "diagram_cache_prefix.png": (cache_prefix, (10.0, 3.9), "04_interleaved_thinking"),
}
"""Each image: the function that draws it, its size in inches (1 unit = 1 inch), the notebook that shows it."""


def render(name: str) -> bytes:
    """One diagram as PNG bytes: transparent background, no timestamp or version in the file (reproducible)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    draw, (width, height), _notebook = DIAGRAMS[name]
    figure = Figure(figsize=(width, height), dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    draw(ax)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", transparent=True, metadata={"Software": None})
    return buffer.getvalue()


def source_sha256() -> str:
    """The sha256 of this file: the images recorded in the manifest were drawn from exactly this source."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def manifest() -> dict[str, Any]:
    """What docs/img/diagrams.json records: this source's hash, the matplotlib that drew, each image's hash."""
    import matplotlib

    images = {name: hashlib.sha256((IMAGES / name).read_bytes()).hexdigest() for name in DIAGRAMS}
    return {"source_sha256": source_sha256(), "matplotlib": matplotlib.__version__, "images": images}


def main() -> int:
    """`python -m devtools diagrams`: draw every diagram into docs/img, record the manifest, refresh attachments."""
    from .badges import check_notebook
    from .notebooks import notebook_paths

    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in DIAGRAMS:
        (IMAGES / name).write_bytes(render(name))
        print(f"drew docs/img/{name}")
    MANIFEST.write_text(json.dumps(manifest(), indent=1) + "\n", encoding="utf-8")
    for path in notebook_paths():
        for line in check_notebook(path, fix=True):
            print("refreshed:", line)
    return 0
