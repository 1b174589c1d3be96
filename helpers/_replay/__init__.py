"""Private: the replay and record machinery under `get_client`. A learner never needs to open this.

- `cassettes`: the recording format (one JSON file per request), the library that finds a request's file,
  and the "not recorded" message that says what differs and how to record it;
- `transport`: `ReplayTransport` and `RecordTransport`, plugged into the SDK's own HTTP client;
- `sse`: server-sent events on the wire, and the pacer that replays them at the recorded pace;
- `error_body`: MiniMax's error envelope, built one way for the local server, the synthesizer and exercises.
"""
