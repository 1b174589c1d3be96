"""The helpers' widgets under whatever ipywidgets is installed: run it with 8.x here and with 7.7.1 (Colab's)
in a separate environment (see README, section classroom). No frontend: widgets are built, driven and closed
in-process, with `display` captured."""

from __future__ import annotations

import html
import importlib
from pathlib import Path
from typing import Any

import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from support import ReplayClient  # noqa: E402

import helpers  # noqa: E402
from devtools import synth  # noqa: E402
from helpers import _html, playground  # noqa: E402
from helpers.show import MessageView  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class Handle:
    def __init__(self, shown: list[Any]) -> None:
        self.shown = shown

    def update(self, obj: Any, **kwargs: Any) -> None:
        self.shown.append(("update", obj))


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Capture IPython's display() and pretend to be in a notebook."""
    display_module = importlib.import_module("IPython.display")
    captured: list[Any] = []

    def display(obj: Any, *more: Any, display_id: Any = None, raw: bool = False, **kwargs: Any) -> Any:
        captured.append(obj)
        return Handle(captured) if display_id else None

    monkeypatch.setattr(display_module, "display", display)
    monkeypatch.setattr(playground, "in_ipython", lambda: True)
    monkeypatch.setattr(_html, "in_ipython", lambda: True)
    return captured


def test_ipywidgets_version_is_one_we_support() -> None:
    major = int(ipywidgets.__version__.split(".")[0])
    assert major in (7, 8), f"ipywidgets {ipywidgets.__version__}: the helpers support 7.7.1 (Colab) and 8.x"


def test_playground_widgets_drive_the_chat_and_close_to_plain_output(clean_env: Path, shown: list[Any]) -> None:
    client = helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True)
    app = helpers.Playground(client)
    app.show()
    bundle = shown[0]
    assert bundle["text/plain"] == playground.PLACEHOLDER and WIDGET_MIME in bundle
    w = app._widgets
    assert bundle[WIDGET_MIME]["model_id"] == w["box"].model_id

    w["text"].value = "Which MiniMax model should I use for a quick live demo in class?"
    w["send"].click()
    assert "quick live demo" in w["chat"].value and "Thinking" in w["chat"].value
    assert w["text"].value == "" and w["status"].value == ""
    assert w["total"].value.count("1 call") == 1

    w["tools"].value = True
    w["model"].value = "MiniMax-M2.1-lightning"
    assert app.tools and app.model == "MiniMax-M2.1-lightning"
    w["text"].value = "Something nobody recorded"
    w["send"].click()
    assert "Not recorded" in w["status"].value, "a replay miss is shown in the app, not lost in a callback"
    assert w["text"].value == "Something nobody recorded", "the text stays so it can be sent again"
    assert len(app.history) == 2, "a failed turn leaves no half history"

    app.settings(model="MiniMax-M2")
    assert w["model"].value == "MiniMax-M2", "settings() from code moves the pickers too"

    app.close()  # what the app's Close button does: the transcript and bill replace the widget in place
    kind, update = shown[-1]
    assert kind == "update" and WIDGET_MIME not in update
    assert "quick live demo" in update["text/plain"] and update["text/plain"].endswith(app.total_line())
    assert update["text/html"].startswith(MessageView(app.history).html()[:40])
    assert app._widgets == {}


def _one_stream(tmp_path: Path, replay_client: ReplayClient) -> tuple[dict[str, Any], Any]:
    """A request and a replay client holding one synthesized stream for it (thinking, then a short answer)."""
    request = {"model": "MiniMax-M2.1", "max_tokens": 200, "messages": [{"role": "user", "content": "Hi"}]}
    description = {
        "recordings": "w",
        "exchanges": [
            {"id": "s", "forms": ["stream"], "request": request, "reply": {"thinking": "Hm.", "text": "Hi!"}}
        ],
    }
    (cassette,) = synth.build(description, "test")
    cassette.write(tmp_path / "w" / "s.json")
    return request, replay_client(tmp_path)


def test_live_stream_view_renders_with_widgets(tmp_path: Path, shown: list[Any], replay_client: ReplayClient) -> None:
    request, client = _one_stream(tmp_path, replay_client)
    message = helpers.stream(client, view=helpers.LiveView(label="test", mode="widgets"), **request)
    assert [b.type for b in message.content] == ["thinking", "text"]
    bundles = [s for s in shown if isinstance(s, dict)]
    assert bundles and WIDGET_MIME in bundles[0], "the live view was shown as a widget"
    updates = [s for s in shown if isinstance(s, tuple) and s[0] == "update"]
    assert updates and WIDGET_MIME not in updates[-1][1], "and replaced by plain output at the end"


def test_the_expected_ipywidgets_is_the_one_under_test() -> None:
    """CI sets EXPECT_IPYWIDGETS=7.7.1 in the Colab-like environment, so a silent upgrade cannot pass."""
    import os

    expected = os.environ.get("EXPECT_IPYWIDGETS")
    if not expected:
        pytest.skip("EXPECT_IPYWIDGETS is not set (only the ipywidgets 7.7.1 CI step sets it)")
    assert ipywidgets.__version__ == expected


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A real IPython shell whose display publisher records (mime types, display_id, update) for each output:
    IPython and ipywidgets' own display code runs, so a widget that bypasses display_id shows up."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    outputs: list[tuple[set[str], Any]] = []

    def publish(data: dict[str, Any], metadata: Any = None, *, transient: Any = None, **kwargs: Any) -> None:
        outputs.append((set(data), (transient or {}).get("display_id")))

    monkeypatch.setattr(shell.display_pub, "publish", publish)
    yield outputs
    InteractiveShell.clear_instance()


def assert_no_widget_is_left(outputs: list[tuple[set[str], Any]]) -> None:
    """Each widget output carries a display_id and ends replaced by plain output (what a saved notebook keeps)."""
    last: dict[str, set[str]] = {}
    for mimes, display_id in outputs:
        if WIDGET_MIME in mimes:
            assert display_id, "a widget shown without a display_id can never be replaced by plain output"
        if display_id:
            last[display_id] = mimes
    assert last, "no widget was shown"
    assert all(WIDGET_MIME not in mimes for mimes in last.values()), "a widget output was left in the notebook"


def test_live_timeline_leaves_no_widget_in_the_notebook(published: Any, capsys: pytest.CaptureFixture[str]) -> None:
    live_timeline = helpers.LiveTimeline()
    live_timeline.add({"type": "thinking", "thinking": "用户想知道天气。", "signature": None})
    live_timeline.add({"type": "text", "text": "\n\n晴天。"})
    live_timeline.finish([{"role": "user", "content": "天气?"}, {"role": "assistant", "content": live_timeline.blocks}])
    assert_no_widget_is_left(published)
    assert capsys.readouterr().out == "", "in a notebook the steps are shown in the widget, not printed"


def test_live_stream_view_leaves_no_widget_in_the_notebook(published: Any) -> None:
    view = helpers.LiveView(label="test")
    assert view.mode == "widgets"
    view.feed({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    view.feed({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "你好"}})
    view.feed({"type": "content_block_stop", "index": 0})
    view.finish({"role": "assistant", "content": view.partial_content()})
    assert_no_widget_is_left(published)


def test_playground_leaves_no_widget_in_the_notebook(clean_env: Path, published: Any) -> None:
    app = helpers.Playground(helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True))
    app.show()
    app.show()  # shown twice: the first app must not stay behind as a widget either
    app.close()
    assert_no_widget_is_left(published)


def test_live_stream_view_draws_a_turn_in_one_widget_and_closes_it(
    tmp_path: Path, shown: list[Any], replay_client: ReplayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each widget opens a comm (a message to the browser), so a turn, thinking and answer, is one HTML widget (with
    the layout and style every widget brings); at the end all three are closed (none stays in the kernel)."""
    made: list[Any] = []
    monkeypatch.setattr(ipywidgets.Widget, "_widget_construction_callback", made.append)
    request, client = _one_stream(tmp_path, replay_client)
    helpers.stream(client, view=helpers.LiveView(label="test", mode="widgets"), **request)
    kinds = [type(w).__name__ for w in made]
    assert kinds.count("HTML") == 1 and kinds.count("Layout") == 1 and len(made) == 3, kinds
    assert [type(w).__name__ for w in made if w.comm is not None] == [], "every widget of the view is closed"


def test_the_open_app_carries_the_conversation_as_static_html(clean_env: Path, shown: list[Any]) -> None:
    """Beside its widget view, the app's output holds its line and the conversation so far as HTML: what a saved
    notebook (the view dropped), nbconvert and GitHub show. Updated when the conversation changes, not on a pick."""
    app = helpers.Playground(helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True))
    app.show()
    app.send("Which MiniMax model should I use for a quick live demo in class?")
    kind, update = shown[-1]
    assert kind == "update" and update["text/plain"] == playground.PLACEHOLDER and WIDGET_MIME in update
    page = update["text/html"]
    assert page.index(html.escape(playground.PLACEHOLDER)) < page.index("quick live demo")
    assert "Thinking" in page and app.last.line().split("'")[1][:20] in page, "the thinking and the answer"
    assert page.endswith(html.escape(app.total_line()) + "</div>")
    count = len(shown)
    app.settings(tools=True)
    assert len(shown) == count, "a picker alone does not redraw the app"
