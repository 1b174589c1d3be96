"""The local stand-in: `ReplayServer` serves the recordings on 127.0.0.1 as a MiniMax-like endpoint to any
Anthropic client, keyless (notebooks 01 and 05, `python -m helpers serve`). It lives in `_replay/server.py`, a thin
HTTP adapter over the replay core that `get_client`'s transport uses too."""

from ._replay.core import FAULT_HEADER, Fault, parse_fault
from ._replay.server import ReplayServer, serve

__all__ = ["FAULT_HEADER", "Fault", "ReplayServer", "parse_fault", "serve"]
