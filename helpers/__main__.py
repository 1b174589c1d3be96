"""Command line: `python -m helpers <command>`; `python -m helpers --help` lists the commands."""

from __future__ import annotations

import argparse
import errno
import sys


def _port(text: str) -> int:
    """An argparse type: a TCP port number, 0 to 65535 (0 lets the system pick a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give a whole number such as 8765") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535, or 0 to pick a free one")
    return port


def _speed(text: str) -> float:
    """An argparse type: a replay pace, 0 (instant) or more."""
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number: use 1 for the recorded pace, 0 for instant"
        ) from None
    if not speed >= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a pace: use 1 for the recorded pace, 0 for instant")
    return speed


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("regenerate", help="re-run notebooks on recordings and store their outputs")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p = commands.add_parser("record", help="run notebooks live with a key and write new recordings")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p = commands.add_parser("synth", help="rebuild synthesized recordings from data/exchanges/*.json")
    p.add_argument("names", nargs="*", help="only these description files (stem, e.g. 01_quick_start)")
    p = commands.add_parser(
        "serve",
        help="serve the recordings on 127.0.0.1 as a MiniMax-like endpoint (ANTHROPIC_BASE_URL=http://127.0.0.1:PORT)",
        description="Serve the recordings over HTTP on 127.0.0.1 only, so that any Anthropic client (Python, Node.js, "
        "curl) runs keyless with ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. Ctrl-C stops it.",
    )
    p.add_argument("--port", type=_port, default=8765, help="port on 127.0.0.1 (0 picks a free one; default 8765)")
    p.add_argument("--speed", type=_speed, default=0.0, help="stream pace: 1 = recorded pace, 0 = instant (default)")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="fail the next request(s): overloaded[:times], cut[:after_events], slow[:seconds], malformed[:after]; "
        "repeatable, applied in order (a request header x-replay-fault: SPEC does the same per request)",
    )
    p.add_argument("--key", action="append", default=None, help="accept only this API key (repeatable; default: any)")
    p = commands.add_parser("badges", help="rewrite every notebook's Colab badge and setup cell from project.py")
    p.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")
    p.add_argument("--check", action="store_true", help="only list what disagrees (exit 1 if anything does)")
    commands.add_parser("cost", help="estimate the cost of running every notebook live once, from its recordings")
    args = parser.parse_args(argv)

    if args.command == "regenerate":
        from .notebooks import regenerate

        return regenerate(args.notebooks)
    if args.command == "record":
        from .notebooks import record

        return record(args.notebooks)
    if args.command == "synth":
        from .synth import main as synth_main

        return synth_main(args.names)
    if args.command == "serve":
        from .server import parse_fault, serve

        try:
            for spec in args.fault:
                parse_fault(spec)
        except ValueError as error:
            parser.error(str(error))
        try:
            return serve(
                port=args.port, speed=args.speed, faults=args.fault, api_keys=set(args.key) if args.key else None
            )
        except OSError as error:
            if error.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            print(
                f"Cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}. "
                "Stop what uses that port, or pick another with --port (0 picks a free one).",
                file=sys.stderr,
            )
            return 1
    if args.command == "badges":
        from .badges import main as badges_main

        return badges_main(args.notebooks, check=args.check)
    if args.command == "cost":
        from .costs import main as cost_main

        return cost_main()
    return 2


if __name__ == "__main__":
    sys.exit(main())
