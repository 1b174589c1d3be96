"""`run_tools()`: the tool loop done right for reasoning models (notebook 03): each turn's whole assistant message
goes back exactly as received, every tool call of the turn is run, and all results go back in one user message.
(Not `client.beta.messages.tool_runner`: in anthropic 2.x it adds a body field MiniMax does not document.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from ._html import as_plain
from ._i18n import N_
from ._i18n import gettext as _
from ._toolbox import CONTINUE, Tool, check_run_arguments, collect_tools, error_result, keep_paid_work, run_tool_call
from .show import MessageLike, known_tokens, show, timeline
from .streaming import LiveView
from .streaming import stream as stream_turn

TEXT_TOOL_CALL = "<minimax:tool_call>"
"""The marker of a tool call written as text: MiniMax's own tool-call format, seen in text blocks (docs/sources.md)."""


def run_tools(
    client: anthropic.Anthropic,
    *,
    messages: Sequence[MessageLike],
    tools: Iterable[Any],
    functions: Mapping[str, Callable[..., Any]] | None = None,
    max_turns: int = 10,
    stream: bool = False,
    on_step: Callable[[dict[str, Any]], None] | None = None,
    **params: Any,
) -> ToolRun:
    """Call the model, run every tool call of its turn, send all results back in one user message, and repeat
    until it stops asking for tools. Returns a `ToolRun` (final message, full history, every response).

    tools: definition dicts (with their functions in functions=), beta_tool objects, or plain typed functions.
    max_turns: the most model calls; when reached with tools still wanted, `MaxTurnsError` carries the history.
    stream: stream every turn live (helpers.stream's widgets), each followed by its tool results.
    on_step: called with each block as it completes (assistant blocks, then tool results), e.g. LiveTimeline.add.
    A call whose arguments are not a JSON object is answered with an is_error result, not run, and goes back with
    input {}; a call written as text raises `ToolCallAsTextError`, one cut by max_tokens `TruncatedToolCallError`.
    Other keyword arguments (model, max_tokens, system, tool_choice, extra_body, ...) go to messages.create.
    """
    check_run_arguments(messages, max_turns, params)
    registry = {tool.name: tool for tool in collect_tools(tools, functions)}
    definitions = [tool.definition for tool in registry.values()]
    history: list[dict[str, Any]] = [as_plain(m) for m in messages]
    responses: list[anthropic.types.Message] = []
    step = on_step or (lambda block: None)
    for turn in range(1, max_turns + 1):
        try:
            response = _create(client, stream, {**params, "messages": history, "tools": definitions}, turn)
        except BaseException as error:  # a 529, a timeout, a dropped connection, Ctrl-C: keep what was paid for
            if responses:
                keep_paid_work(error, history, responses)
            raise
        responses.append(response)
        content: list[dict[str, Any]] = as_plain(list(response.content or []))  # exactly as received; null is none
        if content:  # the Messages API refuses an empty assistant turn before the last: keep the history sendable
            history.append({"role": "assistant", "content": content})
        calls = [dict(block) for block in content if block["type"] == "tool_use"]  # as asked, for run_tool_call
        for block in content:
            if block["type"] == "tool_use" and not isinstance(block.get("input"), dict):
                block["input"] = {}  # arguments that are not a JSON object go back as {} (MiniMax refuses them: 2013)
            step(block)
        if calls and response.stop_reason == "max_tokens":
            names = ", ".join(call["name"] for call in calls)
            raise TruncatedToolCallError(history[:-1], responses, turn=turn, names=names)
        text = "".join(block.get("text", "") for block in content if block["type"] == "text")
        if not calls and TEXT_TOOL_CALL in text:
            names = ", ".join(dict.fromkeys(re.findall(r'<invoke name="([^"]+)"', text))) or _("no tool name found")
            raise ToolCallAsTextError(history[:-1], responses, turn=turn, text=text, names=names)
        if response.stop_reason != "tool_use" or not calls:
            return ToolRun(response, history, responses)
        results = _answer_calls(calls, registry, step, history, responses)
        history.append({"role": "user", "content": results})
        if stream:
            show({"role": "user", "content": results})
    raise MaxTurnsError(history, responses, max_turns=max_turns)


class _KeepsRun(BaseException):
    """An error carrying the run so far: `history` (ready for `run_tools(client, messages=error.history, ...)`)
    and every model response; its other values (`turn`, `text`, ...) are attributes and fill in its message."""

    message = ""

    def __init__(self, history: list[dict[str, Any]], responses: list[Any], **values: Any) -> None:
        self.history, self.responses = history, responses
        self.__dict__.update(values)
        super().__init__(_(self.message).format(again=CONTINUE, marker=TEXT_TOOL_CALL, **values))


class MaxTurnsError(_KeepsRun, RuntimeError):
    """The model still asked for tools after `max_turns` model calls; `history` ends with the last tool results."""

    max_turns: int
    message = N_(
        "The model still asked for tools after max_turns={max_turns} model calls. The history so far is in "
        "error.history (it ends with the last tool results): raise max_turns, or continue with {again}."
    )


class ToolsInterrupted(_KeepsRun, KeyboardInterrupt):
    """You stopped the run (Ctrl-C, the stop button) while a tool ran: `history` holds the last assistant turn,
    the results of the tools that finished and an error result for each that did not, ready to continue."""

    message = N_("Stopped while a tool was running. The history so far is in error.history: continue with {again}.")


class TruncatedToolCallError(_KeepsRun, RuntimeError):
    """A turn ran out of `max_tokens` while writing a tool call (`names`), so it was not run; `history` stops
    before that turn, so the loop can be run again with a larger budget."""

    turn: int
    message = N_(
        "Model call {turn} stopped at max_tokens while writing a tool call ({names}): its input may be cut "
        "off, so it was not run. Thinking counts against max_tokens: raise it and run again, e.g. "
        "run_tools(client, messages=error.history, ..., max_tokens=4000)."
    )


class ToolCallAsTextError(_KeepsRun, RuntimeError):
    """A turn wrote its tool call as text (`<minimax:tool_call>` markup, in `text`) instead of a `tool_use` block:
    nothing was run and the answer is not a final one; `history` stops before the turn."""

    turn: int
    text: str
    message = N_(
        "Model call {turn} wrote a tool call as text ({marker} ... {names}) instead of a tool_use block: it was "
        "not run, and the answer is not a final one (the text is in error.text). Seen through some clients and "
        "gateways (docs/sources.md). The history stops before that turn: run again with {again}."
    )


@dataclass
class ToolRun:
    """What `run_tools` returns: the final message, the whole history (ready to extend and send again) and every
    model response. A final answer with no content (`"content": null`) adds no turn: the API refuses an empty one."""

    final: anthropic.types.Message
    history: list[dict[str, Any]]
    responses: list[anthropic.types.Message] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The final answer's text, leading blank lines removed."""
        return "".join(b.text for b in self.final.content or [] if b.type == "text").lstrip("\n")

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call of the run, in order, as plain dicts (id, name, input); a plain-string turn has none."""
        turns = [m["content"] for m in self.history if m["role"] == "assistant" and isinstance(m["content"], list)]
        return [b for content in turns for b in content if b.get("type") == "tool_use"]

    def usage(self) -> dict[str, int | None]:
        """Input and output tokens summed over every model call; None (unknown, never 0) when a call did not say."""
        totals: dict[str, int | None] = {"calls": len(self.responses)}
        for name in ("input_tokens", "output_tokens"):
            counts = [known_tokens(response, name) for response in self.responses]
            totals[name] = None if None in counts else sum(count or 0 for count in counts)
        return totals

    def _repr_html_(self) -> str:
        return timeline(self).html()

    def __repr__(self) -> str:
        return timeline(self).text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


# -- one turn's tool calls, one model call ----------------------------------------------------------------------------


def _answer_calls(
    calls: list[dict[str, Any]],
    registry: Mapping[str, Tool],
    step: Callable[[dict[str, Any]], None],
    history: list[dict[str, Any]],
    responses: list[Any],
) -> list[dict[str, Any]]:
    """The tool_result of every call of a turn, in order. On Ctrl-C the calls not finished get an error result and
    `ToolsInterrupted` carries the history."""
    results: list[dict[str, Any]] = []
    try:
        for call in calls:
            results.append(run_tool_call(call, registry))
            step(results[-1])
    except KeyboardInterrupt:
        stopped = [error_result(c, "Stopped by the user.") for c in calls[len(results) :]]
        history.append({"role": "user", "content": results + stopped})
        raise ToolsInterrupted(history, responses) from None
    return results


def _create(client: anthropic.Anthropic, stream: bool, params: dict[str, Any], turn: int) -> anthropic.types.Message:
    """One model call: plain, or streamed live through helpers.stream (one LiveView per turn)."""
    if not stream:
        message: anthropic.types.Message = client.messages.create(**params)
        return message
    return stream_turn(client, view=LiveView(label=f"{params['model']} · model call {turn}"), **params)
