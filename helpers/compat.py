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
from ._i18n import N_
from ._i18n import gettext as _
from .models import MODELS, TAUGHT_MODELS, Model


@dataclass(frozen=True)
class Support:
    """One row of the compatibility tables: a request parameter or a content-block type."""

    name: str
    status: Literal["supported", "partial", "no effect", "ignored", "not supported"]
    note: str
    """In English, marked with `N_()`: `table_rows` shows it in the learner's language."""


PARAMETERS: tuple[Support, ...] = (
    Support(
        "model", "supported", N_("MiniMax-M2.1, MiniMax-M2.1-lightning, MiniMax-M2; later models in helpers.models")
    ),
    Support("messages", "partial", N_("text, tool calls, tool results and thinking; no image or document input")),
    Support("max_tokens", "supported", N_("thinking tokens count against it")),
    Support("stream", "supported", N_("server-sent events, same shape as Anthropic's")),
    Support("system", "supported", N_("a string or a list of text blocks")),
    Support("temperature", "supported", N_("range (0.0, 1.0]; outside it MiniMax answers an error; 1 is recommended")),
    Support(
        "top_p", "supported", N_("nucleus sampling; range (0.0, 1.0] as Anthropic defines it (MiniMax gives none)")
    ),
    Support("tool_choice", "supported", N_("Anthropic's values auto, any, tool, none (MiniMax lists none)")),
    Support("tools", "supported", N_("client tools with a JSON schema")),
    Support("metadata", "supported", N_("metadata.user_id, as Anthropic defines it (MiniMax gives no meaning)")),
    Support("thinking", "no effect", N_("M2.x models always think; the parameter changes nothing")),
    Support("top_k", "ignored", N_("accepted and ignored")),
    Support("stop_sequences", "ignored", N_("accepted and ignored: generation does not stop at them")),
    *(
        Support(name, "ignored", N_("accepted and ignored"))
        for name in ("service_tier", "mcp_servers", "context_management", "container")
    ),
)
"""Request parameters (spec: Supported Parameters; `thinking` per its Important Notes and later doc pages)."""

CONTENT_TYPES: tuple[Support, ...] = (
    Support("text", "supported", N_("text messages")),
    Support("tool_use", "supported", N_("tool calls (sent back in the assistant turn)")),
    Support("tool_result", "supported", N_("tool call results")),
    Support("thinking", "supported", N_("reasoning blocks, sent back unchanged")),
    Support("image", "not supported", N_("image input is not supported")),
    Support("document", "not supported", N_("document input is not supported")),
)
"""Content-block types inside `messages` (spec: Messages Field Support)."""

STATUS_WORDS = (N_("supported"), N_("partial"), N_("no effect"), N_("ignored"), N_("not supported"))
"""The statuses marked for translation: `table_rows` shows each in the learner's language; code compares them."""


def table_rows(kind: Literal["parameters", "content"] = "parameters") -> list[dict[str, str]]:
    """One table as plain rows (name, status, note), for pandas or printing: status and note in the language the
    helpers speak (helpers.set_language), names as the API spells them."""
    table = PARAMETERS if kind == "parameters" else CONTENT_TYPES
    return [asdict(row) | {"status": _(row.status), "note": _(row.note)} for row in table]


@dataclass(frozen=True)
class Finding:
    """One thing the check found: its level, a stable code, where in the request, and what to do."""

    level: Literal["error", "warning", "note"]
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
        super().__init__(_("MiniMax cannot serve this request; nothing was sent.") + "\n" + "\n".join(lines))


class MiniMaxCompatWarning(UserWarning):
    """A parameter MiniMax ignores, or a model name it does not serve: the request is sent anyway."""


class MiniMaxNote(UserWarning):
    """Something worth knowing about a request that does no harm (e.g. `thinking`, which has no effect)."""


def _check_sampling(name: str, value: Any, model: Model | None = None) -> Finding | None:
    """An error when `temperature` or `top_p` is outside the model's range (helpers.models), None when it fits."""
    low, high, low_included = model.temperature_range if model and name == "temperature" else (0.0, 1.0, False)
    number = None if isinstance(value, bool) or not isinstance(value, (int, float)) else float(value)
    if number is not None and low <= number <= high and (low_included or number > low):  # NaN fails every test
        return None
    span = f"{'[' if low_included else '('}{low}, {high}]"  # as the docs write a range
    words = _("at least {low:g}, at most {high:g}") if low_included else _("above {low:g}, at most {high:g}")
    words = words.format(low=low, high=high)
    fix = _("1.0 (MiniMax's recommended temperature)") if name == "temperature" else _("a value such as 0.95")
    text = _("{name}={value!r} is outside the range MiniMax accepts, {span} ({words}). Use {fix}.")
    if model is not None:
        text = _("{name}={value!r} is outside the range MiniMax accepts for {model}, {span} ({words}). Use {fix}.")
    message = text.format(name=name, value=value, model=model.name if model else "", span=span, words=words, fix=fix)
    return Finding("error", f"{name}-range", name, message)


_UNSET = (anthropic.NotGiven, anthropic.Omit)  # the SDK's markers for an argument left unset: never sent


def check_request(**params: Any) -> list[Finding]:
    """Check a `messages.create` request (its keyword arguments, `extra_body` merged in as the SDK does) against what
    MiniMax supports: the findings, errors first, [] for none. NOT_GIVEN, omit and None (sets nothing) are absent."""
    extra = params.get("extra_body")
    body = {k: v for k, v in params.items() if k != "extra_body"} | (dict(extra) if isinstance(extra, Mapping) else {})
    return check_body(as_plain(body))


def check_numbers(body: Mapping[str, Any]) -> list[Finding]:
    """Errors for NaN or infinite numbers anywhere in a request body (JSON has neither); `temperature` and `top_p`
    say their range. One walk with a stack: it runs before every request."""
    found: list[Finding] = []
    todo: list[tuple[str, Any]] = [("", body)]
    while todo:
        where, value = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            where = where or "body"
            sampling = _check_sampling(where, value) if where in ("temperature", "top_p") else None
            text = _("{where} is NaN or infinite, which JSON cannot carry. Give a number.").format(where=where)
            found.append(sampling or Finding("error", "not-a-number", where, text))
        elif isinstance(value, Mapping):
            todo.extend(reversed([(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]))
        elif isinstance(value, (list, tuple)):
            todo.extend(reversed([(f"{where}[{i}]", v) for i, v in enumerate(value)]))
    return found


_IGNORED = tuple(row.name for row in PARAMETERS if row.status == "ignored")
_REFUSED = {row.name: row.note for row in CONTENT_TYPES if row.status == "not supported"}
_IMAGE_MODELS = ", ".join(m.name for m in MODELS.values() if m.images)


def check_body(body: Mapping[str, Any]) -> list[Finding]:
    """`check_request` on a request body as it goes over the wire (a JSON object): one pass, errors first."""
    body = {name: value for name, value in body.items() if value is not None and not isinstance(value, _UNSET)}
    found = [f for f in check_numbers(body) if f.where not in ("temperature", "top_p")]
    messages, name, budget = body.get("messages"), body.get("model"), body.get("max_tokens")
    model = MODELS.get(name) if isinstance(name, str) else None
    if isinstance(messages, (list, tuple)) and not messages:
        text = _("messages is empty. Give at least one message, e.g. [{'role': 'user', 'content': 'Hello'}].")
        found.append(Finding("error", "messages-empty", "messages", text))
    refused: list[tuple[str, str]] = []  # (where, type) of each block MiniMax cannot take, nested ones included
    for i, message in enumerate(messages if isinstance(messages, (list, tuple)) else ()):
        role = message.get("role") if isinstance(message, Mapping) else None
        if role not in ("user", "assistant"):  # MiniMax answers 2013 for 'system': the system prompt goes in system=
            found.append(Finding("error", "message-role", f"messages[{i}].role", _role_text(role)))
        content = message.get("content") if isinstance(message, Mapping) else None
        for j, block in enumerate(content if isinstance(content, (list, tuple)) else ()):
            inner = block.get("content") if isinstance(block, Mapping) else None
            for k, part in enumerate([block, *(inner if isinstance(inner, (list, tuple)) else ())]):
                kind = str(part.get("type")) if isinstance(part, Mapping) else None
                if kind in _REFUSED and not (kind == "image" and model is not None and model.images):
                    refused.append((f"messages[{i}].content[{j}]" + (f".content[{k - 1}]" if k else ""), kind))
    if "model" in body and (not isinstance(name, str) or not name.strip()):
        text = _("model={name!r} names no model: give one, e.g. 'MiniMax-M2.1'.").format(name=name)
        found.append(Finding("error", "model-empty", "model", text))
    if "max_tokens" in body and (isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0):
        text = _(
            "max_tokens={budget!r} must be a whole number above 0 (thinking counts against it: give room, "
            "e.g. max_tokens=1000)."
        ).format(budget=budget)
        found.append(Finding("error", "max-tokens", "max_tokens", text))
    found += [f for key in ("temperature", "top_p") if key in body and (f := _check_sampling(key, body[key], model))]
    found += [Finding("error", "unsupported-content", where, _refused_text(kind, name)) for where, kind in refused]
    if isinstance(name, str) and model is None:
        text = _(
            "{name!r} is not a model this collection was written for (the endpoint may still serve it). "
            "The notebooks teach {taught}; helpers.models.MODELS lists the later ones."
        ).format(name=name, taught=", ".join(TAUGHT_MODELS))
        found.append(Finding("warning", "unknown-model", "model", text))
    if "thinking" in body and (finding := _thinking_finding(body["thinking"], model)):
        found.append(finding)
    for key in _IGNORED:
        if key in body and not (key == "service_tier" and model and model.service_tier):
            text = _("MiniMax ignores {key}: it is accepted and has no effect. Leave it out.").format(key=key)
            found.append(Finding("warning", "ignored-parameter", key, text))
    return sorted(found, key=lambda f: ("error", "warning", "note").index(f.level))


def _role_text(role: Any) -> str:
    """Why a message's role was refused, and (for 'system') where a system prompt goes instead."""
    text = _("role {role!r} is not one MiniMax accepts: use 'user' or 'assistant'.")
    if role == "system":
        text = _(
            "role {role!r} is not one MiniMax accepts: use 'user' or 'assistant'. "
            "Put a system prompt in system=... instead."
        )
    return text.format(role=role)


def _refused_text(kind: str, name: Any) -> str:
    """Why an image or document block was refused, for the model the request names, and what to send instead."""
    text = _(
        "an {kind!r} block: {model} on MiniMax's Anthropic-compatible endpoint accepts text, tool calls and "
        "tool results only ({why}). Describe the {kind} in text, or extract its text first."
    )
    if kind == "image":
        text = _(
            "an {kind!r} block: {model} on MiniMax's Anthropic-compatible endpoint accepts text, tool calls and "
            "tool results only ({why}). Describe the {kind} in text, or extract its text first. Of the models "
            "in helpers.models, only {image_models} take images."
        )
    return text.format(kind=kind, model=name or _("this model"), why=_(_REFUSED[kind]), image_models=_IMAGE_MODELS)


def _thinking_finding(thinking: Any, model: Model | None) -> Finding | None:
    """The `thinking` parameter under the model's own rule: no effect on M2.x (they always think); on M3 only
    'adaptive' or 'disabled' (MiniMax refuses 'enabled' with a 2013 error)."""
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if model is None or model.thinking != "adaptive":
        text = _("M2.x models always think; the thinking parameter has no effect on MiniMax. Leave it out.")
        return Finding("note", "thinking-no-effect", "thinking", text)
    if kind in ("adaptive", "disabled"):
        return None
    text = _(
        "{model} takes thinking={{'type': 'adaptive'}} (thinks when useful) or {{'type': 'disabled'}}; "
        "MiniMax refuses {kind!r} with a 2013 error. Without thinking= it does not think."
    ).format(model=model.name, kind=kind)
    return Finding("error", "thinking-type", "thinking", text)


_shown: set[tuple[str, str]] = set()  # (code, where) of each warning and note shown in this process: once each


def reset_shown() -> None:
    """Forget which warnings were shown, so they appear again (tests, or a fresh start in a notebook)."""
    _shown.clear()


def check_hook(method: str, path: str, body: Any) -> None:
    """The transport's pre-send hook on `POST /v1/messages` (and count_tokens) bodies: raise on errors, warn once
    per (code, where) on the rest, at a fixed location so the text is the same on every machine."""
    if method.upper() != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens"):
        return
    findings = check_body(body) if isinstance(body, Mapping) else []
    if errors := [f for f in findings if f.level == "error"]:
        raise RequestNotSupportedError(errors)
    for f in findings:
        if (f.code, f.where) not in _shown:
            _shown.add((f.code, f.where))
            category = MiniMaxNote if f.level == "note" else MiniMaxCompatWarning
            warnings.warn_explicit(f.message, category, filename="minimax", lineno=0, module="helpers.compat")
