"""Maintainer commands: `python -m devtools regenerate | record | synth | badges | diagrams | cost | bundle | doctor |
drift | lock | translations | messages | lite | site | gitpuller | otter`.

`--help` on each says what it does. Learners never need these; `python -m helpers serve` is theirs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _unknown_names(args: argparse.Namespace) -> str | None:
    """A message for names on the command line that match nothing (a typo would otherwise do nothing and
    exit 0); None when every name matches."""
    if args.command == "synth":
        from .synth import EXCHANGES_DIR

        known = sorted(path.stem for path in EXCHANGES_DIR.glob("*.json"))
        missing = [name for name in args.names if name not in known]
        if missing:
            return f"No description named {', '.join(missing)} in data/exchanges. Known: {', '.join(known)}."
    elif args.command in ("regenerate", "record", "drift"):
        from .notebooks import NOTEBOOKS, notebook_paths

        missing = [name for name in args.notebooks if not notebook_paths([name])]
        if missing:
            names = ", ".join(p.relative_to(NOTEBOOKS).as_posix() for p in notebook_paths())
            return (
                f"No notebook path contains {', '.join(missing)} (a translation is named by its folder, e.g. "
                f"zh-CN/01). Notebooks: {names}."
            )
    return None


def _add_doctor(commands: Any) -> None:
    """`doctor`'s options (the ones `python -m helpers doctor` had)."""
    d = commands.add_parser(
        "doctor",
        help="with a key: check live what MiniMax does against what the recordings assume (< 1 min, < 0.01 USD)",
        description="Sends a few small requests with your key (MINIMAX_API_KEY or .env), compares what the service did "
        "with what the recordings assume, prints the table and writes it as Markdown (never the key). Exit 0: "
        "everything matches; 1: something differs; 2: no key, or an endpoint it refuses (nothing sent).",
    )
    d.add_argument(
        "--region", choices=["global", "cn", "auto"], default="auto", help="which region to try (default: both)"
    )
    d.add_argument("--base-url", default=None, help="another endpoint (a gateway, or a local server)")
    d.add_argument("--out", default="doctor-report.md", help="where to write the Markdown report")
    d.add_argument("--plan", action="store_true", help="only say what would be sent and what it may cost")


def _doctor(args: argparse.Namespace) -> int:
    """Run `doctor`: --base-url, else MINIMAX_BASE_URL, else the region's endpoint."""
    import os
    from pathlib import Path

    from .doctor import run

    source, base = "--base-url", args.base_url
    if not base:
        source, base = "MINIMAX_BASE_URL", os.environ.get("MINIMAX_BASE_URL", "").strip() or None
    return run(region=args.region, base_url=base, out=Path(args.out), show_plan_only=args.plan, source=source)


def _only_notebooks(command: argparse.ArgumentParser) -> None:
    """The optional notebook filter that regenerate, record, badges and drift share."""
    command.add_argument("notebooks", nargs="*", help="only notebooks whose name contains one of these")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m devtools", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("regenerate", help="re-run notebooks on recordings and store their outputs")
    _only_notebooks(p)
    p = commands.add_parser("record", help="run notebooks live with a key and write new recordings")
    _only_notebooks(p)
    p = commands.add_parser("synth", help="rebuild synthesized recordings from data/exchanges/*.json")
    p.add_argument("names", nargs="*", help="only these description files (stem, e.g. 01_quick_start)")
    p = commands.add_parser("badges", help="rewrite every notebook's Colab badge and setup cell from project.py")
    _only_notebooks(p)
    p.add_argument("--check", action="store_true", help="only list what disagrees (exit 1 if anything does)")
    commands.add_parser(
        "diagrams", help="draw the notebooks' diagrams (devtools/diagrams.py) into docs/img, attach them"
    )
    commands.add_parser("cost", help="estimate the cost of running every notebook live once, from its recordings")
    p = commands.add_parser("bundle", help="zip helpers, data and notebooks for learners without the repository")
    p.add_argument("--out", help="where to write the zip (default dist/<name>.zip)")
    _add_doctor(commands)
    p = commands.add_parser("drift", help="with a key: doctor, every notebook recorded live, strict nbval on it")
    _only_notebooks(p)
    p.add_argument("--out", default="drift", help="the scratch folder for the report and recordings (default drift)")
    p = commands.add_parser("translations", help="which translated notebooks are missing or out of step with English")
    p.add_argument("--stamp", nargs="+", default=[], metavar="NAME", help="record these translations as up to date")
    p = commands.add_parser(
        "messages", help="extract the helpers' sentences, merge them into each .po, compile the .mo"
    )
    p.add_argument("--check", action="store_true", help="only report untranslated or out-of-step catalogs (exit 1)")
    p = commands.add_parser("lock", help="recompile requirements*.lock from the ranges, then run the whole suite")
    p.add_argument("--newest", metavar="PYTHON", help="instead: CI's check of the newest releases in that interpreter")
    p = commands.add_parser("lite", help="build the static JupyterLite site: every notebook in the browser, keyless")
    p.add_argument("--out", default="dist/lite", help="where to write the site (default dist/lite)")
    p.add_argument("--cache", default="dist/lite-cache", help="build venv, Pyodide core and wheels, kept between runs")
    p.add_argument("--pyodide-release", metavar="DIR", help="an unpacked Pyodide release: adds pandas, matplotlib")
    p = commands.add_parser("site", help="render the notebooks as a static site (saved outputs, Sphinx and myst-nb)")
    p.add_argument("--out", default="dist/site", help="where to write the site (default dist/site)")
    p.add_argument(
        "--lite-url",
        default="../lite/",
        help="the JupyterLite site: relative to the site's root (default ../lite/: dist/lite beside it) or absolute",
    )
    p = commands.add_parser("gitpuller", help="print the nbgitpuller link that gives each learner on a hub a copy")
    p.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    p.add_argument("--notebook", default="notebooks/01_quick_start.ipynb", help="the notebook the link opens")
    p.add_argument("--repo", help="another repository to clone (default: the published one, devtools/project.py)")
    p.add_argument("--branch", help="its branch (default: project.py's BRANCH)")
    p = commands.add_parser("otter", help="the exercises as otter-grader assignments (otter assign, if installed)")
    p.add_argument("--out", default="dist/otter", help="where to write them (default dist/otter)")
    args = parser.parse_args(argv)
    unknown = _unknown_names(args)
    if unknown:
        print(unknown, file=sys.stderr)
        return 2

    if args.command == "regenerate":
        from .notebooks import regenerate

        return regenerate(args.notebooks)
    if args.command == "record":
        from .notebooks import record

        return record(args.notebooks)
    if args.command == "synth":
        from .synth import main as synth_main

        return synth_main(args.names)
    if args.command == "badges":
        from .badges import main as badges_main

        return badges_main(args.notebooks, check=args.check)
    if args.command == "diagrams":
        from .diagrams import main as diagrams_main

        return diagrams_main()
    if args.command == "cost":
        from .costs import main as cost_main

        return cost_main()
    if args.command == "doctor":
        return _doctor(args)
    if args.command == "drift":
        from pathlib import Path

        from .drift import run as drift_run

        return drift_run(Path(args.out), args.notebooks or None)
    if args.command == "bundle":
        from .bundle import main as bundle_main

        return bundle_main(args.out)
    if args.command == "translations":
        from .translations import main as translations_main

        return translations_main(args.stamp)
    if args.command == "messages":
        from .messages import main as messages_main

        return messages_main(check=args.check)
    if args.command == "lock":
        from .lock import check_newest, refresh

        return check_newest(args.newest) if args.newest else refresh()
    if args.command == "lite":
        from .lite import main as lite_main

        return lite_main(args.out, args.cache, args.pyodide_release)
    if args.command == "site":
        from .site import main as site_main

        return site_main(args.out, args.lite_url)
    if args.command == "gitpuller":
        from .gitpuller import main as gitpuller_main

        return gitpuller_main(args.hub, args.notebook, args.repo, args.branch)
    if args.command == "otter":
        from .otter import main as otter_main

        return otter_main(args.out)
    return 2


if __name__ == "__main__":
    sys.exit(main())
