"""Checks for notebook 03's exercises, on made-up data (no model call): 03.1 a tool definition written by hand;
03.2 answer every tool call of a turn (unknown tools, failures, arguments that are not a JSON object); 03.3 a loop
that ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._html import as_plain
from .._i18n import gettext as _
from .feedback import Feedback, call_answer, roles, sdk_message


def check_definition(definition: Any) -> Feedback:
    """A `convert_currency` tool with amount (number), from_currency and to_currency (strings), all required."""
    feedback = Feedback("03.1", _("a tool definition for convert_currency"))
    if not feedback.ok(
        isinstance(definition, Mapping), _("it is a dict"), _("Give a dict with name, description, input_schema.")
    ):
        return feedback
    feedback.ok(
        definition.get("name") == "convert_currency",
        _("name is 'convert_currency'"),
        _("Set 'name' to 'convert_currency' (the model calls the tool by this name)."),
    )
    description = definition.get("description")
    feedback.ok(
        isinstance(description, str) and len(description.strip()) >= 10,
        _("it has a description the model can read"),
        _("Add a 'description' sentence: the model decides when to use the tool from it."),
    )
    schema = definition.get("input_schema")
    if not feedback.ok(
        isinstance(schema, Mapping) and schema.get("type") == "object",
        _("input_schema is a JSON Schema object"),
        _("Add 'input_schema': {'type': 'object', 'properties': {...}, 'required': [...]}."),
    ):
        return feedback
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    expected = {"amount": ("number",), "from_currency": ("string",), "to_currency": ("string",)}
    for name, types in expected.items():
        spec = properties.get(name)
        kind = spec.get("type") if isinstance(spec, Mapping) else None
        wrong = _("Add property {name!r} with 'type': {types!r} under input_schema.properties.")
        feedback.ok(kind in types, _("property {name!r} is a {types}"), wrong, name=name, types=types[0])
    required = set(schema.get("required") or [])
    wrong = _("List {names} in input_schema.required (missing: {missing}).")
    lacking = sorted(set(expected) - required)
    feedback.ok(not lacking, _("all three properties are required"), wrong, names=sorted(expected), missing=lacking)
    return feedback


BROKEN_ARGUMENTS = "{'a': 2, 'b': 3}"
"""The fourth call's arguments: Python's quotes, not JSON, arriving as a string (the shape notebook 03 shows)."""


def _response() -> Any:
    """A real SDK `Message` asking for four tools in one turn: one that works, one that raises, one unknown, and one
    whose arguments are not a JSON object."""
    calls = [
        {"type": "tool_use", "id": "call_function_1111111111_1", "name": "add", "input": {"a": 2, "b": 3}},
        {"type": "tool_use", "id": "call_function_1111111111_2", "name": "divide", "input": {"a": 1, "b": 0}},
        {"type": "tool_use", "id": "call_function_1111111111_3", "name": "teleport", "input": {"to": "Mars"}},
        {"type": "tool_use", "id": "call_function_1111111111_4", "name": "add", "input": {}},
    ]
    message = sdk_message(
        [{"type": "thinking", "thinking": "Three calls.", "signature": "ab" * 32}, *calls], "tool_use"
    )
    broken: Any = message.content[-1]
    broken.input = BROKEN_ARGUMENTS  # as the SDK keeps what the server sent, unchecked
    return message


def check_safe_results(function: Callable[..., Any]) -> Feedback:
    """One user message, one tool_result per call (ids in order), errors, unknown tools and arguments that are not
    a JSON object as is_error (the last without calling the function)."""
    feedback = Feedback("03.2", _("answer every tool call, failures included"))
    if not feedback.needs_function(function):
        return feedback
    added: list[Any] = []

    def add(a: Any, b: Any) -> Any:
        added.append((a, b))
        return a + b

    functions = {"add": add, "divide": lambda a, b: a / b}
    result, error = call_answer(function, _response(), functions)
    if error:
        kind, _colon, message = error.partition(": ")
        feedback.miss(_("Your function raised {kind}: {error}. Catch errors per call."), kind=kind, error=message)
        return feedback
    message = as_plain(result)
    if not feedback.ok(
        isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), list),
        _("it returns one user message with a list of blocks"),
        _("Return {'role': 'user', 'content': [ ...tool_result blocks... ]}."),
    ):
        return feedback
    blocks = [b if isinstance(b, dict) else {} for b in message["content"]]  # a block that is not a dict fits nothing
    ids = [b.get("tool_use_id") for b in blocks]
    right = _("one tool_result per call, with the call's id, in order")
    wrong = _("Give one {{'type': 'tool_result', 'tool_use_id': block.id, ...}} per tool_use block; got ids {ids}.")
    answered = ids == [f"call_function_1111111111_{n}" for n in (1, 2, 3, 4)]
    feedback.ok(answered and all(b.get("type") == "tool_result" for b in blocks), right, wrong, ids=ids)
    if len(blocks) == 4:
        _check_four_results(feedback, blocks, added)
    return feedback


def _check_four_results(feedback: Feedback, blocks: list[dict[str, Any]], added: list[Any]) -> None:
    """03.2's four results: a working tool, one that raised, an unknown one, and arguments that are not an object."""
    ok, failed, unknown, broken = blocks
    feedback.ok(
        str(ok.get("content")) == "5" and not ok.get("is_error"),
        _("a working tool's output is the content, with no is_error"),
        _("For add(2, 3) send content '5' and leave is_error out (or False)."),
    )
    feedback.ok(
        failed.get("is_error") is True and "division by zero" in str(failed.get("content")),
        _("a tool that raises gives is_error and the error text"),
        _("When the function raises, send is_error: True and the error text (e.g. f'{type(e).__name__}: {e}')."),
    )
    text = str(unknown.get("content"))
    feedback.ok(
        unknown.get("is_error") is True and "add" in text and "divide" in text,
        _("an unknown tool gives is_error and lists the available tools"),
        _("For an unknown name send is_error: True and a content naming the tools that exist (add, divide)."),
    )
    feedback.ok(
        broken.get("is_error") is True and "json" in str(broken.get("content")).lower() and len(added) <= 1,
        _("arguments that are not a JSON object give is_error, say so, and run nothing"),
        _(
            "The fourth call's input is the string {arguments!r}, not a dict: do not call the function; send "
            "is_error: True and a content saying its arguments must be a JSON object."
        ),
        arguments=BROKEN_ARGUMENTS,
    )


def _reply(number: int, tool: bool) -> Any:
    """A real SDK `Message`: a tool call (stop_reason tool_use) or a final answer."""
    thinking = {"type": "thinking", "thinking": f"Step {number}.", "signature": "ab" * 32}
    last: dict[str, Any] = (
        {"type": "tool_use", "id": f"call_function_{number}_1", "name": "get_weather", "input": {"city": "Oslo"}}
        if tool
        else {"type": "text", "text": "It is 3 °C in Oslo."}
    )
    return sdk_message([thinking, last], "tool_use" if tool else "end_turn", number)


def bounded_loop(function: Callable[..., Any]) -> Feedback:
    """Exercise 03.3: `function(send, functions, history, max_calls)` runs a tool loop that ends: it returns the
    history once the model answers, and raises RuntimeError after `max_calls` model calls without an answer."""
    feedback = Feedback("03.3", _("a tool loop that ends"))
    if not feedback.needs_function(function):
        return feedback
    functions = {"get_weather": lambda city: f"{city}: 3 °C"}

    def scripted(tool_turns: int) -> tuple[Callable[[list[Any]], Any], list[int]]:
        calls: list[int] = []

        def send(history: list[Any]) -> Any:
            calls.append(len(history))
            return _reply(len(calls), tool=len(calls) <= tool_turns)

        return send, calls

    send, calls = scripted(1)
    question = {"role": "user", "content": "Weather in Oslo?"}
    history, error = call_answer(function, send, functions, [question], 3)
    if feedback.ok(
        error is None, _("a conversation that ends returns"), _("one tool round then an answer: {error}"), error=error
    ):
        got = roles(history)
        right = _("the history is question, tool call, tool result, answer (2 model calls)")
        wrong = _("expected roles user, assistant, user, assistant after 2 calls; got {roles} after {count} calls")
        ended = got == ["user", "assistant", "user", "assistant"] and calls == [1, 3]
        feedback.ok(ended, right, wrong, roles=got, count=len(calls))
        if len(got) == 4:
            results = as_plain(history[2]["content"])
            feedback.ok(
                isinstance(results, list)
                and [r.get("tool_use_id") for r in results] == ["call_function_1_1"]
                and results[0].get("content") == "Oslo: 3 °C",
                _("the tool result names the call's id and holds the tool's output"),
                _("answer the tool call with a tool_result naming its id, content the function's output"),
            )
    send, calls = scripted(100)
    _unused, error = call_answer(function, send, functions, [question], 3)
    right = _("a model that never stops is cut off after max_calls calls with a RuntimeError")
    wrong = _(
        "a model that always asks for a tool: expected RuntimeError after 3 calls, got {error} after {count} calls"
    )
    cut = error is not None and error.startswith("RuntimeError") and len(calls) == 3
    feedback.ok(cut, right, wrong, error=error or _("no error"), count=len(calls))
    return feedback
