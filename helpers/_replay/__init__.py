"""Private: the replay and record machinery under `get_client` and the local stand-in (a learner never opens it).
`cassettes`: the recording format and library and the miss message; `core`: a request in, its recorded answer out
(both engines answer through it); `transport`: the SDK's HTTP transports (replay, record; `sse` mends MiniMax's
stream quirks); `server` (+ `clients`): the stand-in over HTTP; `sse`: events on the wire; `error_body`: MiniMax's
error envelope; `browser`: what differs under Pyodide, installed here at import in a browser only."""

from . import browser as _browser

_browser.install()
