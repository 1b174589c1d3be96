"""Tools behind `run_tools` (notebook 03): definitions paired with their functions, the checks made before any
request, one tool call run into its tool_result (never raising: the model reads what went wrong), and the run so far
given to an error after a paid model call. Tool results go to the model, so their text is never translated."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import anthropic
import pydantic

from ._html import as_plain
from ._i18n import gettext as _
from ._i18n import ngettext
from .streaming import SAMPLING_PARAMS

CONTINUE = "run_tools(client, messages=error.history, ...)"
"""How a run that stopped is continued: the errors that keep the run say it."""


@dataclass
class Tool:
    """A tool's definition, its function, and its beta_tool object if any (whose .call() validates with pydantic)."""

    definition: dict[str, Any]
    function: Callable[..., Any]
    runner: Any = None

    @property
    def name(self) -> str:
        return str(self.definition["name"])


def _from_dict(item: Mapping[str, Any], functions: dict[str, Callable[..., Any]]) -> Tool:
    """A definition dict with its function taken out of `functions`, its input schema checked."""
    definition = dict(item)
    name = definition.get("name")
    if not isinstance(name, str) or "input_schema" not in definition:
        message = _("A tool definition needs a 'name' and an 'input_schema': got keys {keys}.")
        raise ValueError(message.format(keys=sorted(definition)))
    check_input_schema(name, definition["input_schema"])
    if name not in functions:
        message = _(
            "Tool {name!r} has a definition but no function to run: pass functions={{{name!r}: ...}}, "
            "or give the function itself in tools= (it becomes a definition via anthropic.beta_tool)."
        )
        raise ValueError(message.format(name=name))
    return Tool(definition, functions.pop(name))


def check_run_arguments(messages: Any, max_turns: int, params: Mapping[str, Any]) -> None:
    """Refuse, before any request, arguments that would fail or mislead (see run_tools): a clear error, nothing sent."""
    if not isinstance(messages, list) or not messages:
        raise ValueError(
            _("messages= must be a non-empty list of messages, e.g. [{'role': 'user', 'content': '...'}].")
        )
    if not isinstance(max_turns, int) or max_turns < 1:
        message = _("max_turns must be a whole number of model calls, 1 or more; got {value!r}.")
        raise ValueError(message.format(value=max_turns))
    sampling = [p for p in SAMPLING_PARAMS if p in params]
    if sampling:
        message = _(
            "{names} is not a keyword of messages.create in anthropic 1.0 and later: "
            "pass extra_body={{{first!r}: ...}} instead (it works on every version)."
        )
        raise TypeError(message.format(names=", ".join(sampling), first=sampling[0]))
    for name in ("model", "max_tokens"):
        if name not in params:
            raise TypeError(_("run_tools needs {name}=..., as messages.create does.").format(name=name))


def collect_tools(tools: Iterable[Any], functions: Mapping[str, Callable[..., Any]] | None = None) -> list[Tool]:
    """Tool definitions paired with the functions that run them; every mistake is reported before a request."""
    if isinstance(tools, (str, Mapping)) or callable(tools) or not isinstance(tools, Iterable):
        message = _("tools= takes a list of tools, e.g. tools=[get_weather], not {kind}.")
        raise TypeError(message.format(kind=type(tools).__name__))
    if functions is not None and not isinstance(functions, Mapping):
        message = _(
            "functions= takes a dict from tool name to the function that runs it, e.g. "
            "functions={{'get_weather': get_weather}}, not {kind}."
        )
        raise TypeError(message.format(kind=type(functions).__name__))
    functions = dict(functions or {})
    found: list[Tool] = []
    for item in tools:
        if isinstance(item, Mapping):
            found.append(_from_dict(item, functions))
            continue
        if not callable(item) and not (hasattr(item, "to_dict") and hasattr(item, "call")):
            message = _(
                "tools= takes tool-definition dicts, anthropic.beta_tool objects or plain functions, not {kind}."
            )
            raise TypeError(message.format(kind=type(item).__name__))
        runner = item if hasattr(item, "call") else anthropic.beta_tool(item)  # a beta_tool object, or a function
        if runner.name in functions:
            message = _(
                "Tool {name!r} is a function already: remove {name!r} from functions= "
                "(functions= is only for tool-definition dicts)."
            )
            raise ValueError(message.format(name=runner.name))
        found.append(Tool(dict(runner.to_dict()), runner.func, runner))
    names = [t.name for t in found]
    duplicates = ", ".join(map(repr, sorted({n for n in names if names.count(n) > 1})))
    if duplicates:
        raise ValueError(_("Two tools are named {names}: tool names must be unique.").format(names=duplicates))
    if functions:
        message = _("functions= has {extra} but no tool of that name is defined in tools= (defined: {names}).")
        shown = ", ".join(map(repr, names)) or _("none")
        raise ValueError(message.format(extra=", ".join(map(repr, sorted(functions))), names=shown))
    return found


def _validator(schema: Any) -> Any:
    """The `jsonschema` validator class of the draft the schema names (default 2020-12); imported when first used."""
    import jsonschema

    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)


def check_input_schema(name: str, schema: Any) -> None:
    """Refuse, before any request, an `input_schema` that is not a valid JSON Schema for an object."""
    import jsonschema

    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        message = _(
            'Tool {name!r}: input_schema must be a JSON Schema object with "type": "object", e.g. '
            '{{"type": "object", "properties": {{"city": {{"type": "string"}}}}, "required": ["city"]}}; got {got}.'
        )
        raise ValueError(message.format(name=name, got=json.dumps(schema, ensure_ascii=False, default=str)[:80]))
    try:
        _validator(schema).check_schema(schema)
    except jsonschema.SchemaError as error:
        where = "/".join(map(str, error.absolute_path)) or _("the top level")
        message = _(
            "Tool {name!r}: input_schema is not valid JSON Schema at {where}: {why}. "
            "Fix the definition; nothing was sent."
        )
        raise ValueError(message.format(name=name, where=where, why=error.message)) from None


def _problem(error: Any, here: str) -> list[str]:
    """One `jsonschema` error as readable lines (sent to the model, so never translated)."""
    shown = json.dumps(error.instance, ensure_ascii=False, default=str)
    kind, expected = error.validator, error.validator_value
    if kind == "type":
        return [f"{here}: expected {' or '.join([expected] if isinstance(expected, str) else expected)}, got {shown}"]
    if kind == "enum":
        return [f"{here}: {shown} is not one of {json.dumps(expected, ensure_ascii=False)}"]
    if kind == "required":
        return [f"{here}: missing required property {error.message.removesuffix(' is a required property')}"]
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties") or {}
        names = ", ".join(allowed) or "none"
        return [f"{here}: unexpected property {n!r} (allowed: {names})" for n in error.instance if n not in allowed]
    return [f"{here}: fits none of the allowed forms" if kind in ("anyOf", "oneOf") else f"{here}: {error.message}"]


def schema_problems(schema: Mapping[str, Any], value: Any) -> list[str]:
    """Why `value` does not fit a tool's JSON schema, one readable line per problem; empty when it fits."""
    problems: list[str] = []
    for error in _validator(schema)(schema).iter_errors(value):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        problems.extend(_problem(error, "input" + path))
    return problems


def error_result(call: Mapping[str, Any], text: str) -> dict[str, Any]:
    """An is_error tool_result answering `call` with `text`."""
    return {"type": "tool_result", "tool_use_id": call["id"], "content": text, "is_error": True}


def run_tool_call(call: Mapping[str, Any], tools: Mapping[str, Tool]) -> dict[str, Any]:
    """Run one tool_use block and return its tool_result block. Never raises: an unknown tool, arguments that are
    not a JSON object or do not fit the schema, or an exception in the tool becomes a result with `is_error: true`."""
    tool, arguments, name = tools.get(call["name"]), call.get("input"), call["name"]
    if not isinstance(arguments, dict):  # not run: say what came, and what to send
        why = "not a JSON object"
        if isinstance(arguments, str):
            try:
                json.loads(arguments)
            except ValueError as error:
                why = f"not valid JSON ({error})"
        shown = json.dumps(arguments, ensure_ascii=False, default=str)[:300]
        return error_result(
            call,
            f"The arguments of this call were {why}, so {name} was not run: got {shown}. Call {name} again with its "
            "arguments as one JSON object that fits its input schema.",
        )
    if tool is None:
        return error_result(call, f"Unknown tool {name!r}. Available tools: {', '.join(tools) or 'none'}.")
    problems = schema_problems(tool.definition["input_schema"], arguments)
    if problems:
        return error_result(call, f"Invalid input for {tool.name}: " + "; ".join(problems))
    try:
        value = tool.runner.call(arguments) if tool.runner is not None else tool.function(**arguments)
    except Exception as exc:
        if isinstance(exc.__cause__, pydantic.ValidationError):  # beta_tool's own check of the arguments
            details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.__cause__.errors())
            return error_result(call, f"Invalid input for {tool.name}: {details}")
        return error_result(call, f"{type(exc).__name__}: {exc}")
    text = value if isinstance(value, str) else json.dumps(as_plain(value), ensure_ascii=False, default=str)
    return {"type": "tool_result", "tool_use_id": call["id"], "content": text}


def keep_paid_work(error: BaseException, history: list[dict[str, Any]], responses: list[Any]) -> None:
    """Give an error raised after a paid model call the run so far (`error.history`, `error.responses`), keeping
    its own type so `except anthropic.APIStatusError:` still catches it."""
    try:
        error.history = list(history)  # type: ignore[attr-defined]
        error.responses = list(responses)  # type: ignore[attr-defined]
    except AttributeError:  # an exception type that takes no attributes: nothing to keep it in
        return
    note = ngettext(
        "{count} model call of this run were already paid for: the history so far is in error.history (it ends "
        "with the last tool results), so {again} continues without paying for them or running the tools again.",
        "{count} model calls of this run were already paid for: the history so far is in error.history (it ends "
        "with the last tool results), so {again} continues without paying for them or running the tools again.",
        len(responses),
    )
    error.add_note(note.format(count=len(responses), again=CONTINUE))
