"""`python -m devtools doctor`: a live self-check for a maintainer with a key (under a minute, under 0.01 USD).

It says what it will send and what that may cost, then sends a few small requests and compares what the
service did with what this collection's recordings assume: which region accepts the key, each catalogue model,
thinking and its signature, the stream (event sequence, delta sizes, first-event time, tokens per second), a
tool round trip with the thinking sent back, the temperature edges, and the 401 shape (with a deliberately wrong
key). It prints the table, writes it as Markdown to attach to an issue (never a key), and exits 0 when everything
matches. It judges what is known, not wording: a behaviour (status, error type, MiniMax code, the content's block
types, the stop reason, the stream's events) that differs is a mismatch; a different wording of a message that the
recording itself marks as a guess (a `guess` note in its source) is reported, not counted. The requests are the
exchanges of `data/exchanges/doctor.json`, so the recordings it compares with are `data/cassettes/doctor/`
(synthesized). The README's "Recordings" section describes it; `python -m devtools drift` runs it weekly.

Its clients are built by `helpers.client.live_client`, the path `get_client` builds with: the endpoint is MiniMax's
region or a base URL checked as MINIMAX_BASE_URL is (no credentials in it, never Anthropic's API), the key is its
one credential, and a redirect to another host is refused, not followed.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic

from helpers._html import field
from helpers._replay.cassettes import DEFAULT_ROOT, Cassette, iter_cassette_files, load
from helpers._settings import REGIONS, ConfigError, check_base_url, find_key
from helpers.client import live_client
from helpers.errors import explain, minimax_code
from helpers.models import MODELS

WRONG_KEY = "sk-doctor-deliberately-wrong-key-0000"
"""The key the 401 check sends: made up here, never the user's."""
BUDGET_USD = 0.01
"""The most a run may cost: a plan over it is refused before anything is sent."""
DEADLINE_S = 120.0
"""The longest a run may take, all requests together: each request gets what is left (30 s at most)."""
REQUEST_TIMEOUT_S = 30.0
_ends_at = float("inf")  # set by `check` for the run under way


class DeadlineError(Exception):
    """The run's DEADLINE_S is used up: the checks still to come are reported as not run."""


def _in_time(client: anthropic.Anthropic) -> anthropic.Anthropic:
    """`client` with a timeout of what is left of the run's deadline (at most REQUEST_TIMEOUT_S)."""
    left = _ends_at - time.monotonic()
    if left <= 0:
        raise DeadlineError
    return client.with_options(timeout=min(REQUEST_TIMEOUT_S, left))


HEX64 = re.compile(r"^[0-9a-f]{64}$")
DOCTOR_RECORDINGS = DEFAULT_ROOT / "doctor"


@dataclass(frozen=True)
class Row:
    """One line of the report: what was checked, what the service did, what the recordings assume."""

    check: str
    service: str
    recordings: str
    same: bool
    """Whether the service behaves as the recordings assume (a guessed message's wording aside)."""
    reported: str = ""
    """A difference that is reported, not counted: the wording of a message the recording marks as a guess."""


# -- what the recordings assume --------------------------------------------------------------------------


def _recordings(root: Path = DOCTOR_RECORDINGS) -> dict[str, Cassette]:
    """The doctor's recordings by what they answer: 'model:<name>', 'stream', 'tool-1', 'tool-2', 'temperature-<t>'."""
    found: dict[str, Cassette] = {}
    for path in iter_cassette_files(root):
        cassette = load(path)
        body = cassette.request["body"]
        name = str(cassette.source.get("from", "")).rsplit("#", 1)[-1]
        if name.startswith("model-"):
            found[f"model:{body['model']}"] = cassette
        elif name:
            found[name] = cassette
    return found


def plan(recorded: dict[str, Cassette]) -> tuple[list[str], float]:
    """What the doctor will send, one line per request, and the most it can cost (US dollars): every request's
    max_tokens at the highest output price in the catalogue, its input at the highest input price."""
    top_out = max(m.price.output for m in MODELS.values() if m.price)
    top_in = max(m.price.input for m in MODELS.values() if m.price)
    lines, cost = [], 0.0
    for key, cassette in recorded.items():
        body = cassette.request["body"]
        lines.append(
            f"{key}: {body['model']}, max_tokens {body['max_tokens']}{', streamed' if body.get('stream') else ''}"
        )
        cost += (body["max_tokens"] * top_out + 400 * top_in) / 1_000_000
    lines.append("key check: one request of 1 token per region; 401 check: one request with a made-up wrong key")
    cost += 3 * (16 * top_out + 50 * top_in) / 1_000_000
    return lines, cost


# -- what the service does --------------------------------------------------------------------------------


def _client(base_url: str, key: str) -> anthropic.Anthropic:
    """A client as get_client builds one, without retries; no request checks (the doctor sends temperature 0 on
    purpose, to see MiniMax refuse it)."""
    return live_client(base_url, key, check=False, max_retries=0, timeout=REQUEST_TIMEOUT_S)


def _call(client: anthropic.Anthropic, body: dict[str, Any]) -> tuple[int, Any]:
    """(status, message or error body) for one request; the SDK's own types, no retries."""
    params = {k: v for k, v in body.items() if k not in ("stream", "temperature")}
    if "temperature" in body:
        params["extra_body"] = {"temperature": body["temperature"]}
    try:
        return 200, _in_time(client).messages.create(**params)
    except anthropic.APIStatusError as error:
        return error.status_code, error.body


@dataclass(frozen=True)
class Answer:
    """What one answer did, as the doctor compares it: the behaviour, and apart from it the error's wording."""

    status: int
    error_type: str = ""
    code: int | None = None
    wording: str = ""
    blocks: tuple[str, ...] = ()
    stop_reason: str | None = None
    unknown_model: bool = False

    def behaviour(self) -> str:
        """The part that counts: 'answers: thinking, text; stop end_turn', or 'HTTP 400 bad_request_error (2013)'."""
        if self.status == 200:
            return f"answers: {', '.join(self.blocks) or 'no content'}; stop {self.stop_reason}"
        code = f" ({self.code})" if self.code is not None else ""
        refused = " (refused as an unknown model)" if self.unknown_model else ""
        return f"HTTP {self.status} {self.error_type or '(no error type)'}{code}{refused}"

    def said(self) -> str:
        """The behaviour and, for an error, its message as sent."""
        return self.behaviour() + (f": {self.wording}" if self.wording else "")


def answer_of(status: int, answer: Any) -> Answer:
    """An Answer from a status and either a Message (the SDK's, or a recorded body) or an error body."""
    if status == 200:
        content = field(answer, "content") or []
        return Answer(
            200, blocks=tuple(str(field(b, "type")) for b in content), stop_reason=field(answer, "stop_reason")
        )
    inner = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(inner, dict):  # a bare body such as {"error": "overload"}, or an HTML page
        text = json.dumps(answer, ensure_ascii=False) if isinstance(answer, dict) else str(answer or "")
        return Answer(status, wording=" ".join(text.split())[:120])
    message = str(inner.get("message") or "")
    unknown = isinstance(answer, dict) and explain(answer).kind == "unknown-model"
    return Answer(status, str(inner.get("type") or ""), minimax_code(message), message, unknown_model=unknown)


def _recorded_answer(cassette: Cassette) -> Answer:
    response = cassette.response
    return answer_of(response["status"], response.get("body"))


def compare(check: str, live: Answer, recorded: Answer, guess: str | None = None) -> Row:
    """A row for two answers: the same when they behave alike and, for an error, say the same words; when only
    the words differ and the recording marks its message as a guess, the same, with the difference reported."""
    if live.behaviour() != recorded.behaviour():
        return Row(check, live.said(), recorded.said(), False)
    if live.wording == recorded.wording:
        return Row(check, live.said(), recorded.said(), True)
    if guess:
        note = f"wording differs from a guessed message: the service says {live.wording!r}, the recording guessed "
        note += f"{recorded.wording!r} ({guess})"
        return Row(check, live.said(), recorded.said() + " (a guess)", True, note)
    return Row(check, live.said(), recorded.said(), False)


def _thinking_form(content: list[dict[str, Any]]) -> str:
    thinking = [b for b in content if b.get("type") == "thinking"]
    if not thinking:
        return "no thinking block"
    signature = thinking[0].get("signature")
    if not signature:
        return "a thinking block, no signature"
    return (
        "a thinking block, signature 64 hex"
        if HEX64.match(signature)
        else f"a thinking block, signature of {len(signature)} chars"
    )


def _stream_facts(events: list[tuple[float, str, dict[str, Any]]]) -> dict[str, Any]:
    """Sequence, delta sizes, first-event time and tokens per second of one stream: (seconds, name, data)."""
    names: list[str] = []
    for _, name, _ in events:
        if not (names and names[-1] == name == "content_block_delta"):
            names.append(name)
    sizes = [
        len(d["delta"].get("text") or d["delta"].get("thinking") or "")
        for _, name, d in events
        if name == "content_block_delta" and d.get("delta", {}).get("type") in ("text_delta", "thinking_delta")
    ]
    content_times = [t for t, name, _ in events if name == "content_block_delta"]
    final = next((d.get("usage") or {} for _, name, d in reversed(events) if name == "message_delta"), {})
    span = (content_times[-1] - content_times[0]) if len(content_times) > 1 else 0.0
    tokens = final.get("output_tokens")
    return {
        "sequence": ", ".join(names),
        "median": statistics.median(sizes) if sizes else 0,
        "sizes": f"{min(sizes)}-{max(sizes)} chars, median {statistics.median(sizes):.0f} ({len(sizes)} deltas)"
        if sizes
        else "no text deltas",
        "first": events[0][0] if events else None,
        "tps": tokens / span if tokens and span > 0 else None,
    }


def _live_stream(client: anthropic.Anthropic, body: dict[str, Any]) -> dict[str, Any]:
    """The stream as it comes over the wire (the SDK's iterator would hide `ping` and frames without `event:`)."""
    params = {k: v for k, v in body.items() if k != "stream"}
    started = time.perf_counter()
    events: list[tuple[float, str, dict[str, Any]]] = []
    name: str | None = None
    with _in_time(client).messages.with_streaming_response.create(**params, stream=True) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                try:
                    data = json.loads(line[5:])
                except ValueError:
                    data = {}
                events.append((time.perf_counter() - started, name or f"(no event line: {data.get('type')})", data))
                name = None
    return _stream_facts(events)


def _recorded_stream(cassette: Cassette) -> dict[str, Any]:
    events = [(float(e["at"]), e["event"], e["data"]) for e in cassette.response["events"] if "event" in e]
    return _stream_facts(events)


def _near(service: float | None, recorded: float | None, low: float, high: float) -> bool:
    return service is not None and recorded is not None and recorded * low <= service <= recorded * high


def _figure_row(check: str, service: float | None, recorded: float, form: str, low: float, high: float) -> Row:
    """A measured figure against the recorded one ("-" when none was measured): the same within low..high times."""
    shown = "-" if service is None else form.format(service)
    return Row(check, shown, form.format(recorded), _near(service, recorded, low, high))


# -- the checks ----------------------------------------------------------------------------------------------


PING = {"model": "MiniMax-M2.1", "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]}


def _ping(base_url: str, key: str) -> tuple[int, Any]:
    """One 1-token request on a client of its own, closed after it."""
    with _client(base_url, key) as client:
        return _call(client, PING)


def check(base_urls: dict[str, str], key: str, recorded: dict[str, Cassette]) -> list[Row]:
    """Run every check against the endpoints in `base_urls` ({region: url}), within DEADLINE_S in all; the first
    endpoint that accepts the key is used. A run that reaches its deadline reports the checks it did not run."""
    global _ends_at
    _ends_at = time.monotonic() + DEADLINE_S
    rows: list[Row] = []
    try:
        _checks(base_urls, key, recorded, rows)
    except (DeadlineError, anthropic.APIConnectionError) as error:  # a timeout is a connection error too
        if isinstance(error, DeadlineError) or time.monotonic() >= _ends_at:
            said = f"{DEADLINE_S:g} s used up: the checks after this row were not run"
        else:
            said = f"the endpoint stopped answering ({type(error).__name__}): the checks after this row were not run"
        rows.append(Row("deadline" if "used up" in said else "connection", said, "answers within the deadline", False))
    finally:
        _ends_at = float("inf")
    return rows


def _checks(base_urls: dict[str, str], key: str, recorded: dict[str, Cassette], rows: list[Row]) -> None:
    """Every check, each row appended to `rows` as soon as it is known (a deadline keeps the ones done)."""
    accepted = [name for name, url in base_urls.items() if _ping(url, key)[0] != 401]
    where = ", ".join(f"{n} ({base_urls[n]})" for n in accepted) or "none"
    rows.append(Row("which region accepts the key", where, "one region accepts it", len(accepted) == 1))
    if not accepted:
        return
    with _client(base_urls[accepted[0]], key) as client:
        rows += _model_rows(client, recorded)
        rows += _stream_rows(client, recorded["stream"])
        rows.append(_tool_round_trip(client, recorded))
        for name in ("temperature-1", "temperature-0"):
            cassette = recorded[name]
            label = f"temperature {cassette.request['body']['temperature']}"
            rows.append(_exchange_row(client, label, cassette)[0])
    status, answer = _ping(base_urls[accepted[0]], WRONG_KEY)
    wrong_key = Answer(401, "authentication_error", None, "invalid api key")
    rows.append(compare("401 with a wrong key", answer_of(status, answer), wrong_key))


def _exchange_row(client: anthropic.Anthropic, label: str, cassette: Cassette) -> tuple[Row, Any]:
    """Send one recorded request; the row comparing both answers, and the live answer."""
    status, answer = _call(client, cassette.request["body"])
    guess = cassette.source.get("guess")
    where = f" Put the real wording in {cassette.source.get('from')}." if guess and cassette.source.get("from") else ""
    row = compare(label, answer_of(status, answer), _recorded_answer(cassette), f"{guess}{where}" if guess else None)
    return row, (answer if status == 200 else None)


def _model_rows(client: anthropic.Anthropic, recorded: dict[str, Cassette]) -> list[Row]:
    """One row per catalogue model with a recording, then MiniMax-M2.1's thinking block and signature."""
    rows, answers = [], {}
    for name in MODELS:
        cassette = recorded.get(f"model:{name}")
        if cassette is not None:
            row, answers[name] = _exchange_row(client, f"model {name}", cassette)
            rows.append(row)
    answer = answers.get("MiniMax-M2.1")
    content = [b.model_dump() for b in (answer.content or [])] if answer is not None else []
    expected = recorded["model:MiniMax-M2.1"].response["body"]["content"]
    form, assumed = _thinking_form(content), _thinking_form(expected)
    rows.append(Row("thinking and its signature (MiniMax-M2.1)", form, assumed, form == assumed))
    return rows


def _stream_rows(client: anthropic.Anthropic, cassette: Cassette) -> list[Row]:
    """The stream's event sequence, delta sizes, first-event time and pace against the recorded stream."""
    expected = _recorded_stream(cassette)
    try:
        stream = _live_stream(client, cassette.request["body"])
    except anthropic.APIStatusError as error:
        said = answer_of(error.status_code, error.body).said()
        return [Row("stream: event sequence", said, expected["sequence"], False)]
    except anthropic.APIError as error:  # cut, timed out, or not an event stream at all
        return [Row("stream: event sequence", f"{type(error).__name__}: {error}", expected["sequence"], False)]
    sequence = stream["sequence"] == expected["sequence"]
    sizes = _near(stream["median"], expected["median"], 0.5, 2)
    return [
        Row("stream: event sequence", stream["sequence"], expected["sequence"], sequence),
        Row("stream: delta sizes", stream["sizes"], expected["sizes"], sizes),
        _figure_row("stream: first event after", stream["first"], expected["first"], "{:.2f} s", 0.0, 3),
        _figure_row("stream: output tokens per second", stream["tps"], expected["tps"], "{:.0f} tokens/s", 0.5, 2),
    ]


def _tool_round_trip(client: anthropic.Anthropic, recorded: dict[str, Cassette]) -> Row:
    """A tool call, then the whole assistant content (thinking included) sent back with the tool's result."""
    label = "tool round trip, thinking sent back"
    first = recorded["tool-1"].request["body"]
    status, answer = _call(client, first)
    assumed = "tool_use get_time, then an answer after the thinking went back"
    if status != 200:
        return Row(label, answer_of(status, answer).said(), assumed, False)
    calls = [b for b in (answer.content or []) if b.type == "tool_use"]
    if not calls:
        return Row(label, f"no tool call (stop: {answer.stop_reason})", assumed, False)
    result = {"type": "tool_result", "tool_use_id": calls[0].id, "content": "14:05"}
    follow = {
        **first,
        "messages": [
            *first["messages"],
            {"role": "assistant", "content": answer.content or []},
            {"role": "user", "content": [result]},
        ],
    }
    status, final = _call(client, follow)
    thinking = any(b.type == "thinking" for b in (answer.content or []))
    said = (
        f"tool_use {calls[0].name}, then {'an answer' if status == 200 else answer_of(status, final).said()}"
        f"{' after the thinking went back' if thinking else ' (no thinking to send back)'}"
    )
    return Row(label, said, assumed, said == assumed)


# -- the report ----------------------------------------------------------------------------------------------


def _verdict(row: Row) -> str:
    if not row.same:
        return "**no**"
    return "yes (wording reported below)" if row.reported else "yes"


def markdown(rows: list[Row], endpoint: str) -> str:
    """The report as Markdown: a table to attach to an issue, then what is reported but not counted. It never
    contains a key (run() scrubs it) nor credentials in the endpoint's URL."""
    lines = [
        "# doctor report",
        "",
        f"Endpoint: {redact(endpoint)} · SDK: anthropic {anthropic.__version__} · {time.strftime('%Y-%m-%d')}",
        "",
        "| check | what the service did | what the recordings assume | same? |",
        "|---|---|---|---|",
    ]
    for row in rows:
        cells = [row.check, row.service, row.recordings, _verdict(row)]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    reported = [r for r in rows if r.reported]
    if reported:
        lines += ["", "Reported, not counted (the recording marks the message as a guess; its behaviour matches):", ""]
        lines += [f"- {r.check}: {r.reported}" for r in reported]
    differ = sum(not r.same for r in rows)
    lines += [
        "",
        "Everything matches." if not differ else f"{differ} check(s) differ: please attach this report to an issue.",
    ]
    return "\n".join(lines) + "\n"


_URL_USER = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_SECRET_PARAMS = r"key|api[_-]?key|apikey|token|access[_-]?token|auth|secret|password|sig"
_URL_SECRET = re.compile(rf"(?i)([?&](?:{_SECRET_PARAMS})=)[^&#\s]+")


def redact(text: str, *secrets: str) -> str:
    """`text` without the given secrets and without credentials in URLs (`user:pass@host`, `?key=...`)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "<redacted>")
    return _URL_SECRET.sub(r"\1<redacted>", _URL_USER.sub(r"\1<redacted>@", text))


def _scrubbed(text: str, key: str) -> str:
    return redact(text, key)


def _console(row: Row) -> str:
    mark = "DIFF" if not row.same else ("NOTE" if row.reported else "ok  ")
    extra = f"\n     reported, not counted: {row.reported}" if row.reported else ""
    return f"{mark} {row.check}: {row.service} | recordings: {row.recordings}{extra}"


def examine(
    key: str,
    *,
    region: str = "auto",
    base_url: str | None = None,
    recorded: dict[str, Cassette] | None = None,
    source: str = "MINIMAX_BASE_URL",
) -> tuple[list[Row], str]:
    """Every check, with `key`, against `base_url` or the region's endpoint (both regions for 'auto'): the rows
    and the endpoint(s) as the report names them. `python -m devtools drift` calls this too. A base URL that
    get_client would refuse (credentials in it, Anthropic's API) raises ConfigError, `source` naming it, before
    anything is sent."""
    if base_url:
        base_url = check_base_url(base_url, source=source)
        urls = {"endpoint": base_url}
    elif region in REGIONS:
        urls = {region: REGIONS[region]}
    else:
        urls = dict(REGIONS)
    rows = check(urls, key, recorded if recorded is not None else _recordings())
    return rows, base_url or ", ".join(urls.values())


def run(
    *,
    api_key: str | None = None,
    region: str = "auto",
    base_url: str | None = None,
    out: Path = Path("doctor-report.md"),
    show_plan_only: bool = False,
    say: Callable[[str], None] = print,
    source: str = "MINIMAX_BASE_URL",
) -> int:
    """The doctor command: 0 when the service does what the recordings assume (a guessed message's wording aside:
    reported, not counted), 1 when a behaviour differs, 2 without a key or with an endpoint it refuses (nothing
    sent either way). `source` names where `base_url` came from, for the refusal."""
    recorded = _recordings()
    lines, cost = plan(recorded)
    say(f"doctor will send {len(lines) + 2} small requests (at most {cost:.4f} USD; budget {BUDGET_USD} USD):")
    for line in lines:
        say(f"  - {line}")
    if show_plan_only:
        return 0
    if cost > BUDGET_USD:
        say(f"That could cost {cost:.4f} USD, over the budget of {BUDGET_USD} USD: nothing was sent.")
        return 2
    try:
        base_url = check_base_url(base_url, source=source) if base_url else None
        found = find_key(api_key)
    except ConfigError as error:  # its message shows the URL without credentials, and never a key
        say(str(error))
        return 2
    key = getattr(found, "value", None)
    if not key:
        say("No key found: set MINIMAX_API_KEY (or a .env file). Nothing was sent.")
        return 2
    say(f"Key from {found.source}; sending now ...")
    rows, endpoint = examine(key, region=region, base_url=base_url, recorded=recorded, source=source)
    report = _scrubbed(markdown(rows, endpoint), key)
    out.write_text(report, encoding="utf-8")
    say(_scrubbed("\n".join(_console(r) for r in rows), key))
    say(f"Report written to {out}.")
    return 0 if all(r.same for r in rows) else 1
