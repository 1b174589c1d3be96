"""Helpers for the MiniMax + Anthropic SDK notebooks: pick the endpoint and key, build the client, record
and replay responses, and show messages with thinking kept apart from the answer.

Importing this package is cheap: widgets, pandas and IPython load only when a function needs them.
"""

from __future__ import annotations

from .cassettes import Cassette, CassetteLibrary
from .client import describe, detect_region, get_client
from .compat import RequestNotSupportedError, check_request
from .config import REGIONS, SUPPORTED_MODELS, ConfigError
from .errors import explain
from .exercises import Feedback, check
from .live import LiveView
from .playground import Playground
from .render import MessageView, conversation, show
from .stream import StreamInterrupted, stream
from .timeline import LiveTimeline, timeline
from .tools import MaxTurnsError, ToolRun, TruncatedToolCallError, run_tools
from .transport import NotRecordedError
from .usage import cost_summary, usage

__all__ = [
    "REGIONS",
    "SUPPORTED_MODELS",
    "Cassette",
    "CassetteLibrary",
    "ConfigError",
    "Feedback",
    "LiveTimeline",
    "LiveView",
    "MaxTurnsError",
    "MessageView",
    "NotRecordedError",
    "Playground",
    "RequestNotSupportedError",
    "StreamInterrupted",
    "ToolRun",
    "TruncatedToolCallError",
    "check",
    "check_request",
    "conversation",
    "cost_summary",
    "describe",
    "detect_region",
    "explain",
    "get_client",
    "run_tools",
    "show",
    "stream",
    "timeline",
    "usage",
]
