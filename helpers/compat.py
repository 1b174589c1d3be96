"""What MiniMax's Anthropic-compatible endpoint supports, as one table (the spec's, made precise by docs/sources.md),
and the checks made from it (notebook 05): `check_request` returns findings as data; `check_hook` runs them on every
request a `get_client` client sends (errors raise; warnings and notes show once per parameter per process)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import anthropic

from ._html import as_plain
from .models import MODELS, TAUGHT_MODELS, Model

Status = Literal["supported", "partial", "no effect", "ignored", "not supported"]
Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Support:
    """One row of the compatibility tables: a request parameter or a content-block type."""

    name: str
    status: Status
    note: str


PARAMETERS: tuple[Support, ...] = (
    Support("model", "supported", "MiniMax-M2.1, MiniMax-M2.1-lightning, MiniMax-M2; later models in helpers.models"),
    Support("messages", "partial", "text, tool calls, tool results and thinking; no image or document input"),
    Support("max_tokens", "supported", "thinking tokens count against it"),
    Support("stream", "supported", "server-sent events, same shape as Anthropic's"),
    Support("system", "supported", "a string or a list of text blocks"),
    Support("temperature", "supported", "range (0.0, 1.0]; outside it MiniMax answers an error; 1 is recommended"),
    Support("top_p", "supported", "nucleus sampling; range (0.0, 1.0] as Anthropic defines it (MiniMax gives none)"),
    Support("tool_choice", "supported", "Anthropic's values auto, any, tool, none (MiniMax lists none)"),
    Support("tools", "supported", "client tools with a JSON schema"),
    Support("metadata", "supported", "metadata.user_id, as Anthropic defines it (MiniMax gives no meaning)"),
    Support("thinking", "no effect", "M2.x models always think; the parameter changes nothing"),
    Support("top_k", "ignored", "accepted and ignored"),
    Support("stop_sequences", "ignored", "accepted and ignored: generation does not stop at them"),
    Support("service_tier", "ignored", "accepted and ignored"),
    Support("mcp_servers", "ignored", "accepted and ignored"),
    Support("context_management", "ignored", "accepted and ignored"),
    Support("container", "ignored", "accepted and ignored"),
)
"""Request parameters (spec: Supported Parameters; `thinking` per its Important Notes and later doc pages)."""

CONTENT_TYPES: tuple[Support, ...] = (
    Support("text", "supported", "text messages"),
    Support("tool_use", "supported", "tool calls (sent back in the assistant turn)"),
    Support("tool_result", "supported", "tool call results"),
    Support("thinking", "supported", "reasoning blocks, sent back unchanged"),
    Support("image", "not supported", "image input is not supported"),
    Support("document", "not supported", "document input is not supported"),
)
"""Content-block types inside `messages` (spec: Messages Field Support)."""


def support_of(name: str, table: tuple[Support, ...] = PARAMETERS) -> Support | None:
    """The row for `name` in `table`, or None when the spec does not mention it."""
    return next((row for row in table if row.name == name), None)


def table_rows(kind: Literal["parameters", "content"] = "parameters") -> list[dict[str, str]]:
    """One table as plain rows (name, status, note), for pandas or printing."""
    table = PARAMETERS if kind == "parameters" else CONTENT_TYPES
    return [asdict(row) for row in table]


@dataclass(frozen=True)
class Finding:
    """One thing the check found: its level, a stable code, where in the request, and what to do."""

    level: Level
    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


class RequestNotSupportedError(anthropic.AnthropicError, ValueError):
    """A request MiniMax cannot serve, caught before it was sent; the message lists each problem and its fix. An
    `anthropic.AnthropicError`, so that the SDK passes it through from its HTTP layer unchanged."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        lines = [f"  - {f.where}: {f.message}" for f in findings]
        super().__init__("MiniMax cannot serve this request; nothing was sent.\n" + "\n".join(lines))


class MiniMaxCompatWarning(UserWarning):
    """A parameter MiniMax ignores, or a model name it does not serve: the request is sent anyway."""


class MiniMaxNote(UserWarning):
    """Something worth knowing about a request that does no harm (e.g. `thinking`, which has no effect)."""


def _check_sampling(name: str, value: Any, model: Model | None = None) -> Finding | None:
    """An error when `temperature` or `top_p` is outside the model's range: (0.0, 1.0] for M2.x (and a model outside
    the catalogue), [0, 2] for M3's temperature (helpers.models). None when it fits."""
    low, high, low_included = model.temperature_range if model and name == "temperature" else (0.0, 1.0, False)
    number = None if isinstance(value, bool) or not isinstance(value, (int, float)) else float(value)
    if number is not None and low <= number <= high and (low_included or number > low):  # NaN fails every test
        return None
    span = f"{'[' if low_included else '('}{low}, {high}]"  # as the docs write a range
    words = f"{'at least' if low_included else 'above'} {low:g}, at most {high:g}"
    fix = "1.0 (MiniMax's recommended temperature)" if name == "temperature" else "a value such as 0.95"
    whose = f" for {model.name}" if model is not None else ""
    message = f"{name}={value!r} is outside the range MiniMax accepts{whose}, {span} ({words}). Use {fix}."
    return Finding("error", f"{name}-range", name, message)


_UNSET = (anthropic.NotGiven, anthropic.Omit)
"""The SDK's markers for an argument left unset (`anthropic.NOT_GIVEN`, `anthropic.omit`): never sent."""


def check_request(**params: Any) -> list[Finding]:
    """Check a `messages.create` request (its keyword arguments, `extra_body` merged in as the SDK does) against what
    MiniMax supports: the findings, errors first, [] for none. NOT_GIVEN, omit and None (sets nothing) are absent."""
    extra = params.get("extra_body")
    body = {k: v for k, v in params.items() if k != "extra_body"} | (dict(extra) if isinstance(extra, Mapping) else {})
    return check_body(as_plain(body))


ROLES = ("user", "assistant")
"""The roles a message may have; the system prompt goes in `system=` (MiniMax answers 2013 for role 'system')."""


def check_numbers(body: Mapping[str, Any]) -> list[Finding]:
    """Errors for NaN or infinite numbers anywhere in a request body (JSON has neither, so the SDK could not send
    it); `temperature` and `top_p` say their range. One walk with a stack: it runs before every request."""
    found: list[Finding] = []
    todo: list[tuple[str, Any]] = [("", body)]
    while todo:
        where, value = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            where = where or "body"
            sampling = _check_sampling(where, value) if where in ("temperature", "top_p") else None
            text = f"{where} is NaN or infinite, which JSON cannot carry. Give a number."
            found.append(sampling or Finding("error", "not-a-number", where, text))
        elif isinstance(value, Mapping):
            todo.extend(reversed([(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]))
        elif isinstance(value, (list, tuple)):
            todo.extend(reversed([(f"{where}[{i}]", v) for i, v in enumerate(value)]))
    return found


_IGNORED = tuple(row.name for row in PARAMETERS if row.status == "ignored")
_REFUSED = {row.name: row.note for row in CONTENT_TYPES if row.status == "not supported"}
_IMAGE_MODELS = ", ".join(m.name for m in MODELS.values() if m.images)
_BUDGET_TEXT = "must be a whole number above 0 (thinking counts against it: give room, e.g. max_tokens=1000)."


def check_body(body: Mapping[str, Any]) -> list[Finding]:
    """`check_request` on a request body as it goes over the wire (a JSON object): one pass, errors first."""
    body = {name: value for name, value in body.items() if value is not None and not isinstance(value, _UNSET)}
    found = [f for f in check_numbers(body) if f.where not in ("temperature", "top_p")]
    messages, name, budget = body.get("messages"), body.get("model"), body.get("max_tokens")
    model = MODELS.get(name) if isinstance(name, str) else None
    if isinstance(messages, (list, tuple)) and not messages:
        fix = "Give at least one message, e.g. [{'role': 'user', 'content': 'Hello'}]."
        found.append(Finding("error", "messages-empty", "messages", f"messages is empty. {fix}"))
    refused: list[tuple[str, str]] = []  # (where, type) of each block MiniMax cannot take, nested ones included
    for i, message in enumerate(messages if isinstance(messages, (list, tuple)) else ()):
        role = message.get("role") if isinstance(message, Mapping) else None
        if role not in ROLES:
            fix = " Put a system prompt in system=... instead." if role == "system" else ""
            text = f"role {role!r} is not one MiniMax accepts: use 'user' or 'assistant'.{fix}"
            found.append(Finding("error", "message-role", f"messages[{i}].role", text))
        content = message.get("content") if isinstance(message, Mapping) else None
        for j, block in enumerate(content if isinstance(content, (list, tuple)) else ()):
            inner = block.get("content") if isinstance(block, Mapping) else None
            for k, part in enumerate([block, *(inner if isinstance(inner, (list, tuple)) else ())]):
                kind = str(part.get("type")) if isinstance(part, Mapping) else None
                if kind in _REFUSED and not (kind == "image" and model is not None and model.images):
                    refused.append((f"messages[{i}].content[{j}]" + (f".content[{k - 1}]" if k else ""), kind))
    if "model" in body and (not isinstance(name, str) or not name.strip()):
        text = f"model={name!r} names no model: give one, e.g. 'MiniMax-M2.1'."
        found.append(Finding("error", "model-empty", "model", text))
    if "max_tokens" in body and (isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0):
        found.append(Finding("error", "max-tokens", "max_tokens", f"max_tokens={budget!r} {_BUDGET_TEXT}"))
    found += [f for key in ("temperature", "top_p") if key in body and (f := _check_sampling(key, body[key], model))]
    for where, kind in refused:
        also = f" Of the models in helpers.models, only {_IMAGE_MODELS} take images." if kind == "image" else ""
        text = (
            f"an {kind!r} block: {name or 'this model'} on MiniMax's Anthropic-compatible endpoint accepts text, "
            f"tool calls and tool results only ({_REFUSED[kind]}). Describe the {kind} in text, or extract its text "
            f"first.{also}"
        )
        found.append(Finding("error", "unsupported-content", where, text))
    if isinstance(name, str) and model is None:
        text = (
            f"{name!r} is not a model this collection was written for (the endpoint may still serve it). "
            f"The notebooks teach {', '.join(TAUGHT_MODELS)}; helpers.models.MODELS lists the later ones."
        )
        found.append(Finding("warning", "unknown-model", "model", text))
    if "thinking" in body and (finding := _thinking_finding(body["thinking"], model)):
        found.append(finding)
    for key in _IGNORED:
        if key in body and not (key == "service_tier" and model and model.service_tier):
            text = f"MiniMax ignores {key}: it is accepted and has no effect. Leave it out."
            found.append(Finding("warning", "ignored-parameter", key, text))
    return sorted(found, key=lambda f: ("error", "warning", "note").index(f.level))


def _thinking_finding(thinking: Any, model: Model | None) -> Finding | None:
    """The `thinking` parameter under the model's own rule: no effect on M2.x (they always think); on M3 only
    'adaptive' or 'disabled' (MiniMax refuses 'enabled' with a 2013 error)."""
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if model is None or model.thinking != "adaptive":
        text = "M2.x models always think; the thinking parameter has no effect on MiniMax. Leave it out."
        return Finding("note", "thinking-no-effect", "thinking", text)
    if kind in ("adaptive", "disabled"):
        return None
    text = (
        f"{model.name} takes thinking={{'type': 'adaptive'}} (thinks when useful) or {{'type': 'disabled'}}; "
        f"MiniMax refuses {kind!r} with a 2013 error. Without thinking= it does not think."
    )
    return Finding("error", "thinking-type", "thinking", text)


_shown: set[tuple[str, str]] = set()
"""(code, where) of the warnings and notes already shown in this process: each is shown once."""


def reset_shown() -> None:
    """Forget which warnings were shown, so they appear again (tests, or a fresh start in a notebook)."""
    _shown.clear()


def check_hook(method: str, path: str, body: Any) -> None:
    """The transport's pre-send hook on `POST /v1/messages` (and count_tokens) bodies: raise on errors, warn once
    per (code, where) on the rest, at a fixed location so the text is the same on every machine."""
    if method.upper() != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens"):
        return
    findings = check_body(body) if isinstance(body, Mapping) else []
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise RequestNotSupportedError(errors)
    for f in findings:
        if (f.code, f.where) not in _shown:
            _shown.add((f.code, f.where))
            category = MiniMaxNote if f.level == "note" else MiniMaxCompatWarning
            warnings.warn_explicit(f.message, category, filename="minimax", lineno=0, module="helpers.compat")
