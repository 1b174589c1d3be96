"""`run_tools()`: the tool loop done right for reasoning models. Each turn's whole assistant message (thinking
with its signature, text, tool calls) goes back into the history exactly as received, every tool call of a
turn is run, and all their results go back together in one user message.

Tools are tool-definition dicts, `anthropic.beta_tool` objects, or plain typed, documented functions (turned
into definitions by `anthropic.beta_tool`, the SDK's own local schema builder). `client.beta.messages.tool_runner`
is not used: in anthropic 2.x it adds a `thread` body field and a beta header that MiniMax does not document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from ._html import as_plain
from .show import MessageLike, known_tokens, show
from .streaming import SAMPLING_PARAMS


class MaxTurnsError(RuntimeError):
    """The model was still asking for tools after `max_turns` model calls. Carries the history so far
    (ending with the last tool results), so the conversation can be inspected or continued."""

    def __init__(self, max_turns: int, history: list[dict[str, Any]], responses: list[anthropic.types.Message]) -> None:
        self.max_turns = max_turns
        self.history = history
        self.responses = responses
        super().__init__(
            f"The model still asked for tools after max_turns={max_turns} model calls. The history so far is in "
            "error.history (it ends with the last tool results): raise max_turns, or continue with "
            "run_tools(client, messages=error.history, ...)."
        )


class ToolsInterrupted(KeyboardInterrupt):
    """You stopped the run (Ctrl-C, the stop button) while a tool was running. `history` keeps everything so far:
    the last assistant turn, the results of the tools that finished, and an error result for each one that did
    not, so `run_tools(client, messages=error.history, ...)` continues the conversation."""

    def __init__(self, history: list[dict[str, Any]], responses: list[Any]) -> None:
        self.history = history
        self.responses = responses
        super().__init__(
            "Stopped while a tool was running. The history so far is in error.history: continue with "
            "run_tools(client, messages=error.history, ...)."
        )


class TruncatedToolCallError(RuntimeError):
    """A turn ran out of `max_tokens` while writing a tool call, so its input may be cut off and the call
    was not run. `history` stops before that turn, so the loop can be run again with a larger budget."""

    def __init__(self, turn: int, history: list[dict[str, Any]], responses: list[anthropic.types.Message]) -> None:
        self.turn = turn
        self.history = history
        self.responses = responses
        names = ", ".join(b.name for b in responses[-1].content or [] if b.type == "tool_use")
        super().__init__(
            f"Model call {turn} stopped at max_tokens while writing a tool call ({names}): its input may be cut "
            "off, so it was not run. Thinking counts against max_tokens: raise it and run again, e.g. "
            "run_tools(client, messages=error.history, ..., max_tokens=4000)."
        )


class ToolCallAsTextError(RuntimeError):
    """A turn wrote its tool call as text (`<minimax:tool_call>` markup in a text block) instead of a `tool_use`
    block, so nothing was run and the answer is not a final one. `text` is that text; `history` stops before the
    turn, so the loop can be run again."""

    def __init__(self, turn: int, history: list[dict[str, Any]], responses: list[Any], text: str) -> None:
        self.turn = turn
        self.history = history
        self.responses = responses
        self.text = text
        names = ", ".join(dict.fromkeys(re.findall(r'<invoke name="([^"]+)"', text))) or "no tool name found"
        super().__init__(
            f"Model call {turn} wrote a tool call as text ({TEXT_TOOL_CALL} ... {names}) instead of a tool_use "
            "block: it was not run, and the answer is not a final one (the text is in error.text). Seen through "
            "some clients and gateways (docs/sources.md). The history stops before that turn: run again with "
            "run_tools(client, messages=error.history, ...)."
        )


TEXT_TOOL_CALL = "<minimax:tool_call>"
"""The marker of a tool call written as text: MiniMax's own tool-call format, seen in text blocks (docs/sources.md)."""


@dataclass
class ToolRun:
    """What `run_tools` returns: the final message, the whole history (ready to extend and send again),
    and every model response in order. A final answer with no content (MiniMax's `"content": null` when
    max_tokens ran out while thinking) adds no turn to the history: the API refuses an empty assistant turn."""

    final: anthropic.types.Message
    history: list[dict[str, Any]]
    responses: list[anthropic.types.Message] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The final answer's text, leading blank lines removed."""
        return "".join(b.text for b in self.final.content or [] if b.type == "text").lstrip("\n")

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """Every tool call of the run, in order, as plain dicts (id, name, input)."""
        return [
            b
            for m in self.history
            if m["role"] == "assistant" and isinstance(m["content"], list)  # a plain-string turn has no calls
            for b in m["content"]
            if b.get("type") == "tool_use"
        ]

    def usage(self) -> dict[str, int | None]:
        """Input and output tokens summed over every model call of the run; None (unknown, never 0) when a call
        did not say its count (a stream whose usage never came)."""
        totals: dict[str, int | None] = {"calls": len(self.responses), "input_tokens": 0, "output_tokens": 0}
        for response in self.responses:
            for name in ("input_tokens", "output_tokens"):
                count, total = known_tokens(response, name), totals[name]
                totals[name] = None if count is None or total is None else total + count
        return totals

    def _repr_html_(self) -> str:
        from .show import timeline

        return timeline(self).html()

    def __repr__(self) -> str:
        from .show import timeline

        return timeline(self).text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


# -- tools: definitions and the functions behind them ----------------------------------------------


@dataclass
class _Tool:
    """A tool's definition (as sent to the model) and what runs it."""

    definition: dict[str, Any]
    function: Callable[..., Any]
    runner: Any = None  # a beta_tool object: its .call() validates and coerces input with pydantic

    @property
    def name(self) -> str:
        return str(self.definition["name"])


def _beta_tool(function: Callable[..., Any]) -> Any:
    """`anthropic.beta_tool(function)`, with a clear message on an SDK too old to have it."""
    try:
        from anthropic import beta_tool
    except ImportError as error:  # anthropic before 0.68 (checked in the published wheels)
        raise ImportError(
            "Turning a plain function into a tool needs anthropic.beta_tool (anthropic 0.68 or later): "
            "`pip install -U anthropic`, or give a tool-definition dict and the function in functions=."
        ) from error
    return beta_tool(function)


def collect_tools(tools: Iterable[Any], functions: Mapping[str, Callable[..., Any]] | None = None) -> list[_Tool]:
    """Tool definitions paired with the functions that run them; every mistake is reported before a request."""
    if isinstance(tools, (str, Mapping)) or callable(tools) or not isinstance(tools, Iterable):
        raise TypeError(f"tools= takes a list of tools, e.g. tools=[get_weather], not {type(tools).__name__}.")
    if functions is not None and not isinstance(functions, Mapping):
        raise TypeError(
            "functions= takes a dict from tool name to the function that runs it, e.g. "
            f"functions={{'get_weather': get_weather}}, not {type(functions).__name__}."
        )
    functions = dict(functions or {})
    found: list[_Tool] = []
    for item in tools:
        if isinstance(item, Mapping):
            definition = dict(item)
            name = definition.get("name")
            if not isinstance(name, str) or "input_schema" not in definition:
                raise ValueError(
                    f"A tool definition needs a 'name' and an 'input_schema': got keys {sorted(definition)}."
                )
            check_input_schema(name, definition["input_schema"])
            if name not in functions:
                raise ValueError(
                    f"Tool {name!r} has a definition but no function to run: pass functions={{{name!r}: ...}}, "
                    "or give the function itself in tools= (it becomes a definition via anthropic.beta_tool)."
                )
            found.append(_Tool(definition, functions.pop(name)))
        elif (hasattr(item, "to_dict") and hasattr(item, "call")) or callable(item):
            runner = item if hasattr(item, "call") else _beta_tool(item)  # a beta_tool object, or a function
            if runner.name in functions:
                raise ValueError(
                    f"Tool {runner.name!r} is a function already: remove {runner.name!r} from functions= "
                    "(functions= is only for tool-definition dicts)."
                )
            found.append(_Tool(dict(runner.to_dict()), runner.func, runner))
        else:
            raise TypeError(
                f"tools= takes tool-definition dicts, anthropic.beta_tool objects or plain functions, "
                f"not {type(item).__name__}."
            )
    names = [t.name for t in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Two tools are named {', '.join(map(repr, duplicates))}: tool names must be unique.")
    if functions:
        raise ValueError(
            f"functions= has {', '.join(map(repr, sorted(functions)))} but no tool of that name is defined in "
            f"tools= (defined: {', '.join(map(repr, names)) or 'none'})."
        )
    return found


def _validator(schema: Mapping[str, Any]) -> Any:
    """A `jsonschema` validator for a tool's input schema, of the draft the schema names (default 2020-12)."""
    import jsonschema

    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)(schema)


def check_input_schema(name: str, schema: Any) -> None:
    """Refuse, before any request, an `input_schema` that is not a valid JSON Schema for an object."""
    import jsonschema

    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise ValueError(
            f'Tool {name!r}: input_schema must be a JSON Schema object with "type": "object", e.g. '
            '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}; '
            f"got {json.dumps(schema, ensure_ascii=False, default=str)[:80]}."
        )
    try:
        jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(schema)
    except jsonschema.SchemaError as error:
        where = "/".join(map(str, error.absolute_path)) or "the top level"
        raise ValueError(
            f"Tool {name!r}: input_schema is not valid JSON Schema at {where}: {error.message}. "
            "Fix the definition; nothing was sent."
        ) from None


def _where(root: str, path: Iterable[Any]) -> str:
    return root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def schema_problems(schema: Mapping[str, Any], value: Any, where: str = "input") -> list[str]:
    """Why `value` does not fit a tool's JSON schema, one readable line per problem (checked by `jsonschema`);
    an empty list when it fits."""
    problems: list[str] = []
    for error in _validator(schema).iter_errors(value):
        here = _where(where, error.absolute_path)
        shown = json.dumps(error.instance, ensure_ascii=False, default=str)
        if error.validator == "type":
            kinds = error.validator_value
            allowed = [kinds] if isinstance(kinds, str) else list(kinds)
            problems.append(f"{here}: expected {' or '.join(allowed)}, got {shown}")
        elif error.validator == "enum":
            problems.append(f"{here}: {shown} is not one of {json.dumps(error.validator_value, ensure_ascii=False)}")
        elif error.validator == "required":
            problems.append(
                f"{here}: missing required property {error.message.removesuffix(' is a required property')}"
            )
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            properties = error.schema.get("properties") or {}
            names = ", ".join(properties) or "none"
            problems.extend(
                f"{here}: unexpected property {name!r} (allowed: {names})"
                for name in error.instance
                if name not in properties
            )
        elif error.validator in ("anyOf", "oneOf"):
            problems.append(f"{here}: fits none of the allowed forms")
        else:
            problems.append(f"{here}: {error.message}")
    return problems


def result_text(value: Any) -> str:
    """A tool's return value as tool_result text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(as_plain(value), ensure_ascii=False, default=str)


def run_tool_call(call: Mapping[str, Any], tools: Mapping[str, _Tool]) -> dict[str, Any]:
    """Run one tool_use block and return its tool_result block. Never raises: an unknown tool, input that
    does not fit the schema, or an exception in the tool becomes a result with `is_error: true`."""

    def error(text: str) -> dict[str, Any]:
        return {"type": "tool_result", "tool_use_id": call["id"], "content": text, "is_error": True}

    tool = tools.get(call["name"])
    if tool is None:
        return error(f"Unknown tool {call['name']!r}. Available tools: {', '.join(tools) or 'none'}.")
    arguments = call.get("input")
    problems = schema_problems(tool.definition["input_schema"], arguments)
    if problems:
        return error(f"Invalid input for {tool.name}: " + "; ".join(problems))
    try:
        keywords = arguments if isinstance(arguments, Mapping) else {}
        value = tool.runner.call(arguments) if tool.runner is not None else tool.function(**keywords)
    except Exception as exc:
        cause = exc.__cause__
        errors = getattr(cause, "errors", None)
        if type(cause).__name__ == "ValidationError" and callable(errors):
            details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors())
            return error(f"Invalid input for {tool.name}: {details}")
        return error(f"{type(exc).__name__}: {exc}")
    return {"type": "tool_result", "tool_use_id": call["id"], "content": result_text(value)}


def set_aside_broken_inputs(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace, in place, the input of each call whose arguments are not a JSON object with `{}` (MiniMax refuses
    a history holding them: 400 "invalid function arguments json string (2013)"); return {call id: what came}."""
    broken = {call["id"]: call.get("input") for call in calls if not isinstance(call.get("input"), dict)}
    for call in calls:
        if call["id"] in broken:
            call["input"] = {}
    return broken


def broken_input_result(call: Mapping[str, Any], arguments: Any) -> dict[str, Any]:
    """The is_error tool_result for a call whose arguments were not a JSON object: what came, and what to send."""
    why = "not a JSON object"
    if isinstance(arguments, str):
        try:
            json.loads(arguments)
        except ValueError as error:
            why = f"not valid JSON ({error})"
    shown = json.dumps(arguments, ensure_ascii=False, default=str)
    text = (
        f"The arguments of this call were {why}, so {call['name']} was not run: got {shown[:300]}. Call "
        f"{call['name']} again with its arguments as one JSON object that fits its input schema."
    )
    return {"type": "tool_result", "tool_use_id": call["id"], "content": text, "is_error": True}


def _plain_blocks(response: anthropic.types.Message) -> list[dict[str, Any]]:
    """Every block exactly as received, as plain dicts (`content: null` is none); a tool input that is not an
    object stays as it came (`set_aside_broken_inputs` deals with those)."""
    blocks: list[dict[str, Any]] = as_plain(list(response.content or []))
    return blocks


# -- the loop ---------------------------------------------------------------------------------------


def keep_paid_work(error: BaseException, history: list[dict[str, Any]], responses: list[Any]) -> None:
    """Give an error raised after a paid model call the run so far (`error.history`, `error.responses`, as
    `MaxTurnsError` has), keeping its own type so `except anthropic.APIStatusError:` still catches it."""
    try:
        error.history = list(history)  # type: ignore[attr-defined]
        error.responses = list(responses)  # type: ignore[attr-defined]
    except AttributeError:  # an exception type that takes no attributes: nothing to keep it in
        return
    error.add_note(
        f"{len(responses)} model call{'s' if len(responses) != 1 else ''} of this run were already paid for: "
        "the history so far is in error.history (it ends with the last tool results), so "
        "run_tools(client, messages=error.history, ...) continues without paying for them or running the tools again."
    )


def _answer_calls(
    calls: list[dict[str, Any]],
    broken: Mapping[str, Any],
    registry: Mapping[str, _Tool],
    on_step: Callable[[dict[str, Any]], None] | None,
    history: list[dict[str, Any]],
    responses: list[Any],
) -> list[dict[str, Any]]:
    """The tool_result of every call of a turn, in order (a call with broken arguments is answered, not run). On
    Ctrl-C the calls not finished get an error result and `ToolsInterrupted` carries the history."""
    results: list[dict[str, Any]] = []
    try:
        for call in calls:
            is_broken = call["id"] in broken
            result = broken_input_result(call, broken[call["id"]]) if is_broken else run_tool_call(call, registry)
            results.append(result)
            if on_step:
                on_step(result)
    except KeyboardInterrupt:
        stopped = [
            {"type": "tool_result", "tool_use_id": c["id"], "content": "Stopped by the user.", "is_error": True}
            for c in calls[len(results) :]
        ]
        history.append({"role": "user", "content": results + stopped})
        raise ToolsInterrupted(history, responses) from None
    return results


def _check_params(messages: Any, max_turns: int, params: Mapping[str, Any]) -> None:
    """Refuse, before any request, arguments that would fail or mislead (see run_tools)."""
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages= must be a non-empty list of messages, e.g. [{'role': 'user', 'content': '...'}].")
    if not isinstance(max_turns, int) or max_turns < 1:
        raise ValueError(f"max_turns must be a whole number of model calls, 1 or more; got {max_turns!r}.")
    sampling = [p for p in SAMPLING_PARAMS if p in params]
    if sampling:
        raise TypeError(
            f"{', '.join(sampling)} is not a keyword of messages.create in anthropic 1.0 and later: "
            f"pass extra_body={{{sampling[0]!r}: ...}} instead (it works on every version)."
        )
    for name in ("model", "max_tokens"):
        if name not in params:
            raise TypeError(f"run_tools needs {name}=..., as messages.create does.")


def _create(client: anthropic.Anthropic, stream: bool, params: dict[str, Any], turn: int) -> anthropic.types.Message:
    """One model call: plain, or streamed live through helpers.stream (one LiveView per turn)."""
    if not stream:
        message: anthropic.types.Message = client.messages.create(**params)
        return message
    from .streaming import LiveView
    from .streaming import stream as stream_turn

    return stream_turn(client, view=LiveView(label=f"{params['model']} · model call {turn}"), **params)


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
    _check_params(messages, max_turns, params)
    registry = {tool.name: tool for tool in collect_tools(tools, functions)}
    definitions = [tool.definition for tool in registry.values()]
    history: list[dict[str, Any]] = [as_plain(m) for m in messages]
    responses: list[anthropic.types.Message] = []
    for turn in range(1, max_turns + 1):
        try:
            response = _create(client, stream, {**params, "messages": history, "tools": definitions}, turn)
        except BaseException as error:  # a 529, a timeout, a dropped connection, Ctrl-C: keep what was paid for
            if responses:
                keep_paid_work(error, history, responses)
            raise
        responses.append(response)
        content = _plain_blocks(response)  # every block, exactly as received; null is none
        if content:  # the Messages API refuses an empty assistant turn before the last: keep the history sendable
            history.append({"role": "assistant", "content": content})
        calls = [block for block in content if block["type"] == "tool_use"]
        broken = set_aside_broken_inputs(calls)  # arguments that are not a JSON object: never run, never sent back
        for block in content:
            if on_step:
                on_step(block)
        if calls and response.stop_reason == "max_tokens":
            raise TruncatedToolCallError(turn, history[:-1], responses)
        text = "".join(block.get("text", "") for block in content if block["type"] == "text")
        if not calls and TEXT_TOOL_CALL in text:
            raise ToolCallAsTextError(turn, history[:-1], responses, text)
        if response.stop_reason != "tool_use" or not calls:
            return ToolRun(response, history, responses)
        results = _answer_calls(calls, broken, registry, on_step, history, responses)
        history.append({"role": "user", "content": results})
        if stream:
            show({"role": "user", "content": results})
    raise MaxTurnsError(max_turns, history, responses)
