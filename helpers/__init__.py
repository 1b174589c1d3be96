"""Helpers for the MiniMax + Anthropic SDK notebooks: this file is their index, each name grouped by the notebook that
teaches it, with the module that holds it, so a learner can open that file and read how it works (`helpers._replay`,
the recordings, is machinery no notebook needs opened). Importing it is cheap: widgets, pandas and IPython load only
when a function needs them."""

from __future__ import annotations

# first: an anthropic SDK older than 2.0 is refused with one line saying how to upgrade (_sdk.py)
from . import _sdk  # noqa: F401

# every notebook: the language the helpers speak, English (default) or Simplified Chinese (_i18n.py)
from ._i18n import set_language

# 01 quick start: what replay raises for a request no recording holds (_replay/cassettes.py)
from ._replay.cassettes import NotRecordedError

# 01 quick start: what every call cost, and a summary per model (billing.py)
from .billing import cost_summary, usage

# 01 quick start: a client for MiniMax, live with a key or on recordings without one (client.py)
from .client import REGIONS, SUPPORTED_MODELS, ConfigError, describe, get_client

# 05 parameters and errors: checks before sending, and what an error means (compat.py, errors.py)
from .compat import RequestNotSupportedError, check_request
from .errors import explain

# every notebook: check an exercise answer (exercises/)
from .exercises import check

# 06 chat playground: a chat app over one history (playground.py)
from .playground import Playground

# 01 quick start: a message with its thinking folded apart from the answer (show.py)
from .show import conversation, show

# 02 streaming: stream a turn with a live view, and the error a cut stream raises (streaming.py);
# 04 interleaved thinking: each thinking, call and result as it happens (streaming.py's LiveTimeline)
from .streaming import LiveTimeline, LiveView, StreamInterrupted, stream

# 03 tool use: the tool loop and the two ways it stops early (tools.py)
from .tools import MaxTurnsError, TruncatedToolCallError, run_tools

__all__ = [
    "REGIONS",
    "SUPPORTED_MODELS",
    "ConfigError",
    "LiveTimeline",
    "LiveView",
    "MaxTurnsError",
    "NotRecordedError",
    "Playground",
    "RequestNotSupportedError",
    "StreamInterrupted",
    "TruncatedToolCallError",
    "check",
    "check_request",
    "conversation",
    "cost_summary",
    "describe",
    "explain",
    "get_client",
    "run_tools",
    "set_language",
    "show",
    "stream",
    "usage",
]
