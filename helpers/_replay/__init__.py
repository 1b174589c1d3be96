"""Private: the replay and record machinery under `get_client` and the local stand-in. A learner never needs to
open this.

- `cassettes`: the recording format (one JSON file per request), the library that finds a request's file,
  and the "not recorded" message that says what differs and how to record it;
- `core`: the replay core, a request in and its recorded answer out (lookup, miss, faults, key check, paced
  stream), with no sockets: both engines below answer through it, and an in-process caller needs only it;
- `transport`: `ReplayTransport` (over the core; it also mends MiniMax's stream quirks, `mend`) and
  `RecordTransport`, plugged into the SDK's own HTTP client;
- `server`: `ReplayServer` (public as `helpers.server`), a thin HTTP adapter over the core on 127.0.0.1, and
  `clients`, the miss advice for the client that sent a request;
- `sse`: server-sent events on the wire, and the pacer that replays them at the recorded pace;
- `error_body`: MiniMax's error envelope, built one way for the local server, the synthesizer and exercises;
- `browser`: what differs under Pyodide (JupyterLite): the stand-in answered in-process at its URL, and no live
  call from a page; installed here, at import, in a browser only.
"""

from . import browser as _browser

_browser.install()
