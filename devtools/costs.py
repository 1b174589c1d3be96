"""`python -m devtools cost`: what running every notebook live once would cost, from its recordings' usage.

Each cassette is one call a notebook makes; its recorded usage priced with the catalogue in `helpers/models.py`
gives the estimate. The recordings shipped today are synthesized, so the figure is as good as their token counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files, load
from helpers.billing import ASSUMED_PRICES, call_from_exchange, price_note

UNCOLLECTED_CURRENCY = {"zh-CN": "CNY"}
"""Translations whose notebooks default to a region billed in another currency, whose prices were not collected: the
Simplified Chinese notebooks (recordings folders `zh-CN_<notebook>`) call the China platform (region cn), which bills
in CNY. Their rows say the cost is unknown, in that currency, and are left out of the USD total: never a converted
guess."""


def _currency(folder: str) -> str:
    return next((c for lang, c in UNCOLLECTED_CURRENCY.items() if folder.startswith(f"{lang}_")), "USD")


def per_notebook(root: Path = DEFAULT_ROOT) -> list[dict[str, Any]]:
    """One row per recordings folder: calls, input and output tokens, estimated cost (US dollars; None, with the
    currency, for a translation billed in a currency whose prices were not collected)."""
    folders = (
        sorted(p for p in root.iterdir() if p.is_dir() and p.name not in ("scratch", "doctor")) if root.is_dir() else []
    )
    rows = []
    for folder in folders:
        row: dict[str, Any] = {
            "notebook": folder.name,
            "calls": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
        }
        kinds: set[str] = set()
        for path in iter_cassette_files(folder):
            cassette = load(path)
            call = call_from_exchange(
                {"request": cassette.request.get("body"), "response": cassette.response, "source": cassette.source}
            )
            row["calls"] += 1
            row["input_tokens"] += sum(
                n or 0 for n in (call.input_tokens, call.cache_read_input_tokens, call.cache_creation_input_tokens)
            )
            row["output_tokens"] += call.output_tokens or 0
            if call.cost_usd is None:
                row["unknown"] = row.get("unknown", 0) + 1  # a model without a known price, or usage not given
            else:
                row["cost_usd"] += call.cost_usd
            kinds.add(call.source)
        row["recordings"] = "+".join(sorted(kinds)) or "-"
        row["currency"] = _currency(folder.name)
        if row["currency"] != "USD":
            row["cost_usd"] = None
            row.pop("unknown", None)
        if row["calls"]:
            rows.append(row)
    return rows


def _unknown(row: dict[str, Any]) -> str:
    """' + N unknown' after a cost that leaves out calls whose price or usage is unknown."""
    return f" + {row['unknown']} unknown" if row.get("unknown") else ""


def report(rows: list[dict[str, Any]]) -> str:
    """The table `python -m devtools cost` prints (Markdown, so it can go into the README as it is)."""
    lines = [
        "| notebook | calls | input tokens | output tokens | cost (USD) | recordings |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        cost = f"{r['cost_usd']:.4f}{_unknown(r)}" if r["currency"] == "USD" else f"unknown ({r['currency']})"
        lines.append(
            f"| {r['notebook']} | {r['calls']} | {r['input_tokens']:,} | {r['output_tokens']:,} | "
            f"{cost} | {r['recordings']} |"
        )
    usd = [r for r in rows if r["currency"] == "USD"]
    total = sum(r["cost_usd"] for r in usd)
    calls = sum(r["calls"] for r in usd)
    unknown = sum(r.get("unknown", 0) for r in usd)
    lines.append(
        f"| **all in USD** | {calls} | {sum(r['input_tokens'] for r in usd):,} | "
        f"{sum(r['output_tokens'] for r in usd):,} | **{total:.4f}**{_unknown({'unknown': unknown})} | |"
    )
    lines.append("")
    lines.append(f"{price_note()} In US dollars; input tokens include cache reads and writes.")
    others = sorted({r["currency"] for r in rows} - {"USD"})
    if others:
        lines.append(
            f"Rows in {', '.join(others)}: translated notebooks, which call the China platform (region cn) by default; "
            "it bills in CNY and its prices were not collected, so their cost is unknown (not converted from USD)."
        )
    lines.append(f"Not in the source, assumed equal to MiniMax-M2.1's: {'; '.join(ASSUMED_PRICES)}.")
    return "\n".join(lines)


def main() -> int:
    """`python -m devtools cost`: print the estimate for this checkout's recordings."""
    print(report(per_notebook()))
    return 0
