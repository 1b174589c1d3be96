"""The model catalogue: every fact this collection uses about a MiniMax model, in one table (shown in notebook 01,
its per-model rules taught in 05). The checks, the prices, the synthesizer's pace, the playground's pickers and the
notebooks' tables all read `MODELS`; each fact names its source (listed in docs/sources.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ._i18n import N_

PRICES_AS_OF = "2026-11-25"
PRICE_SOURCE = N_("a provider's price list that cites MiniMax's pricing page (docs/sources.md, 'Prices')")
MEASURED_SOURCE = (
    "Vercel AI Gateway medians, late 2026, not this route specifically (docs/sources.md, 'Measured speeds')"
)


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens. `assumed` names the figures the source does not list."""

    input: float
    output: float
    cache_read: float
    cache_write: float
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    """Speeds others measured (not MiniMax's figures): ranges of medians, None where none was (devtools/synth.py)."""

    tokens_per_second: tuple[float, float] | None
    first_token_seconds: tuple[float, float] | None
    source: str = MEASURED_SOURCE


@dataclass(frozen=True)
class Model:
    """One model as this collection knows it. `None` means unknown: never shown as 0. The defaults are those of a
    later model MiniMax documents that the same endpoint answers (not taught; speed, window and prices not collected;
    M2.x's rules)."""

    name: str
    description: str
    """What the model is for, in MiniMax's own words where its page gives them."""
    taught: bool = False
    """True for the three models MiniMax's Anthropic-compatible page lists (the notebooks teach them)."""
    tokens_per_second: float | None = None
    tokens_per_second_source: str = "not collected"
    context_window: int | None = None
    price: Price | None = None
    temperature_range: tuple[float, float, bool] = (0.0, 1.0, False)
    """(low, high, low_included): M2.x takes (0, 1], M3 takes [0, 2]."""
    images: bool = False
    """Whether image (and video) content blocks are accepted."""
    thinking: str = "always"
    """'always' (M2.x: the parameter has no effect) or 'adaptive' (M3: off unless asked; "enabled" is refused)."""
    renamed_to: str | None = None
    """A later name MiniMax's docs give this model (M2.1-lightning became M2.1-highspeed)."""
    service_tier: bool = False
    """Whether `service_tier` (standard / priority) has an effect (M3); M2.x accepts and ignores it."""
    measured: Measured | None = None
    """Speeds measured by others, beside `tokens_per_second` (MiniMax's own figure); None where none is known."""


_M21_PRICE = Price(input=0.30, output=1.20, cache_read=0.03, cache_write=0.375)

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            "MiniMax-M2.1",
            "Powerful Multi-Language Programming Capabilities with Comprehensively Enhanced Programming Experience",
            taught=True,
            tokens_per_second=60,
            tokens_per_second_source="MiniMax's model table: 'approximately 60 tps'",
            context_window=204_800,
            price=_M21_PRICE,
            measured=Measured(tokens_per_second=None, first_token_seconds=(2.0, 2.2)),
        ),
        Model(
            "MiniMax-M2.1-lightning",
            "Faster and More Agile",
            taught=True,
            tokens_per_second=100,
            tokens_per_second_source="MiniMax's model table: 'approximately 100 tps'",
            context_window=204_800,
            price=replace(_M21_PRICE, output=2.40, assumed=("input", "cache_read", "cache_write")),
            renamed_to="MiniMax-M2.1-highspeed",
            measured=Measured(tokens_per_second=(46, 56), first_token_seconds=(0.9, 1.0)),
        ),
        Model(
            "MiniMax-M2",
            "Agentic capabilities, Advanced reasoning",
            taught=True,
            tokens_per_second_source="not published",
            context_window=204_800,
            price=replace(_M21_PRICE, assumed=("input", "output", "cache_read", "cache_write")),
        ),
        Model("MiniMax-M2.5", "A later M2.x model (MiniMax's M2.5-era docs); answered by the same endpoint"),
        Model("MiniMax-M2.7", "A later M2.x model (MiniMax's M2.7-era API reference); answered by the same endpoint"),
        Model("MiniMax-M2.7-highspeed", "The faster variant of MiniMax-M2.7 (MiniMax's M2.7-era API reference)"),
        Model(
            "MiniMax-M3",
            "A later model (MiniMax's M3-era page, mid-2026): images and video, adaptive thinking",
            temperature_range=(0.0, 2.0, True),
            images=True,
            thinking="adaptive",
            service_tier=True,
        ),
    )
}
"""Every model this collection knows, the three it teaches first."""

TAUGHT_MODELS: tuple[str, ...] = tuple(name for name, m in MODELS.items() if m.taught)
"""The three models MiniMax's Anthropic-compatible page lists, which the notebooks teach."""

SYNTH_DEFAULT_TOKENS_PER_SECOND = 50.0
"""The pace the synthesizer gives a model whose speed is not published (a GUESS, said in each recording)."""
