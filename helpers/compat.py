"""What MiniMax's Anthropic-compatible endpoint supports, as one table, and the checks made from it.

`PARAMETERS` and `CONTENT_TYPES` restate the spec's compatibility tables (with the sources (docs/sources.md) where
they are more precise). `check_request(**params)` reads them and returns findings as data; `enforce(body)`
is what the client from `get_client` runs on every request before it is sent: errors raise, warnings and
notes are shown once per parameter per process. Notebook 05 builds its tables from the same data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import anthropic

from ._html import field
from .models import MODELS, Model, model_info
from .models import TAUGHT_MODELS as SUPPORTED_MODELS

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


# -- findings ----------------------------------------------------------------------------------------


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
    """A request MiniMax cannot serve, caught before it was sent. The message lists each problem and its fix.

    It subclasses `anthropic.AnthropicError` so that the SDK passes it through from its HTTP layer unchanged."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        lines = [f"  - {f.where}: {f.message}" for f in findings]
        super().__init__("MiniMax cannot serve this request; nothing was sent.\n" + "\n".join(lines))


class MiniMaxCompatWarning(UserWarning):
    """A parameter MiniMax ignores, or a model name it does not serve: the request is sent anyway."""


class MiniMaxNote(UserWarning):
    """Something worth knowing about a request that does no harm (e.g. `thinking`, which has no effect)."""


def _number(value: Any) -> float | None:
    """`value` as a float when it is a real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _check_sampling(name: str, value: Any, model: Model | None = None) -> Finding | None:
    """An error finding when `temperature` or `top_p` is outside the model's range: (0.0, 1.0] for M2.x (and
    for a model outside the catalogue), [0, 2] for M3's temperature (helpers.models). None when it fits."""
    low, high, low_included = (0.0, 1.0, False)
    if model is not None and name == "temperature":
        low, high, low_included = model.temperature_range
    number = _number(value)
    fits = number is not None and not math.isnan(number) and number <= high
    if fits and (number >= low if low_included else number > low):  # type: ignore[operator]
        return None
    shown = repr(value)
    span = f"{'[' if low_included else '('}{low}, {high}]"  # as temperature_text writes a catalogue range
    words = f"{'at least' if low_included else 'above'} {low:g}, at most {high:g}"
    fix = "1.0 (MiniMax's recommended temperature)" if name == "temperature" else "a value such as 0.95"
    whose = f" for {model.name}" if model is not None else ""
    return Finding(
        "error",
        f"{name}-range",
        name,
        f"{name}={shown} is outside the range MiniMax accepts{whose}, {span} ({words}). Use {fix}.",
    )


def _content_blocks(messages: Any) -> Iterator[tuple[str, Any]]:
    """Every content block of every message, nested tool-result content included, with where it sits."""
    if not isinstance(messages, (list, tuple)):
        return
    for i, message in enumerate(messages):
        content = field(message, "content")
        if not isinstance(content, (list, tuple)):
            continue
        for j, block in enumerate(content):
            where = f"messages[{i}].content[{j}]"
            yield where, block
            inner = block.get("content") if isinstance(block, Mapping) else None
            if isinstance(inner, (list, tuple)):
                for k, nested in enumerate(inner):
                    yield f"{where}.content[{k}]", nested


def _block_type(block: Any) -> str | None:
    """A content block's `type`, for a dict or an SDK object alike; None when it has none."""
    kind = field(block, "type")
    return kind if isinstance(kind, str) else None


_UNSET_TYPES: tuple[type, ...] = tuple(
    kind for kind in (getattr(anthropic, "NotGiven", None), getattr(anthropic, "Omit", None)) if kind is not None
)
"""The SDK's markers for an argument left unset (`Omit` is missing from some older releases)."""


def _given(value: Any) -> bool:
    """Whether a parameter sets anything: not None, `anthropic.NOT_GIVEN` or `anthropic.omit`."""
    return value is not None and not isinstance(value, _UNSET_TYPES)


def check_request(**params: Any) -> list[Finding]:
    """Check a `messages.create` request against what MiniMax supports, before sending it.

    Takes the same keyword arguments as `client.messages.create` (`extra_body` is merged in, as the SDK does)
    and returns the findings, errors first; an empty list means nothing to report. `anthropic.NOT_GIVEN` and
    `anthropic.omit` (never sent) and None (sent as null, which sets nothing) count as absent.
    """
    body = {name: value for name, value in params.items() if name != "extra_body" and _given(value)}
    extra = params.get("extra_body")
    if isinstance(extra, Mapping):
        body.update(extra)
    return check_body(body)


ROLES = ("user", "assistant")
"""The roles a message may have; the system prompt goes in `system=` (MiniMax answers 2013 for role 'system')."""


def _check_messages(messages: Any) -> list[Finding]:
    """Errors for a `messages` list MiniMax cannot take: empty, or a role other than user and assistant."""
    if not isinstance(messages, (list, tuple)):
        return []
    if not messages:
        return [
            Finding(
                "error",
                "messages-empty",
                "messages",
                "messages is empty. Give at least one message, e.g. [{'role': 'user', 'content': 'Hello'}].",
            )
        ]
    found = []
    for i, message in enumerate(messages):
        role = field(message, "role")
        if role not in ROLES:
            fix = " Put a system prompt in system=... instead." if role == "system" else ""
            found.append(
                Finding(
                    "error",
                    "message-role",
                    f"messages[{i}].role",
                    f"role {role!r} is not one MiniMax accepts: use 'user' or 'assistant'.{fix}",
                )
            )
    return found


def _check_model_and_budget(body: Mapping[str, Any]) -> list[Finding]:
    """Errors for an empty `model` and a `max_tokens` that is not a whole number above 0: MiniMax refuses both (the
    SDK sends them as they are)."""
    found = []
    model = body.get("model")
    if "model" in body and (not isinstance(model, str) or not model.strip()):
        found.append(
            Finding("error", "model-empty", "model", f"model={model!r} names no model: give one, e.g. 'MiniMax-M2.1'.")
        )
    budget = body.get("max_tokens")
    if "max_tokens" in body and (isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0):
        found.append(
            Finding(
                "error",
                "max-tokens",
                "max_tokens",
                f"max_tokens={budget!r} must be a whole number above 0 (thinking counts against it: give room, "
                "e.g. max_tokens=1000).",
            )
        )
    return found


def non_finite(value: Any, where: str = "") -> list[str]:
    """Where a request body holds NaN or an infinity (JSON has neither, so the SDK could not send it)."""
    if isinstance(value, float) and not math.isfinite(value):
        return [where or "body"]
    if isinstance(value, Mapping):
        return [w for k, v in value.items() for w in non_finite(v, f"{where}.{k}" if where else str(k))]
    if isinstance(value, (list, tuple)):
        return [w for i, v in enumerate(value) for w in non_finite(v, f"{where}[{i}]")]
    return []


def check_numbers(body: Mapping[str, Any]) -> list[Finding]:
    """Errors for NaN or infinite numbers anywhere in a request body; `temperature` and `top_p` say their range."""
    found = []
    for where in non_finite(body):
        sampling = _check_sampling(where, body[where]) if where in ("temperature", "top_p") else None
        found.append(
            sampling
            or Finding(
                "error", "not-a-number", where, f"{where} is NaN or infinite, which JSON cannot carry. Give a number."
            )
        )
    return found


def check_body(body: Mapping[str, Any]) -> list[Finding]:
    """`check_request` on a request body as it goes over the wire (a JSON object)."""
    body = {name: value for name, value in body.items() if _given(value)}
    found: list[Finding] = [f for f in check_numbers(body) if f.where not in ("temperature", "top_p")]
    found.extend(_check_messages(body.get("messages")))
    found.extend(_check_model_and_budget(body))
    model_name = body.get("model")
    model = model_info(model_name) if isinstance(model_name, str) else None
    for name in ("temperature", "top_p"):
        if name in body:
            finding = _check_sampling(name, body[name], model)
            if finding:
                found.append(finding)
    for where, block in _content_blocks(body.get("messages")):
        kind = _block_type(block)
        row = support_of(kind, CONTENT_TYPES) if kind else None
        if row is None or row.status != "not supported" or (kind == "image" and model is not None and model.images):
            continue
        takes = [m.name for m in MODELS.values() if m.images]
        also = f" Of the models in helpers.models, only {', '.join(takes)} take images." if kind == "image" else ""
        found.append(
            Finding(
                "error",
                "unsupported-content",
                where,
                f"an {kind!r} block: {model_name or 'this model'} on MiniMax's Anthropic-compatible endpoint accepts "
                f"text, tool calls and tool results only ({row.note}). Describe the {kind} in text, or extract its "
                f"text first.{also}",
            )
        )
    if isinstance(model_name, str) and model is None:
        found.append(
            Finding(
                "warning",
                "unknown-model",
                "model",
                f"{model_name!r} is not a model this collection was written for (the endpoint may still serve it). "
                f"The notebooks teach {', '.join(SUPPORTED_MODELS)}; helpers.models.MODELS lists the later ones.",
            )
        )
    found.extend(_thinking_findings(body.get("thinking"), model) if "thinking" in body else [])
    for row in PARAMETERS:
        if row.name not in body or row.name == "thinking":
            continue
        if row.status == "ignored" and not (row.name == "service_tier" and model is not None and model.service_tier):
            found.append(
                Finding(
                    "warning",
                    "ignored-parameter",
                    row.name,
                    f"MiniMax ignores {row.name}: it is accepted and has no effect. Leave it out.",
                )
            )
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(found, key=lambda f: order[f.level])


def _thinking_findings(thinking: Any, model: Model | None) -> list[Finding]:
    """The `thinking` parameter under the model's own rule: no effect on M2.x (they always think); on M3 only
    'adaptive' or 'disabled' (MiniMax refuses 'enabled' with a 2013 error)."""
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if model is not None and model.thinking == "adaptive":
        if kind in ("adaptive", "disabled"):
            return []
        return [
            Finding(
                "error",
                "thinking-type",
                "thinking",
                f"{model.name} takes thinking={{'type': 'adaptive'}} (thinks when useful) or {{'type': 'disabled'}}; "
                f"MiniMax refuses {kind!r} with a 2013 error. Without thinking= it does not think.",
            )
        ]
    return [
        Finding(
            "note",
            "thinking-no-effect",
            "thinking",
            "M2.x models always think; the thinking parameter has no effect on MiniMax. Leave it out.",
        )
    ]


# -- enforcement in the client -----------------------------------------------------------------------

_shown: set[tuple[str, str]] = set()
"""(code, where) of the warnings and notes already shown in this process: each is shown once."""


def reset_shown() -> None:
    """Forget which warnings were shown, so they appear again (tests, or a fresh start in a notebook)."""
    _shown.clear()


def _warn(finding: Finding) -> None:
    """Show a warning or note once per (code, where) in this process."""
    key = (finding.code, finding.where)
    if key in _shown:
        return
    _shown.add(key)
    category = MiniMaxNote if finding.level == "note" else MiniMaxCompatWarning
    # warn_explicit with a fixed location: the text shown is the same on every machine (no file paths).
    warnings.warn_explicit(finding.message, category, filename="minimax", lineno=0, module="helpers.compat")


def enforce(body: Any) -> list[Finding]:
    """Run the checks on a request body about to be sent: raise on errors, warn (once) on the rest."""
    if not isinstance(body, Mapping):
        return []
    findings = check_body(body)
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise RequestNotSupportedError(errors)
    for finding in findings:
        _warn(finding)
    return findings


def check_hook(method: str, path: str, body: Any) -> None:
    """The transport's pre-send hook: checks `POST /v1/messages` bodies, lets anything else through."""
    if method.upper() == "POST" and path in ("/v1/messages", "/v1/messages/count_tokens"):
        enforce(body)
