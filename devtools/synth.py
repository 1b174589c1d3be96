"""Build synthesized cassettes from short descriptions of exchanges (`data/exchanges/*.json`).

We cannot reach MiniMax from where these notebooks are built, so their recordings are made here, shaped
on the facts listed in docs/sources.md: 32-hex message ids, 64-hex signatures, `call_function_..._N`
tool ids, MiniMax's key order and `base_resp`, one `ping`, thinking then `signature_delta`, tool input in
one `input_json_delta`, small text chunks, and a pace that follows each model's tokens per second. The
non-streaming body and the stream of the same exchange carry the same content and usage. Everything is
seeded from the description, so running this twice writes the same bytes. Every file says "synthesized".
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

from helpers._replay.cassettes import DEFAULT_ROOT, Cassette, file_name, iter_cassette_files, load
from helpers._replay.error_body import error_body
from helpers.models import SYNTH_DEFAULT_TOKENS_PER_SECOND, model_info

EXCHANGES_DIR = DEFAULT_ROOT.parent / "exchanges"


def tokens_per_second(model: str) -> float:
    """A model's output pace from the catalogue; a GUESS (SYNTH_DEFAULT_TOKENS_PER_SECOND) where none is published."""
    info = model_info(model)
    if info is None or info.tokens_per_second is None:
        return SYNTH_DEFAULT_TOKENS_PER_SECOND
    return info.tokens_per_second


FIRST_TOKEN_SECONDS = (0.7, 1.6)
"""Time to the first event after the request is sent: a GUESS within what third-party timings report."""

SOURCE_NOTE = (
    "Not captured from MiniMax: synthesized by `python -m devtools synth` from the description named in "
    "'from', shaped on the facts listed in docs/sources.md. Ids, signatures, usage, chunking and timing are generated."
)

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """A rough token count: about 4 characters per token for Latin text, 1.5 per CJK character."""
    cjk = len(_CJK.findall(text))
    return max(1, round(cjk / 1.5 + (len(text) - cjk) / 4))


def _seed(*parts: str) -> random.Random:
    return random.Random(int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16], 16))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def tool_id(rng: random.Random, n: int) -> str:
    """MiniMax's tool-call id: `call_function_<10 digits or 12 lowercase alnum>_<n>`."""
    if rng.random() < 0.5:
        middle = "".join(rng.choice("0123456789") for _ in range(10))
    else:
        middle = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    return f"call_function_{middle}_{n}"


def content_blocks(reply: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The response content, in MiniMax's key order: thinking, optional text, tool calls."""
    blocks: list[dict[str, Any]] = []
    if "thinking" in reply:
        block: dict[str, Any] = {"thinking": reply["thinking"]}
        if reply.get("signature", True):
            block["signature"] = _hex(rng, 64)
        block["type"] = "thinking"
        blocks.append(block)
    if "text" in reply:
        blocks.append({"text": reply["text"], "type": "text"})
    middle = "".join(rng.choice("0123456789") for _ in range(10))
    for n, call in enumerate(reply.get("tool_calls", []), start=1):
        ident = call.get("id") or f"call_function_{middle}_{n}"
        blocks.append({"type": "tool_use", "id": ident, "name": call["name"], "input": call["input"]})
    return blocks


def _output_text(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for b in blocks:
        parts.append(b.get("thinking") or b.get("text") or json.dumps(b.get("input", ""), ensure_ascii=False))
    return "".join(parts)


def usage_for(request: dict[str, Any], blocks: list[dict[str, Any]], reply: dict[str, Any]) -> dict[str, int]:
    given = reply.get("usage", {})
    input_tokens = given.get("input_tokens") or estimate_tokens(json.dumps(request, ensure_ascii=False)) + 6
    output_tokens = given.get("output_tokens") or estimate_tokens(_output_text(blocks))
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": given.get("cache_creation_input_tokens", 0),
        "cache_read_input_tokens": given.get("cache_read_input_tokens", 0),
    }


def message_body(
    request: dict[str, Any], reply: dict[str, Any], rng: random.Random, content_rng: random.Random | None = None
) -> dict[str, Any]:
    """A non-streaming response body. `content_rng` seeds signatures and tool ids: give the streaming and
    non-streaming forms of one exchange the same one, so their content is identical."""
    blocks = content_blocks(reply, content_rng or rng)
    stop = reply.get("stop_reason") or ("tool_use" if reply.get("tool_calls") else "end_turn")
    return {
        "id": _hex(rng, 32),
        "type": "message",
        "role": "assistant",
        "model": request["model"],
        "content": blocks,
        "usage": usage_for(request, blocks, reply),
        "stop_reason": stop,
        "base_resp": {"status_code": 0, "status_msg": ""},
    }


def chunk_text(text: str, rng: random.Random) -> list[str]:
    """Split text the way MiniMax streams it: a few characters to a short phrase per delta."""
    chunks, i = [], 0
    while i < len(text):
        size = rng.randint(2, 18) if not _CJK.match(text[i]) else rng.randint(1, 6)
        end = min(len(text), i + size)
        space = text.rfind(" ", i + 1, end + 1)
        if end < len(text) and space > i:
            end = space
        chunks.append(text[i:end])
        i = end
    return chunks


def stream_events(body: dict[str, Any], rng: random.Random, tps: float) -> list[dict[str, Any]]:
    """The SSE events of `body` as MiniMax streams it, each with the time ('at', seconds) it arrives."""
    clock = rng.uniform(*FIRST_TOKEN_SECONDS)
    events: list[dict[str, Any]] = []

    def emit(name: str, data: dict[str, Any], tokens: float = 0.0) -> None:
        nonlocal clock
        if tokens:
            clock += tokens / tps * rng.uniform(0.85, 1.15)
        events.append({"at": round(clock, 4), "event": name, "data": data})

    usage = body["usage"]
    start = {k: body[k] for k in ("id", "type", "role")} | {
        "content": [],
        "model": body["model"],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": 0},
        "service_tier": "standard",
    }
    emit("message_start", {"type": "message_start", "message": start})
    emit("ping", {"type": "ping"})
    for index, block in enumerate(body["content"]):
        kind = block["type"]
        if kind in ("thinking", "text"):
            empty = {"type": kind, kind: ""}
            emit("content_block_start", {"type": "content_block_start", "index": index, "content_block": empty})
            for piece in chunk_text(block[kind], rng):
                delta = {"type": f"{kind}_delta", kind: piece}
                emit(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                    tokens=estimate_tokens(piece),
                )
            if kind == "thinking" and "signature" in block:
                delta = {"type": "signature_delta", "signature": block["signature"]}
                emit("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        elif kind == "tool_use":
            start_block = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            emit("content_block_start", {"type": "content_block_start", "index": index, "content_block": start_block})
            emit(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": ""},
                },
            )
            partial = json.dumps(block["input"], ensure_ascii=False)
            emit(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": partial},
                },
                tokens=estimate_tokens(partial),
            )
        emit("content_block_stop", {"type": "content_block_stop", "index": index})
    emit("message_delta", {"type": "message_delta", "delta": {"stop_reason": body["stop_reason"]}, "usage": usage})
    emit("message_stop", {"type": "message_stop"})
    return events


def cut_stream(events: list[dict[str, Any]], keep: int | None) -> list[dict[str, Any]]:
    """A stream whose connection dropped: only the first `keep` events arrive (all of them when None)."""
    if keep is None:
        return events
    if not 0 < int(keep) < len(events):
        raise ValueError(f"cut_after_events={keep!r} must be between 1 and {len(events) - 1} for this reply.")
    return events[: int(keep)]


def described_error_body(error: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The error body an exchange description asks for, with a request id."""
    return error_body(
        int(error["status"]),
        error["message"],
        kind=error.get("type"),
        http_code=bool(error.get("http_code", True)),
        request_id=_hex(rng, 32),
    )


# -- descriptions to cassettes ---------------------------------------------------------------------


def _resolve(value: Any, replies: dict[str, dict[str, Any]]) -> Any:
    """Replace "@reply:<id>" with the content blocks that exchange returned, as a client sends them back."""
    if isinstance(value, str) and value.startswith("@reply:"):
        name = value.removeprefix("@reply:")
        if name not in replies:
            raise KeyError(f"'{value}' names no earlier exchange with a reply (known: {', '.join(replies)})")
        return json.loads(json.dumps(replies[name]["content"]))
    if isinstance(value, dict):
        return {k: _resolve(v, replies) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, replies) for v in value]
    return value


def build(description: dict[str, Any], origin: str) -> list[Cassette]:
    """All cassettes one description file asks for, in order."""
    replies: dict[str, dict[str, Any]] = {}
    cassettes: list[Cassette] = []
    for exchange in description["exchanges"]:
        name = exchange["id"]
        request = _resolve(exchange["request"], replies)
        source = {"kind": "synthesized", "from": f"{origin}#{name}", "note": SOURCE_NOTE}
        if "guess" in exchange:
            source["guess"] = exchange["guess"]
        forms = exchange.get("forms", ["create"])
        for form in forms:
            rng = _seed(origin, name, form)
            body = dict(request)
            if form == "stream":
                body["stream"] = True
            else:
                body.pop("stream", None)
            for sequence, reply in enumerate(exchange.get("replies") or [exchange["reply"]], start=1):
                req = {"method": "POST", "path": "/v1/messages", "body": body}
                if "error" in reply:
                    response = {
                        "status": int(reply["error"]["status"]),
                        "headers": {"content-type": "application/json"},
                        "body": described_error_body(reply["error"], rng),
                    }
                else:
                    content_rng = _seed(origin, name, str(sequence))
                    message = message_body(request, reply, rng, content_rng)
                    replies.setdefault(name, message)
                    if form == "stream":
                        tps = tokens_per_second(body["model"])
                        response = {
                            "status": 200,
                            "headers": {"content-type": "text/event-stream"},
                            "events": cut_stream(stream_events(message, rng, tps), reply.get("cut_after_events")),
                        }
                    else:
                        response = {"status": 200, "headers": {"content-type": "application/json"}, "body": message}
                cassettes.append(Cassette(request=req, response=response, source=dict(source), sequence=sequence))
    return cassettes


def synthesize(path: Path, root: Path = DEFAULT_ROOT) -> list[Path]:
    """Write the cassettes of one description file into root/<recordings>/, replacing stale synthesized
    ones and never overwriting a real recording."""
    description = json.loads(path.read_text(encoding="utf-8"))
    folder = root / description["recordings"]
    origin = f"data/exchanges/{path.name}"
    written: list[Path] = []
    for cassette in build(description, origin):
        target = folder / file_name(cassette)
        if target.exists() and load(target).source.get("kind") == "recorded":
            continue
        written.append(cassette.write(target))
    for old in iter_cassette_files(folder):
        if old not in written and load(old).source.get("kind") == "synthesized" and old.parent == folder:
            old.unlink()
    return written


def main(names: list[str]) -> int:
    files = sorted(EXCHANGES_DIR.glob("*.json"))
    if names:
        files = [f for f in files if f.stem in names]
    for path in files:
        written = synthesize(path)
        print(f"{path.name}: {len(written)} cassettes")
    return 0
