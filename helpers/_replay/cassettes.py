"""Recorded exchanges ("cassettes"): one readable JSON file per request (request, response or stream events with
their times, and the source: recorded or synthesized; data/cassettes/README.md), and how a request finds its file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic

from .._i18n import N_, ngettext
from .._i18n import gettext as _

FORMAT = "minimax-cassette/1"
_EVENTS_MARK = "\u0000events\u0000"
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "cassettes"
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "x-should-retry")
"""Only these response headers are written: nothing else is needed to replay, and nothing else can leak."""


class CassetteWarning(UserWarning):
    """A recording could not be read (it was skipped) or written (the answer was returned anyway)."""


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then replace: a full disk or an
    interrupted write leaves the old file whole, never a truncated one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:40]}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class NotRecordedError(anthropic.AnthropicError, LookupError):
    """Replay mode got a request that no recording holds. The message says what differs and what to do
    (notebook 01, exercise 01.3, shows one)."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows: the message alone, not the SDK's frames (code still gets the whole exception)."""
        return [f"{type(self).__name__}: {self}", _("(the full traceback: run %tb in the next cell)")]


def _plain_numbers(value: Any) -> Any:
    """`value` with every whole float as an int: `1.0` and `1` are one number to the API, and hosts print them
    differently (Python keeps `1.0`, JavaScript and JupyterLite's re-serialized JSON write `1`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


def _without_default_stream(body: Any) -> Any:
    """The body without `stream: false`, the API's default (a difference there is no difference)."""
    if isinstance(body, dict) and body.get("stream") is False:
        return {k: v for k, v in body.items() if k != "stream"}
    return body


def _as_text(content: Any) -> Any:
    """A list holding one plain text block as its text: the Messages API reads `"hi"` and
    `[{"type": "text", "text": "hi"}]` alike (LiteLLM and the Vercel AI SDK always send the list)."""
    if isinstance(content, list) and len(content) == 1:
        block = content[0]
        if isinstance(block, dict) and set(block) == {"type", "text"} and block["type"] == "text":
            return block["text"]
    return content


def _canonical_message(message: Any) -> Any:
    """A message as matching sees it: its content (and each tool result's) as text when it is one text block."""
    if not isinstance(message, dict) or "content" not in message:
        return message
    content = _as_text(message["content"])
    if isinstance(content, list):
        content = [
            {**b, "content": _as_text(b["content"])}
            if isinstance(b, dict) and b.get("type") == "tool_result" and "content" in b
            else b
            for b in content
        ]
    return {**message, "content": content}


def canonical_body(body: Any) -> Any:
    """The request body in one form for requests the Messages API treats as the same: no `stream: false`, one
    plain text block as its text, whole floats as ints, no default `tool_choice` (auto, beside tools) or tool
    `"type": "custom"` (LiteLLM). What clients really send: docs/sources.md ("What other clients send")."""
    if not isinstance(body, dict):
        return _plain_numbers(body)
    body = dict(_without_default_stream(body))  # a copy: the caller's is kept
    if "system" in body:
        body["system"] = _as_text(body["system"])
    if isinstance(body.get("messages"), list):
        body["messages"] = [_canonical_message(m) for m in body["messages"]]
    if body.get("tool_choice") == {"type": "auto"} and body.get("tools"):  # the default with tools (AI SDK)
        del body["tool_choice"]
    if isinstance(body.get("tools"), list):
        custom = (
            {k: v for k, v in t.items() if k != "type"} if isinstance(t, dict) and t.get("type") == "custom" else t
            for t in body["tools"]
        )
        body["tools"] = list(custom)
    return _plain_numbers(body)


def request_key(method: str, path: str, body: Any) -> str:
    """A string that is equal for two requests exactly when replay should treat them as the same."""
    return _exact_key(method, path, canonical_body(body))


def _exact_key(method: str, path: str, body: Any) -> str:
    """The request as sent, keys sorted: equal only for requests `request_key` finds equal too."""
    return f"{method.upper()} {path} {json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(',', ':'))}"


def api_path(url_path: str) -> str:
    """The endpoint-relative path ('/v1/messages'), whatever prefix the base URL adds ('/anthropic')."""
    index = url_path.find("/v1/")
    return url_path[index:] if index >= 0 else url_path


def parse_body(content: bytes) -> Any:
    """A request or response body as JSON when it is JSON, else as text."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass
class Cassette:
    """One recorded exchange, as loaded from (or about to be written to) a JSON file."""

    request: dict[str, Any]
    response: dict[str, Any]
    source: dict[str, Any]
    sequence: int = 1
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return request_key(self.request["method"], self.request["path"], self.request.get("body"))

    @property
    def is_stream(self) -> bool:
        return "events" in self.response

    def to_json(self) -> dict[str, Any]:
        sequence = {"sequence": self.sequence} if self.sequence != 1 else {}
        return {
            "format": FORMAT,
            "source": self.source,
            **sequence,
            **self.extra,
            "request": self.request,
            "response": self.response,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], path: Path | None = None) -> Cassette:
        if data.get("format") != FORMAT:
            where = f" in {path}" if path else ""
            raise ValueError(f"Unknown cassette format {data.get('format')!r}{where}; expected {FORMAT!r}.")
        request, response = data.get("request"), data.get("response")
        if not isinstance(request, dict) or not isinstance(request.get("method"), str) or "path" not in request:
            raise ValueError("it has no 'request' with a 'method' and a 'path'")
        if not isinstance(response, dict) or not isinstance(response.get("status"), int):
            raise ValueError("it has no 'response' with a numeric 'status'")
        if not isinstance(data.get("source"), dict):
            raise ValueError("it has no 'source' saying where it comes from")
        extra = {k: v for k, v in data.items() if k not in ("format", "source", "sequence", "request", "response")}
        return cls(request, response, data["source"], int(data.get("sequence", 1)), path, extra)

    def dumps(self) -> str:
        """The file's text for people: indented JSON, except a stream's events, one compact event per line."""
        data = self.to_json()
        if not self.is_stream:
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        text = json.dumps({**data, "response": {**self.response, "events": _EVENTS_MARK}}, indent=2, ensure_ascii=False)
        events = (json.dumps(e, ensure_ascii=False, separators=(", ", ": ")) for e in self.response["events"])
        return (
            text.replace(json.dumps(_EVENTS_MARK), "[\n" + ",\n".join("      " + e for e in events) + "\n    ]") + "\n"
        )

    def write(self, path: Path) -> Path:
        """Write the file atomically (see write_atomic) and remember where it is."""
        write_atomic(path, self.dumps())
        self.path = path
        return path


def load(path: Path) -> Cassette:
    """One cassette file; ValueError (or OSError) when it is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    return Cassette.from_json(data, path)


def _warn_unreadable(path: Path, error: OSError | ValueError) -> None:
    """One warning naming a file that is not a readable recording, and what to do about it."""
    why = f"not valid JSON ({error.msg}, line {error.lineno})" if isinstance(error, json.JSONDecodeError) else error
    warnings.warn(
        f"Skipped {path}: it is not a readable recording ({why}). Every other recording still replays. "
        "Delete the file, restore it (git checkout -- <file>), or record it again.",
        CassetteWarning,
        stacklevel=3,
    )


_LOADED: dict[Path, tuple[tuple[int, int], Cassette, str]] = {}
"""Cassettes already read in this process, by file: the (mtime, size) they were read at, and their key."""


def _warn_skipped_folder(path: Path, why: str) -> None:
    """One warning naming a folder left out of the library, and why."""
    warnings.warn(
        f"Skipped the folder {path}: {why}. Recordings elsewhere in the library still replay.",
        CassetteWarning,
        stacklevel=4,
    )


def _inside(path: Path, root: Path) -> bool:
    """Whether `path`, links resolved, is `root` or below it."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop does not resolve
        return False


def _stat_files(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Every cassette file below `root` with its stat, sorted; links followed only inside the library, each folder
    read once (a link loop ends), and one that cannot be read skipped with a warning naming it."""
    found: list[tuple[Path, os.stat_result]] = []
    real_root = root.resolve() if root.is_dir() else None
    folders, seen = ([root] if real_root else []), set()
    while folders:
        folder = folders.pop()
        real = folder.resolve()
        if real in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            _warn_skipped_folder(folder, f"it cannot be read ({error.strerror or error})")
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink() and not _inside(path, real_root):  # type: ignore[arg-type]
                _warn_skipped_folder(path, "it is a link that leads out of the library (or nowhere)")
            elif entry.is_dir():
                folders.append(path)
            elif entry.name.endswith(".json") and entry.is_file():
                found.append((path, entry.stat()))
    return sorted(found, key=lambda item: item[0])


def load_keyed(path: Path, stat: os.stat_result) -> tuple[Cassette, str]:
    """`load(path)` and its request key, read once per process: a file is read again only when it changed."""
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _LOADED.get(path)
    if known is not None and known[0] == stamp:
        return known[1], known[2]
    cassette = load(path)
    _LOADED[path] = (stamp, cassette, cassette.key)
    return cassette, cassette.key


def iter_cassette_files(root: Path) -> Iterator[Path]:
    """Every cassette file below `root`, in a stable order."""
    yield from (path for path, _ in _stat_files(root))


_SLUG = re.compile(r"[^a-z0-9]+")


def slug_for(body: Any) -> str:
    """A short readable file-name stem from the last user text of a messages request."""
    messages = body.get("messages") if isinstance(body, dict) else None
    users = [m for m in messages or [] if isinstance(m, dict) and m.get("role") == "user"]
    content = users[-1].get("content") if users else ""
    if isinstance(content, list):
        blocks = [b for b in content if isinstance(b, dict)]
        texts = " ".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        content = texts or "-".join(b.get("type", "") for b in blocks)
    text = content if isinstance(content, str) else ""
    stem = _SLUG.sub("-", text.lower()).strip("-")[:40].rstrip("-") or "request"
    if isinstance(body, dict) and body.get("stream"):
        stem += "-stream"
    return stem


def file_name(cassette: Cassette) -> str:
    """`<slug>-<hash of the request>[-<sequence>].json`: readable, and stable, so re-recording replaces."""
    digest = hashlib.sha256(cassette.key.encode()).hexdigest()[:10]
    return numbered(f"{slug_for(cassette.request.get('body'))}-{digest}", cassette.sequence)


def numbered(stem: str, sequence: int) -> str:
    """The file name of exchange `sequence` of the request whose file stem is `stem`."""
    return f"{stem}.json" if sequence == 1 else f"{stem}-{sequence}.json"


# ---------------------------------------------------------------------------------------------------
# Finding the recording for a request, and explaining a miss


def _in_shape_of(recorded: Any, sent: Any) -> Any:
    """The recorded value in the form the client sent, where the API reads both alike (a text and a list of
    one text block): a miss then names the paths the learner wrote, and never a difference of form alone."""
    if isinstance(recorded, str) and isinstance(sent, list) and _as_text(sent) is not sent:
        return [{"type": "text", "text": recorded}]
    if isinstance(sent, str) and isinstance(recorded, list) and _as_text(recorded) is not recorded:
        return _as_text(recorded)
    return recorded


_MISSING = object()


def _differences(recorded: Any, sent: Any, limit: int = 6) -> list[str]:
    """Readable paths where two request bodies differ, at most `limit` of them (`stream: false` is no stream)."""
    found: list[str] = []

    def short(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 70 else text[:67] + "..."

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit:
            return
        a = _in_shape_of(a, b)
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(set(a) | set(b), key=str)
            items = [(f"{where}.{k}" if where else str(k), a.get(k, _MISSING), b.get(k, _MISSING)) for k in keys]
        elif isinstance(a, list) and isinstance(b, list):
            items = [
                (f"{where}[{i}]", a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING)
                for i in range(max(len(a), len(b)))
            ]
        else:
            if a != b:
                found.append(
                    _("{where}: recorded {recorded}, sent {sent}").format(
                        where=where or "body", recorded=short(a), sent=short(b)
                    )
                )
            return
        for here, x, y in items:
            if y is _MISSING:
                found.append(_("{where}: recorded {value}, not sent").format(where=here, value=short(x)))
            elif x is _MISSING:
                found.append(_("{where}: sent {value}, not in the recording").format(where=here, value=short(y)))
            else:
                walk(x, y, here)

    walk(_without_default_stream(recorded), _without_default_stream(sent), "")
    return found


GENERIC_ADVICE = N_(
    "To get an answer: set MINIMAX_API_KEY to call MiniMax live (mode 'auto' then goes live),\n"
    "or record this request with MINIMAX_MODE=record and a key (see README: 'Recordings')."
)
"""What to do about a miss in the helpers' own client (get_client), which reads MINIMAX_API_KEY (in English:
`_(GENERIC_ADVICE)` where it is shown)."""


class CassetteLibrary:
    """All cassettes below a root folder by request key, same-key ones in sequence; indexed at the first request (so
    `get_client` costs the same whatever the library's size), each file read once per process (`load_keyed`)."""

    def __init__(self, root: Path = DEFAULT_ROOT, *, prefer: str | None = None) -> None:
        self.root, self.prefer = root, prefer
        self._index: dict[str, list[Cassette]] | None = None
        self._added: list[Cassette] = []
        self._served: dict[str, int] = {}
        self._exact: dict[str, str] = {}  # each request found, as sent, to its key: found again with one json.dumps

    @property
    def _by_key(self) -> dict[str, list[Cassette]]:
        """The index by request key, built at first use from the files below `root` and any added cassettes."""
        if self._index is not None:
            return self._index
        files = []
        for path, stat in _stat_files(self.root):  # a file that is not a recording is skipped, with one warning
            try:
                files.append(load_keyed(path, stat))
            except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                _warn_unreadable(path, error)
        self._index = {}  # set only once every file is read: a failed build is tried again, never half used
        self._insert([*files, *((c, c.key) for c in self._added)])
        return self._index

    def add(self, cassettes: Iterable[Cassette]) -> None:
        new = list(cassettes)
        self._added.extend(new)
        if self._index is not None:
            self._insert([(c, c.key) for c in new])

    def _insert(self, keyed: list[tuple[Cassette, str]]) -> None:
        assert self._index is not None
        for cassette, key in keyed:
            self._index.setdefault(key, []).append(cassette)
        for group in self._index.values():
            if len(group) > 1:
                group.sort(key=self._rank)

    def _rank(self, cassette: Cassette) -> tuple[int, int, str]:
        folder = cassette.path.parent.name if cassette.path else ""
        return (0 if folder == self.prefer else 1, cassette.sequence, str(cassette.path))

    def __len__(self) -> int:
        return sum(len(group) for group in self._by_key.values())

    def __iter__(self) -> Iterator[Cassette]:
        for group in self._by_key.values():
            yield from group

    def find(self, method: str, path: str, body: Any) -> Cassette | None:
        """The next recording for this request: same-key recordings play in sequence, the last one repeats."""
        exact = _exact_key(method, path, body)
        key = self._exact.get(exact) or request_key(method, path, body)
        group = (self._index if self._index is not None else self._by_key).get(key)  # warm: no property call
        if not group:
            return None
        self._exact[exact] = key  # only requests found: a miss never grows it
        folder = group[0].path.parent.name if group[0].path else None
        group = [c for c in group if (c.path.parent.name if c.path else None) == folder]
        served = self._served.get(key, 0)
        self._served[key] = served + 1
        return group[min(served, len(group) - 1)]

    def closest(self, method: str, path: str, body: Any) -> Cassette | None:
        """The recording whose request differs least from this one (same method and path), if any."""
        candidates = [c for c in self if c.request["method"].upper() == method.upper() and c.request["path"] == path]
        if not candidates:
            return None
        return min(candidates, key=lambda c: (len(_differences(c.request.get("body"), body, 10_000)), self._rank(c)))

    def explain_miss(self, method: str, path: str, body: Any, *, advice: str | None = None) -> str:
        """The message of a replay miss: what was sent, the closest recording, what differs, what to do
        (`advice`, when the caller knows the client better than "set MINIMAX_API_KEY": the local server)."""
        summary = f"{method.upper()} {path}"
        if isinstance(body, dict):
            n = len(body.get("messages") or [])
            stream = _(", streaming") if body.get("stream") else ""
            summary += ngettext(
                " (model {model!r}, {count} message{stream})", " (model {model!r}, {count} messages{stream})", n
            ).format(model=body.get("model"), count=n, stream=stream)
        lines = [
            _("This request is not recorded, so replay mode has no answer for it."),
            _("  Sent: {summary}").format(summary=summary),
        ]
        nearest = self.closest(method, path, body)
        if nearest is None:
            lines.append(
                _("  No recording in the library ({folder}/) has this method and path.").format(folder=self.root.name)
            )
        else:
            where = nearest.path.relative_to(self.root.parent) if nearest.path else _("(in memory)")
            lines.append(_("  Closest recording: {where}").format(where=where))
            lines.append(_("  What differs (recorded vs sent):"))
            lines.extend(f"    - {d}" for d in _differences(nearest.request.get("body"), body))
        lines += (advice or _(GENERIC_ADVICE)).splitlines()
        return "\n".join(lines)
