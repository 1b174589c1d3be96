"""Which client sent a request to the local stand-in, and how that client goes live: the miss message's advice
(docs/sources.md: what other clients send)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

LIVE_BASE = "https://api.minimax.io/anthropic"
"""MiniMax's Anthropic-compatible route (global; China: https://api.minimaxi.com/anthropic)."""


@dataclass(frozen=True)
class Client:
    """A kind of client: its name, how it goes live with a key (a placeholder, never a key), and the base URL it
    takes for this server ({url}: the server's)."""

    name: str
    live: str
    local_base: str = "{url}"


GENERIC_CLIENT = Client(
    "an HTTP client this server does not recognise",
    f"point its base URL at {LIVE_BASE} (requests go to {LIVE_BASE}/v1/messages) and send your MiniMax key in "
    "the x-api-key header (or Authorization: Bearer <key>).",
)
CLIENTS: tuple[tuple[str, Client], ...] = (
    (
        r"\|litellm/",
        Client(
            "LiteLLM",
            f'litellm.completion(model="anthropic/MiniMax-M2.1", api_base="{LIVE_BASE}", '
            'api_key=os.environ["MINIMAX_API_KEY"], ...), or export '
            f"ANTHROPIC_API_BASE={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key> (LiteLLM adds /v1/messages).",
        ),
    ),
    (
        r"ai-sdk/",
        Client(
            "the Vercel AI SDK",
            f'createAnthropic({{ baseURL: "{LIVE_BASE}/v1", apiKey: process.env.MINIMAX_API_KEY }}) '
            f"(the AI SDK's baseURL ends in /v1), or ANTHROPIC_BASE_URL={LIVE_BASE}/v1 and "
            "ANTHROPIC_API_KEY=<your MiniMax key>.",
            "{url}/v1",
        ),
    ),
    (
        r"^python\||\|anthropic/python",
        Client(
            "the Anthropic Python SDK",
            f'anthropic.Anthropic(base_url="{LIVE_BASE}", api_key=os.environ["MINIMAX_API_KEY"]), or export '
            f"ANTHROPIC_BASE_URL={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key>; clients built on it "
            "(LangChain's ChatAnthropic, pydantic-ai) take the same base_url and api_key. In this collection's "
            "notebooks, setting MINIMAX_API_KEY is enough.",
        ),
    ),
    (
        r"^js\||\|anthropic/js",
        Client(
            "the Anthropic TypeScript SDK",
            f'new Anthropic({{ baseURL: "{LIVE_BASE}", apiKey: process.env.MINIMAX_API_KEY }}), or '
            f"ANTHROPIC_BASE_URL={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key>.",
        ),
    ),
    (
        r"\|curl/",
        Client(
            "curl",
            f'curl {LIVE_BASE}/v1/messages -H "x-api-key: $MINIMAX_API_KEY" -H "anthropic-version: 2023-06-01" '
            '-H "content-type: application/json" -d @request.json',
        ),
    ),
)
"""Recognised clients by a pattern of "<x-stainless-lang>|<User-Agent>", first match wins: LiteLLM and the AI SDK
before the SDKs, whose headers others may copy."""


def recognise(headers: Mapping[str, str]) -> Client:
    """The client that sent a request, from its User-Agent and x-stainless-lang headers; GENERIC_CLIENT if unknown."""
    sender = "|".join(str(headers.get(name) or "").strip().lower() for name in ("x-stainless-lang", "user-agent"))
    return next((client for pattern, client in CLIENTS if re.search(pattern, sender)), GENERIC_CLIENT)


def miss_advice(headers: Mapping[str, str], path: str, url: str, *, keyless: bool = True) -> str:
    """What to do about a request with no recording, said for the client that sent it (never with a key)."""
    client = recognise(headers)
    agent = "".join(c for c in str(headers.get("user-agent") or "none") if c.isprintable())[:80]
    local = client.local_base.format(url=url)
    lines = [f"Sent by {client.name} (User-Agent: {agent})."]
    if not path.startswith("/v1/"):
        lines.append(f"This server answers POST {url}/v1/messages: give {client.name} the base URL {local}.")
    lines += [
        f"This local stand-in {'needs no key and ' if keyless else ''}answers only recorded requests. "
        "To call MiniMax live, point the",
        f"client at MiniMax with your key: {client.live}",
        "(China: api.minimaxi.com instead of api.minimax.io.) To add this request to the recordings, send it",
        "through the helpers with MINIMAX_MODE=record and a key (see README: 'Recordings').",
    ]
    return "\n".join(lines)
