"""What a learner runs: `python -m helpers serve` (the recordings as a local MiniMax-like endpoint, notebook 05).
Maintainer commands (regenerate, record, synth, badges, cost, doctor, drift) live in `python -m devtools`."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Callable
from functools import partial

from .server import parse_fault, serve

MOVED = {"doctor": "`doctor` moved to the maintainer tools: run `python -m devtools doctor` (same options)."}
"""Commands that left `python -m helpers`, with the one line that says where they went."""
SERVE = (
    "Serve the recordings over HTTP on 127.0.0.1 only, as a MiniMax-like endpoint, so that any Anthropic client "
    "(Python, Node.js, curl) runs keyless with ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. Ctrl-C stops it."
)
FAULTS = (
    "fail the next request(s): overloaded[:times], cut[:after_events], slow[:seconds], malformed[:after]; "
    "repeatable, applied in order (a request header x-replay-fault: SPEC does the same per request)"
)


def _bounded(kind: Callable[[str], float], what: str, low: float, high: float, fix: str, text: str) -> float:
    """An argparse type (with its first five arguments given): a number from `low` to `high`, else what to give."""
    try:
        value = kind(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {what}: {fix}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    args_given = sys.argv[1:] if argv is None else argv
    if args_given and args_given[0] in MOVED:
        print(MOVED[args_given[0]], file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    p = parser.add_subparsers(dest="command", required=True).add_parser("serve", help=SERVE, description=SERVE)
    port = partial(_bounded, int, "port", 0, 65535, "use 1 to 65535, or 0 to pick a free one")
    p.add_argument("--port", type=port, default=8765, help="port on 127.0.0.1 (0 picks a free one; default 8765)")
    pace = partial(_bounded, float, "pace", 0, float("inf"), "use 1 for the recorded pace, 0 for instant")
    p.add_argument("--speed", type=pace, default=0.0, help="stream pace: 1 = recorded pace, 0 = instant (default)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC", help=FAULTS)
    p.add_argument("--key", action="append", default=None, help="accept only this API key (repeatable; default: any)")
    args = parser.parse_args(argv)
    try:
        for spec in args.fault:
            parse_fault(spec)
    except ValueError as error:
        parser.error(str(error))
    try:
        return serve(port=args.port, speed=args.speed, faults=args.fault, api_keys=set(args.key) if args.key else None)
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
        print(
            f"Cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}. "
            "Stop what uses that port, or pick another with --port (0 picks a free one).",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
