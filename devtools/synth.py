"""Build synthesized cassettes from short descriptions of exchanges (`data/exchanges/*.json`).

We cannot reach MiniMax from where these notebooks are built, so their recordings are made here, shaped
on the facts listed in docs/sources.md: 32-hex message ids (starting 05 or 06), 64-hex signatures,
`call_function_..._N` tool ids, MiniMax's key order and `base_resp`, one `ping`, thinking then
`signature_delta`, tool input as `""` then the whole JSON, deltas of several tokens (about 20 to 100
characters, never a word cut in half), about 7 deltas a second at 60 tokens/s. Each model's pace and first-token
time follow what others measured where that is known (the catalogue's `measured`: MiniMax-M2.1-lightning about 51
tokens/s, its first token after about 1 s; MiniMax-M2.1's first token after about 2.1 s), else MiniMax's own pace
and a first token after about 1.2 s. A reply's `"wire"` object asks for one of the variations real streams show
(no ping, tool input as `"{}"` alone or split, usage null or without cache fields, `message_start` input tokens
unlike the final ones, an error inside the 200 stream): see `WIRE_OPTIONS`. Everything is seeded from the description,
so running this twice writes the same bytes. Every file says "synthesized".
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
from helpers.models import MODELS, SYNTH_DEFAULT_TOKENS_PER_SECOND

EXCHANGES_DIR = DEFAULT_ROOT.parent / "exchanges"


def tokens_per_second(model: str) -> float:
    """A model's output pace: the middle of what others measured (the catalogue's `measured`) where that exists,
    else MiniMax's own figure, else a GUESS (SYNTH_DEFAULT_TOKENS_PER_SECOND) where neither is published."""
    info = MODELS.get(model)
    if info is not None and info.measured is not None and info.measured.tokens_per_second is not None:
        low, high = info.measured.tokens_per_second
        return (low + high) / 2
    if info is None or info.tokens_per_second is None:
        return SYNTH_DEFAULT_TOKENS_PER_SECOND
    return info.tokens_per_second


FIRST_TOKEN_SECONDS = (1.0, 1.4)
"""Time to the first event after the request is sent, for a model nobody measured: around the 1.2 s one
published measurement on this route reports (MiniMax-M3)."""


def first_token_seconds(model: str) -> tuple[float, float]:
    """The range a stream's first event is drawn from: what others measured for the model (the catalogue's
    `measured`), else FIRST_TOKEN_SECONDS."""
    info = MODELS.get(model)
    if info is not None and info.measured is not None and info.measured.first_token_seconds is not None:
        return info.measured.first_token_seconds
    return FIRST_TOKEN_SECONDS


DELTA_CHARS = (16, 44)
"""The length a delta aims at before it is extended to the end of its word: real deltas run 5 to 102
characters, median about 30 to 50, several tokens each (docs/sources.md, "Chunking and pace")."""

MAX_DELTA_CHARS = 100

WIRE_OPTIONS = {
    "ping": "false: no ping after message_start (one capture had none)",
    "tool_json": "'whole' (default: '' then the JSON), 'one' (the JSON alone, e.g. '{}'), 'split' (two deltas)",
    "start_usage": "'full' (default), 'minimal' (input and output only), 'alphabetical' (keys sorted), 'null'",
    "start_input_tokens": "the input_tokens message_start says (real ones differ from the final figure)",
    "final_usage": "'full' (default), 'service_tier' (service_tier inside usage, as M3 sends), 'none' (no usage)",
    "body_cache_fields": "false: the body's usage without cache_creation_input_tokens",
    "content": "'null': the body's content is null, not [] (a real MiniMax-M2.5 answer at max_tokens 2)",
    "error_after_events": "an error frame after this many events, inside the 200 stream (with 'error')",
    "error": "{type, message, http_code?} of that frame",
    "error_frame": "'event' (event: error) or 'data' (a data: line with no event: line)",
}
"""What a reply's `"wire"` object may ask for: each a variation seen in real streams (docs/sources.md)."""

SOURCE_NOTE = (
    "Not captured from MiniMax: synthesized by `python -m devtools synth` from the description named in "
    "'from', shaped on the facts listed in docs/sources.md. Ids, signatures, usage, chunking and timing are generated."
)

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_TO_WORD_END = re.compile(r"\S*\s+")


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
    usage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": given.get("cache_creation_input_tokens", 0),
        "cache_read_input_tokens": given.get("cache_read_input_tokens", 0),
    }
    if reply.get("wire", {}).get("body_cache_fields") is False:
        del usage["cache_creation_input_tokens"]
    return usage


def message_body(
    request: dict[str, Any], reply: dict[str, Any], rng: random.Random, content_rng: random.Random | None = None
) -> dict[str, Any]:
    """A non-streaming response body. `content_rng` seeds signatures and tool ids: give the streaming and
    non-streaming forms of one exchange the same one, so their content is identical."""
    blocks = content_blocks(reply, content_rng or rng)
    stop = reply.get("stop_reason") or ("tool_use" if reply.get("tool_calls") else "end_turn")
    return {
        "id": rng.choice(("05", "06")) + _hex(rng, 30),
        "type": "message",
        "role": "assistant",
        "model": request["model"],
        "content": None if reply.get("wire", {}).get("content") == "null" else blocks,
        "usage": usage_for(request, blocks, reply),
        "stop_reason": stop,
        "base_resp": {"status_code": 0, "status_msg": ""},
    }


def chunk_text(text: str, rng: random.Random) -> list[str]:
    """Split text the way MiniMax streams it: several tokens per delta (about 20 to 100 characters), each
    delta ending at the end of a word (after its trailing space) so no word is cut in half. CJK text, which has
    no spaces, is cut between characters (about 1.5 characters a token)."""
    chunks, i = [], 0
    while i < len(text):
        aim = rng.randint(*DELTA_CHARS)
        if _CJK.search(text, i, i + aim):  # CJK in reach (even after a newline or a Latin word): no word ends
            end = min(len(text), i + max(4, aim // 3))
        elif i + aim >= len(text):
            end = len(text)
        else:
            word_end = _TO_WORD_END.match(text, i + aim)  # carry on to the end of the word and its spaces
            end = word_end.end() if word_end else len(text)
            if end - i > MAX_DELTA_CHARS:  # a very long word: end before it instead
                back = max(text.rfind(" ", i + 1, i + aim), text.rfind("\n", i + 1, i + aim))
                end = back + 1 if back > i else end
        chunks.append(text[i:end])
        i = end
    return chunks


def _start_usage(usage: dict[str, Any], wire: dict[str, Any]) -> Any:
    """message_start's usage: output 0, input as the options say (real starts are unreliable)."""
    shape = wire.get("start_usage", "full")
    if shape == "null":
        return None
    start = {**usage, "output_tokens": 0}
    if "start_input_tokens" in wire:
        start["input_tokens"] = int(wire["start_input_tokens"])
    if shape == "minimal":
        return {"input_tokens": start["input_tokens"], "output_tokens": 0}
    if shape == "alphabetical":
        return dict(sorted(start.items()))
    return start


def _tool_partials(partial: str, shape: str) -> list[str]:
    """How a tool call's input JSON arrives: '' then whole (usual), whole alone, or split over two deltas."""
    if shape == "one":
        return [partial]
    if shape == "split":
        cut = max(1, len(partial) // 2)
        return [partial[:cut], partial[cut:]]
    return ["", partial]


def stream_events(
    body: dict[str, Any], rng: random.Random, tps: float, wire: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The SSE events of `body` as MiniMax streams it, each with the time ('at', seconds) it arrives.
    `wire` asks for variations real streams show (WIRE_OPTIONS)."""
    wire = wire or {}
    clock = rng.uniform(*first_token_seconds(body["model"]))
    events: list[dict[str, Any]] = []
    first = True  # the first delta arrives at the first-token time; each later one after its tokens' time

    def emit(name: str, data: dict[str, Any], tokens: float = 0.0) -> None:
        nonlocal clock, first
        if tokens and not first:
            clock += tokens / tps * rng.uniform(0.85, 1.15)
        first = first and not tokens
        events.append({"at": round(clock, 4), "event": name, "data": data})

    usage = body["usage"]
    start = {k: body[k] for k in ("id", "type", "role")} | {
        "content": [],
        "model": body["model"],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _start_usage(usage, wire),
        "service_tier": "standard",
    }
    emit("message_start", {"type": "message_start", "message": start})
    if wire.get("ping", True):
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
            partial = json.dumps(block["input"], ensure_ascii=False)
            for piece in _tool_partials(partial, wire.get("tool_json", "whole")):
                emit(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": piece},
                    },
                    tokens=estimate_tokens(piece) if piece else 0.0,
                )
        emit("content_block_stop", {"type": "content_block_stop", "index": index})
    final: dict[str, Any] = {"type": "message_delta", "delta": {"stop_reason": body["stop_reason"]}}
    shape = wire.get("final_usage", "full")
    if shape == "service_tier":
        final["usage"] = {**usage, "service_tier": "standard"}
    elif shape != "none":
        final["usage"] = usage
    emit("message_delta", final)
    emit("message_stop", {"type": "message_stop"})
    if "error_after_events" in wire:
        events = _with_error(events, wire, rng)
    return events


def _with_error(events: list[dict[str, Any]], wire: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The stream ends with an error frame after `error_after_events` events, as an `event: error` or as a bare
    `data:` line (which the SDK drops silently): both seen inside HTTP 200 streams (docs/sources.md)."""
    keep = int(wire["error_after_events"])
    if not 0 <= keep < len(events):
        raise ValueError(f"error_after_events={keep!r} must be between 0 and {len(events) - 1} for this reply.")
    spec = wire.get("error") or {"type": "overloaded_error", "message": "High traffic detected (2064)"}
    inner: dict[str, Any] = {"type": spec["type"], "message": spec["message"]}
    if spec.get("http_code"):
        inner["http_code"] = str(spec["http_code"])
    payload = {"type": "error", "error": inner}
    at = round((events[keep - 1]["at"] if keep else events[0]["at"]) + rng.uniform(0.05, 0.2), 4)
    if wire.get("error_frame", "event") == "data":
        frame = {"at": at, "raw": "data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n\n"}
    else:
        frame = {"at": at, "event": "error", "data": payload}
    return [*events[:keep], frame]


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
    """Replace "@reply:<id>" with the content blocks that exchange returned, as a client sends them back, and
    {"@reply": <id>, "tool_input": {...}} with those blocks with every tool call's input replaced (as a client that
    mends arguments which are not a JSON object sends them back)."""
    if isinstance(value, str) and value.startswith("@reply:"):
        name = value.removeprefix("@reply:")
        if name not in replies:
            raise KeyError(f"'{value}' names no earlier exchange with a reply (known: {', '.join(replies)})")
        return json.loads(json.dumps(replies[name]["content"]))
    if isinstance(value, dict) and "@reply" in value:
        blocks = _resolve(f"@reply:{value['@reply']}", replies)
        return [{**b, "input": value["tool_input"]} if b["type"] == "tool_use" else b for b in blocks]
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
        if "about" in exchange:
            source["about"] = exchange["about"]
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
                            "events": cut_stream(
                                stream_events(message, rng, tps, reply.get("wire")), reply.get("cut_after_events")
                            ),
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
