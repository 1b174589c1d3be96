"""Notebook 06's chat app: a text box, model and region pickers, tools on or off, the conversation (thinking above
each answer) and a running bill. `Playground.send` is plain code; the widgets (ipywidgets 7.7.1 as on Colab, or 8.x)
only call it. Close (or `close()`) leaves the transcript and the bill in its place: a saved notebook holds no widget."""

from __future__ import annotations

import ast
import html
import math
import operator as op
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import anthropic

from ._html import META_STYLE, as_plain, display_widget, in_ipython, widgets_available
from ._i18n import N_, ngettext
from ._i18n import gettext as _
from ._replay.cassettes import NotRecordedError
from ._settings import REGIONS, SUPPORTED_MODELS, ConfigError
from .billing import log_of, summarize
from .client import get_client, recordings_of
from .errors import explain
from .models import MODELS
from .show import SYNTHESIZED, MessageView, block_html
from .tools import run_tools

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

SYSTEM = "You are a friendly teaching assistant in a class about MiniMax's models. Answer briefly."
MAX_TOKENS = 1000
PLACEHOLDER = N_(
    "💬 Chat playground (an app while its kernel runs; if you see this line instead, run playground.show() to "
    "open it again; its Close app button leaves the transcript)"
)
"""The app's text/plain: what a saved notebook keeps where the app was (jupyter-config/ drops the widget view)."""
USER_STYLE = (
    "background:rgba(127,127,127,.15);border-radius:6px;padding:4px 10px;margin:8px 0 2px 0;white-space:pre-wrap;"
    "color:inherit;line-height:1.45"
)
"""A user bubble: a translucent grey tint under the page's own text colour, readable in light and dark themes."""

_GOOD_FOR = {"MiniMax-M2.1": "code, agents", "MiniMax-M2.1-lightning": "speed", "MiniMax-M2": "agents, reasoning"}
MODEL_FACTS: dict[str, dict[str, Any]] = {
    name: {
        "output_tokens_per_second": MODELS[name].tokens_per_second,
        "context_window": MODELS[name].context_window,
        "good_for": good_for,
    }
    for name, good_for in _GOOD_FOR.items()
}
"""What the `model_facts` tool answers, from the catalogue (helpers.models; M2's speed is not published)."""

TOOLS: list[dict[str, Any]] = [
    {
        "name": "calculate",
        "description": "Evaluate an arithmetic expression (+, -, *, /, **, parentheses) and return the number.",
        "input_schema": {
            "type": "object",
            "properties": {"expression": {"type": "string", "description": "e.g. '1200 / 100'"}},
            "required": ["expression"],
        },
    },
    {
        "name": "model_facts",
        "description": "Facts about one MiniMax model: output speed (tokens/s), context window, what it is good for.",
        "input_schema": {
            "type": "object",
            "properties": {"model": {"type": "string", "enum": list(SUPPORTED_MODELS)}},
            "required": ["model"],
        },
    },
]
"""The playground's two tools: both deterministic, so a recorded conversation replays exactly."""

_BINARY = {ast.Add: op.add, ast.Sub: op.sub, ast.Mult: op.mul, ast.Div: op.truediv, ast.Pow: op.pow}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: op.neg, ast.UAdd: op.pos}
_LARGEST = 10**300
"""Bigger intermediate results are refused: nested powers like ((10**100)**100)**100 would take minutes."""


def calculate(expression: str) -> str:
    """Arithmetic only (no names, no calls, bounded sizes): a model cannot run code or stall the kernel. Its errors go
    to the model as tool results, in English, as recorded."""

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and type(node.value) is not bool:
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ValueError(f"{ast.unparse(node)} is too large to be a number here")
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 100:
                raise ValueError("exponent too large")
            result: float = _BINARY[type(node.op)](left, right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            result = _UNARY[type(node.op)](value(node.operand))
        else:
            raise ValueError(f"only numbers and + - * / ** ( ) are allowed, not {ast.unparse(node)!r}")
        if isinstance(result, complex) or abs(result) > _LARGEST or not math.isfinite(result):
            raise ValueError(f"{ast.unparse(node)!r} is too large (or not a real number)")
        return result

    result = value(ast.parse(expression, mode="eval").body)
    return str(int(result)) if float(result).is_integer() else f"{result:.6g}"


def model_facts(model: str) -> dict[str, Any]:
    """The `model_facts` tool: a fixed table, so the answer never depends on time or network."""
    if model not in MODEL_FACTS:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODEL_FACTS)}")
    return {"model": model, **MODEL_FACTS[model]}


FUNCTIONS: dict[str, Callable[..., Any]] = {"calculate": calculate, "model_facts": model_facts}

_EMPTY_ANSWER = N_(
    "The answer came back with no content (stop: {stop}; MiniMax sends content null when max_tokens={max_tokens} "
    "runs out while the model is still thinking): nothing was added to the conversation. Send it again, or open "
    "the playground with a larger max_tokens=."
)


@dataclass(frozen=True)
class TurnSummary:
    """One user turn as `play` reports it."""

    number: int
    model: str
    tools: bool
    calls: int
    answer: str

    def line(self) -> str:
        tools = _("tools on") if self.tools else _("tools off")
        calls = ngettext("{count} model call", "{count} model calls", self.calls).format(count=self.calls)
        short = self.answer if len(self.answer) <= 60 else self.answer[:57] + "..."
        return _("turn {number} · {model} · {tools} · {calls} · {answer!r}").format(
            number=self.number, model=self.model, tools=tools, calls=calls, answer=short
        )


class Playground:
    """A chat over one growing history. `send(text)` adds a user turn and the model's answer (with tools
    when `tools` is on); `show()` opens the widgets; `close()` leaves the transcript and the bill."""

    def __init__(
        self,
        client: anthropic.Anthropic,
        *,
        model: str = SUPPORTED_MODELS[0],
        region: str = "global",
        tools: bool = False,
        recordings: str | None = None,
        max_tokens: int = MAX_TOKENS,
        client_factory: Callable[[str], anthropic.Anthropic] | None = None,
    ) -> None:
        self.history: list[dict[str, Any]] = []
        self.max_tokens, self.model, self.region, self.tools = max_tokens, SUPPORTED_MODELS[0], "global", False
        self._widgets: dict[str, Any] = {}
        self.settings(model=model, region=region, tools=tools)
        self._clients: dict[str, anthropic.Anthropic] = {self.region: client}
        self._already = {id(client): len(log_of(client).calls)}  # calls before it opened (only get_client logs)
        recordings = recordings or recordings_of(client) or "06_chat_playground"  # the notebook's, in its language
        self._factory = client_factory or (lambda r: get_client(region=r, recordings=recordings, quiet=True))
        self._turns, self._paid_from, self._handle = 0, 0, None
        self._published: tuple[int, str] | None = None  # (messages, total) the app's saved fallback shows
        self.notice = ""
        """Why the last turn added nothing to the conversation (an answer with no content), else empty."""
        self.paid: list[dict[str, Any]] = []
        """The paid messages of a tools turn that failed later (a 529, a timeout, Ctrl-C): `keep_paid()` adds them."""

    # -- the chat itself ---------------------------------------------------------------------------
    @property
    def client(self) -> anthropic.Anthropic:
        """The client of the current region (built on first use: keys are bound to a region)."""
        if self.region not in self._clients:
            self._clients[self.region] = self._factory(self.region)
        return self._clients[self.region]

    def settings(self, *, model: str | None = None, region: str | None = None, tools: bool | None = None) -> None:
        """Change the model, region or tools for the next turns (what the pickers do)."""
        _check_settings(model, region)
        self.model, self.region = model or self.model, region or self.region
        self.tools = self.tools if tools is None else bool(tools)
        self._refresh()

    def send(self, text: str) -> anthropic.types.Message:
        """Add a user turn and get the answer (running tools until the model is done, when tools are on)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(_("Type a message first: send() needs some text."))
        sent = self._asked(text.strip())
        base = len(sent) - 1  # the history before the new (or joined) user turn
        params: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens, "system": SYSTEM}
        if self.tools:
            try:
                run = run_tools(self.client, messages=sent, tools=TOOLS, functions=FUNCTIONS, **params)
            except BaseException as error:  # a later call failed: offer the paid calls instead of dropping them
                self._offer_paid(error, base)
                raise
            final, added, calls = run.final, run.history[base:], len(run.responses)
        else:
            params["messages"] = sent  # plain dicts, as the SDK accepts them
            final = self.client.messages.create(**params)
            added, calls = [sent[-1], {"role": "assistant", "content": as_plain(list(final.content or []))}], 1
        self.paid = []
        self.notice = (
            "" if final.content else _(_EMPTY_ANSWER).format(stop=final.stop_reason, max_tokens=self.max_tokens)
        )
        if not self.notice:  # an empty answer adds nothing: the Messages API refuses an empty assistant turn
            self.history[base:] = added  # only once the whole turn worked: a failed turn leaves no half history
        self._turns += 1
        answer = "".join(b.text for b in final.content or [] if b.type == "text").strip()
        self.last = TurnSummary(self._turns, self.model, self.tools, calls, answer)
        self._refresh()
        return final

    def _asked(self, text: str) -> list[dict[str, Any]]:
        """The history plus the new question; after `keep_paid()` the history ends with tool results, and the
        question joins that user turn (tool results first), so roles still alternate."""
        last = self.history[-1] if self.history else {}
        if last.get("role") == "user" and isinstance(last["content"], list):
            return [*self.history[:-1], {"role": "user", "content": [*last["content"], {"type": "text", "text": text}]}]
        return [*self.history, {"role": "user", "content": text}]

    def _offer_paid(self, error: BaseException, base: int) -> None:
        """Keep the paid model calls of a failed tools turn in `self.paid`, for `keep_paid()` to add."""
        kept = getattr(error, "history", None)
        if not isinstance(kept, list) or len(kept) <= base + 1:
            return
        self.paid, self._paid_from = kept[base:], base
        calls = len(getattr(error, "responses", []))
        self.notice = ngettext(
            "{count} model call of this turn were paid for before it failed: "
            "playground.keep_paid() adds them (the question, the answers and the tool results) to the "
            "conversation, so the next message goes on from there without paying again.",
            "{count} model calls of this turn were paid for before it failed: "
            "playground.keep_paid() adds them (the question, the answers and the tool results) to the "
            "conversation, so the next message goes on from there without paying again.",
            calls,
        ).format(count=calls)
        error.add_note(self.notice)

    def keep_paid(self) -> int:
        """Add the paid part of the last failed tools turn to the conversation; returns how many messages."""
        if not self.paid:
            raise ValueError(_("Nothing to keep: keep_paid() adds the paid part of a tools turn that failed later."))
        added, self.paid, self.notice = self.paid, [], ""
        self.history[self._paid_from :] = added
        self._refresh()
        return len(added)

    def play(self, turns: Iterable[Mapping[str, Any]]) -> None:
        """Send a scripted conversation, each turn with its own settings (e.g. a recorded one, in replay)."""
        for turn in _checked_turns(turns):
            self.settings(model=turn.get("model"), region=turn.get("region"), tools=turn.get("tools"))
            self.send(turn["text"])
            print(self.last.line())
            if self.notice:
                print(f"  {self.notice}")

    # -- what it shows ----------------------------------------------------------------------------
    def _calls(self) -> list[dict[str, Any]]:
        """The usage log rows of every client this playground used (a factory may hand back one client twice)."""
        clients = {id(client): client for client in self._clients.values()}
        calls = (log_of(client).calls[self._already.get(key, 0) :] for key, client in clients.items())
        return [asdict(call) for some in calls for call in some]

    def totals(self) -> dict[str, Any]:
        """Calls, tokens and estimated cost of every client this playground used."""
        total = summarize(self._calls())[-1]
        return {k: total[k] for k in ("calls", "input_tokens", "output_tokens", "cost_usd")}

    def total_line(self) -> str:
        """The running total as one line: calls, tokens and estimated cost."""
        t = self.totals()
        tokens = {k: _("unknown") if t[k] is None else f"{t[k]:,}" for k in ("input_tokens", "output_tokens")}
        cost = _("cost unknown") if t["cost_usd"] is None else _("about {cost:.4f} USD").format(cost=t["cost_usd"])
        return ngettext(
            "{count} call · {input} input and {output} output tokens · {cost}",
            "{count} calls · {input} input and {output} output tokens · {cost}",
            t["calls"],
        ).format(count=t["calls"], input=tokens["input_tokens"], output=tokens["output_tokens"], cost=cost)

    def transcript(self) -> MessageView:
        """The conversation as the static view shows it, with a footer when a synthesized recording answered."""
        synthesized = any(row.get("source") == "synthesized" for row in self._calls())
        return MessageView(self.history, note=SYNTHESIZED if synthesized else "")

    def html(self) -> str:
        """The conversation for the live widget: user turns as bubbles, answers with thinking folded."""
        parts = []
        for message in self.history:
            content = message["content"]
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            if message["role"] == "user" and all(b.get("type") == "text" for b in blocks):
                text = "".join(b.get("text", "") for b in blocks)
                parts.append(f'<div style="{USER_STYLE}">🧑 <b>{_("You")}</b>: {html.escape(text)}</div>')
            else:
                parts.extend(block_html(b) for b in blocks)
        empty = f'<div style="{META_STYLE}">{_("No messages yet: type below and press Send.")}</div>'
        return "".join(parts) if parts else empty

    def _total_html(self) -> str:
        return f'<div style="{META_STYLE}">{html.escape(self.total_line())}</div>'

    # -- widgets ----------------------------------------------------------------------------------
    def show(self) -> None:
        """Open the app: widgets in a notebook with ipywidgets; elsewhere, a note on how to chat."""
        if not widgets_available():
            print(_("No notebook widgets here: chat with playground.send('...') and read playground.transcript()."))
            return
        import ipywidgets as widgets

        self._close_widgets()  # shown again: the old app must not stay in the notebook as a widget
        w = self._widgets
        w["chat"], w["total"], w["status"] = widgets.HTML(), widgets.HTML(), widgets.HTML("")
        w["model"] = widgets.Dropdown(options=list(SUPPORTED_MODELS), value=self.model, description=_("model"))
        w["region"] = widgets.Dropdown(options=list(REGIONS), value=self.region, description=_("region"))
        w["tools"] = widgets.Checkbox(value=self.tools, description=_("tools"))
        w["text"] = widgets.Textarea(placeholder=_("Ask something…"), layout=widgets.Layout(width="98%"))
        w["send"] = widgets.Button(description=_("Send"), button_style="primary")
        tip = _("Replace the app by its transcript and bill (what a saved notebook keeps)")
        w["close"] = widgets.Button(description=_("Close app"), tooltip=tip)
        for name in ("model", "region", "tools"):
            w[name].observe(lambda change, name=name: self.settings(**{name: change["new"]}), names="value")
        w["send"].on_click(self._clicked)
        w["close"].on_click(lambda _button: self.close())
        pickers, buttons = widgets.HBox([w["model"], w["region"], w["tools"]]), [w["send"], w["close"], w["status"]]
        w["box"] = widgets.VBox([w["chat"], pickers, w["text"], widgets.HBox(buttons), w["total"]])
        self._handle, self._published = display_widget(w["box"], _(PLACEHOLDER)), None
        self._refresh()

    def _refresh(self) -> None:
        """Bring the widgets up to date; when the conversation or bill changed, give the app's output the conversation
        as static HTML under its line, for when the widget view (kept only while the kernel runs) is gone."""
        w = self._widgets
        if "chat" not in w:
            return
        w["chat"].value, w["total"].value = self.html(), self._total_html()
        for name in ("model", "region", "tools"):
            w[name].value = getattr(self, name)
        state = (len(self.history), self.total_line())
        if self._handle is None or state == self._published:
            return
        page = f'<div style="{META_STYLE}">{html.escape(_(PLACEHOLDER))}</div>{self.transcript().html()}'
        view = {"version_major": 2, "version_minor": 0, "model_id": w["box"].model_id}
        self._handle.update(
            {"text/plain": _(PLACEHOLDER), "text/html": page + self._total_html(), WIDGET_VIEW: view}, raw=True
        )
        self._published = state

    def _clicked(self, _button: Any = None) -> None:
        w = self._widgets
        w["status"].value = f'<span style="{META_STYLE}">{_("thinking…")}</span>'
        try:
            self.send(w["text"].value)
        except Exception as error:  # shown in the app: a click handler's exception would vanish
            w["status"].value = _error_html(error) + (f"<br>{html.escape(self.notice)}" if self.paid else "")
            return
        if not self.notice:  # else the question stays in the box, to send again
            w["text"].value = ""
        w["status"].value = self.notice and f'<span style="color:inherit">⚠️ {html.escape(self.notice)}</span>'

    def _close_widgets(self, bundle: dict[str, str] | None = None) -> None:
        """Replace the app's output by `bundle` (its plain line by default) and close its widgets."""
        if self._handle is not None:
            self._handle.update(bundle or {"text/plain": _(PLACEHOLDER)}, raw=True)
            self._handle = None
        for widget in self._widgets.values():
            widget.close()
        self._widgets = {}

    def close(self) -> None:
        """Close the app (as its button does): the transcript and bill replace it in place (what a saved notebook
        keeps); if it was not shown, they are displayed (or printed)."""
        view = self.transcript()
        if self._handle is not None:
            text = f"{view.text()}\n{self.total_line()}"
            return self._close_widgets({"text/plain": text, "text/html": view.html() + self._total_html()})
        self._close_widgets()
        if in_ipython():
            from IPython.display import display

            display(view)
        else:
            print(view.text())
        print(self.total_line())


def _checked_turns(turns: Any) -> list[Mapping[str, Any]]:
    """The scripted turns of `play`, each checked before anything is sent."""
    if isinstance(turns, (str, bytes, Mapping)) or not isinstance(turns, Iterable):
        message = _("play() takes a list of turns, e.g. [{{'text': 'Hello'}}], not {kind}.")
        raise TypeError(message.format(kind=type(turns).__name__))
    checked = list(turns)
    for number, turn in enumerate(checked, 1):
        if not isinstance(turn, Mapping) or not isinstance(turn.get("text"), str):
            message = _(
                "Turn {number} of play() needs a 'text' (and may set 'model', 'region', 'tools'), "
                "e.g. {{'text': 'Hello', 'tools': True}}; got {turn!r:.80}. Nothing was sent."
            )
            raise ValueError(message.format(number=number, turn=turn))
    return checked


def _check_settings(model: str | None, region: str | None) -> None:
    """Refuse a model that is not served or a region that does not exist (None: not changed)."""
    if model is not None and model not in SUPPORTED_MODELS:
        known = ", ".join(SUPPORTED_MODELS)
        raise ConfigError(_("model={model!r} is not served here. Use one of {known}.").format(model=model, known=known))
    if region is not None and region not in REGIONS:
        message = _(
            "region={region!r} is not a region. Use 'global' or 'cn' (your key belongs to the console's region)."
        )
        raise ConfigError(message.format(region=region))


def _error_html(error: Exception) -> str:
    """An error as the app's status line shows it: an API error as `explain` reads it (its title, status and code,
    then the next step; never a raw body or a front end's HTML page), a replay miss with how to chat live."""
    step = ""
    if isinstance(error, NotRecordedError):
        first = _("Not recorded: replay answers only the recorded conversation. Set MINIMAX_API_KEY to chat live.")
    elif isinstance(error, anthropic.APIError):
        found = explain(error)
        first, step = found.text().splitlines()[0], f"<br>{html.escape(found.next_step)}"
    else:
        first = f"{type(error).__name__}: {error}"
    return f'<span style="color:inherit">⚠️ <b>{html.escape(first)}</b>{step}</span>'
