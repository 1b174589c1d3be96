"""The notebooks' diagrams, drawn with matplotlib from this file: `python -m devtools diagrams`.

Each diagram is a function below that places boxes and arrows; the command renders them to docs/img/diagram_*.png
(transparent, so they sit on JupyterLab's, Colab's and GitHub's light and dark backgrounds alike: all text is dark
ink on a pale fill, every line a mid grey that reads on both), records the sha256 of this file and of each image in
docs/img/diagrams.json, and refreshes the notebooks' cell attachments (`devtools badges`), so Colab and GitHub,
which open a notebook alone, show them. tests/test_diagrams.py checks that the stored images come from this source.

Each diagram is drawn once per language: English as `diagram_<name>.png`, Simplified Chinese as
`diagram_<name>.zh-CN.png` (the words from `ZH_CN` below, in Noto Sans CJK SC: Debian's `fonts-noto-cjk`), which the
notebooks under notebooks/zh-CN attach. A glyph missing from the fonts stops the drawing instead of a box of tofu.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .notebooks import TRANSLATIONS

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
LANGUAGES = {"en": "", **{folder: f".{folder}" for folder in TRANSLATIONS}}
"""Each language of the diagrams and the suffix of its image names (English has none)."""
CJK_FONTS = {"DejaVu Sans": "Noto Sans CJK SC", "DejaVu Sans Mono": "Noto Sans Mono CJK SC"}
"""The font each Latin font falls back to for Chinese characters (fonts-noto-cjk)."""

ZH_CN = {
    "Your request:\nclient.messages.create(...)": "你的请求：\nclient.messages.create(...)",
    'system="..."  (optional)': 'system="..."  （可选）',
    "JSON back: the SDK\nbuilds a Message": "返回 JSON：SDK\n据此构造 Message",
    "The answer: a Message": "回答：一个 Message",
    "content[0]\nthinking block\n.thinking\n.signature": "content[0]\n思考块\n.thinking\n.signature",
    "content[1]\ntext block\n.text\n(what you show)": "content[1]\n文本块\n.text\n（展示给用户的）",
    "M2.x models always think first:\nthinking comes before the text": "M2.x 模型总是先思考：\n思考块在文本之前",
    '"What\'s the weather in Paris right now?"': '"巴黎现在天气怎么样？"',
    'tool_result(tool_use_id="call_..._1", content="Paris: 14 °C, light rain")': (
        'tool_result(tool_use_id="call_..._1", content="巴黎：14 °C，小雨")'
    ),
    'thinking   text "It is 14 °C and raining lightly in Paris..."': 'thinking   text "巴黎现在 14 °C，下着小雨……"',
    "same id": "同一个 id",
    "request 1 sends [0]\nanswer: [1], with\nstop_reason tool_use": "请求 1 发送 [0]\n回答 [1]，停止原因\n为 tool_use",
    "your code runs\nget_weather, then\nrequest 2 sends [0]-[2]": (
        "你的代码运行\nget_weather，然后\n请求 2 发送 [0]-[2]"
    ),
    "answer: the reply,\nstop_reason end_turn": "回答：最终回复，\n停止原因为 end_turn",
    "model": "模型",
    "your code": "你的代码",
    "think: plan": "思考：计划",
    "think: Prague,\n84.80 EUR": "思考：布拉格，\n84.80 欧元",
    "think: per night\n(250-84.80)/2": "思考：每晚\n(250-84.80)/2",
    "think: total": "思考：总价",
    "text: the answer": "文本：回答",
    "run tool,\ntool_result": "运行工具，\ntool_result",
    "each request sends the whole history back: every thinking block, tool call and result, unchanged": (
        "每个请求都把完整的历史原样发回：每个思考块、工具调用和工具结果"
    ),
    "one task, four model calls: the model thinks again after each tool result (interleaved thinking)": (
        "一个任务，四次模型调用：每个工具结果之后模型都会再次思考（交错思考）"
    ),
    "earlier turns: user, assistant (thinking,\ntool calls), tool results, ...": (
        "之前的轮次：user、assistant（思考、\n工具调用）、工具结果……"
    ),
    "the new user message\n(or tool results)": "新的用户消息\n（或工具结果）",
    'cache_control: {"type": "ephemeral"} on the last block before here': (
        '在此之前的最后一个块上标记 cache_control: {"type": "ephemeral"}'
    ),
    "the prefix, in this order: tools, system, messages": "前缀，依次为：tools、system、messages",
    "1st call: written to the cache (usage.cache_creation_input_tokens)\n"
    "next calls, same prefix: read from it (usage.cache_read_input_tokens, cheaper)": (
        "第 1 次调用：写入缓存（usage.cache_creation_input_tokens）\n"
        "之后前缀相同的调用：从缓存读取（usage.cache_read_input_tokens，更便宜）"
    ),
    "after the marker:\nusage.input_tokens": "标记之后：\nusage.input_tokens",
    "a change anywhere before the marker (a tool, the system prompt, an old turn) misses the cache": (
        "标记之前任何一处改动（一个工具、系统提示词、一个旧轮次）都会让缓存未命中"
    ),
}
"""Every English text of the diagrams a Chinese learner reads, in Chinese; code, API fields and names stay as they
are (`KEPT` lists what is drawn unchanged, so a new English label cannot slip into a Chinese diagram unnoticed)."""
KEPT = {
    "POST\n<base URL>/v1/messages",
    'id, model, role="assistant"',
    'stop_reason: "end_turn" | "max_tokens" | "tool_use"\nusage: input_tokens, output_tokens',
    "messages[0]\nuser",
    "messages[1]\nassistant",
    "messages[2]\nuser",
    "reply\nassistant",
    'thinking (text + signature)   tool_use(id="call_..._1",\n'
    '                              name="get_weather", input={"city": "Paris"})',
    "4 x search_trains",
    "get_forecast",
    "find_hotels",
    "tools",
    "system",
}
_words: dict[str, str] = {}
"""The words of the language being drawn (empty for English); `_say` looks each text up here."""
untranslated: set[str] = set()
"""Texts drawn in a Chinese diagram with no entry in `ZH_CN` (checked against `KEPT` by the tests)."""


def _say(text: str) -> str:
    """`text` in the language being drawn (whole, or line by line for a code block with one translated line),
    noting what has no translation."""
    if not _words or text in _words:
        return _words.get(text, text)
    lines = text.split("\n")
    if any(line in _words for line in lines):
        return "\n".join(_words.get(line, line) for line in lines)
    untranslated.add(text)
    return text


def _family(name: str) -> str | list[str]:
    """The font family for `name`, with its CJK fallback when drawing Chinese."""
    return [name, CJK_FONTS[name]] if _words else name


def _box(ax: Any, x: float, y: float, w: float, h: float, text: str, kind: str, **style: Any) -> None:
    """A rounded box of one fill with dark text centred (or left-aligned with `ha="left"`)."""
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch(
        (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=FILL[kind], edgecolor=LINE, lw=1.2
    )
    ax.add_patch(patch)
    ha = style.pop("ha", "center")
    tx = x + 0.12 if ha == "left" else x + w / 2
    family = _family(style.pop("family", "DejaVu Sans"))
    size = style.pop("size", 10)
    ax.text(tx, y + h / 2, _say(text), ha=ha, va="center", color=INK, fontsize=size, family=family, **style)


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
    ha = style.pop("ha", "center")
    family = _family("DejaVu Sans")
    ax.text(x, y, _say(text), ha=ha, va="center", color=INK, fontsize=9, bbox=bbox, family=family, **style)


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


def image_name(name: str, language: str = "en") -> str:
    """The file in docs/img of diagram `name` (a key of `DIAGRAMS`) drawn in `language`."""
    return name.replace(".png", LANGUAGES[language] + ".png")


def images() -> dict[str, tuple[str, str]]:
    """Every image file: its diagram and its language."""
    return {image_name(name, language): (name, language) for name in DIAGRAMS for language in LANGUAGES}


def render(name: str, language: str = "en") -> bytes:
    """One diagram as PNG bytes: transparent background, no timestamp or version in the file (reproducible).
    A glyph the fonts lack (Chinese without fonts-noto-cjk) is an error, not a box drawn in its place."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    draw, (width, height), _notebook = DIAGRAMS[name]
    figure = Figure(figsize=(width, height), dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    _words.clear()
    _words.update(ZH_CN if language == "zh-CN" else {})
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            draw(ax)
            figure.savefig(buffer, format="png", transparent=True, metadata={"Software": None})
    finally:
        _words.clear()
    missing = sorted(
        {str(w.message) for w in caught if "missing from font" in str(w.message) or "findfont" in str(w.message)}
    )
    if missing:
        raise RuntimeError(
            f"{image_name(name, language)}: {missing[0]} Install the CJK fonts "
            "(Debian: apt-get install fonts-noto-cjk), then delete matplotlib's font cache (~/.cache/matplotlib) "
            "and draw again."
        )
    return buffer.getvalue()


def source_sha256() -> str:
    """The sha256 of this file: the images recorded in the manifest were drawn from exactly this source."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def manifest() -> dict[str, Any]:
    """What docs/img/diagrams.json records: this source's hash, the matplotlib that drew, each image's hash."""
    import matplotlib

    drawn = {name: hashlib.sha256((IMAGES / name).read_bytes()).hexdigest() for name in images()}
    return {"source_sha256": source_sha256(), "matplotlib": matplotlib.__version__, "images": drawn}


def main() -> int:
    """`python -m devtools diagrams`: draw every diagram into docs/img, record the manifest, refresh attachments."""
    from .badges import check_notebook
    from .notebooks import notebook_paths

    IMAGES.mkdir(parents=True, exist_ok=True)
    for file, (name, language) in images().items():
        (IMAGES / file).write_bytes(render(name, language))
        print(f"drew docs/img/{file}")
    MANIFEST.write_text(json.dumps(manifest(), indent=1) + "\n", encoding="utf-8")
    for path in notebook_paths():
        for line in check_notebook(path, fix=True):
            print("refreshed:", line)
    return 0
