"""The screening corpus through the engine: how many gigs land in each tier, per label and per kind of scam.

    PYTHONPATH=. .venv/bin/python -m bench.screening            # the tables docs/screening.md shows
    PYTHONPATH=. .venv/bin/python -m bench.screening --details  # every gig with its tier, score and reasons
    PYTHONPATH=. .venv/bin/python -m bench.screening --json     # one JSON line

The corpus is tests/services/screening_corpus.json: gigs labelled legit or scam (with the kind of scam), screened
as posted by a member whose first gig was already approved, so only what the gig says decides, against the board's
earlier budgets and recent gigs and the community settings the file holds. Goal: no legitimate gig refused, at
most 1 in 10 held, every scam held or refused.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.i18n import Translator
from bot.services.budget import parse_budget
from bot.services.screening import GigText, History, PastBudget, RecentGig, Screening, ScreeningSettings, Tier, screen

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "services" / "screening_corpus.json"
TIERS = (Tier.PUBLISH, Tier.HOLD, Tier.REFUSE)


@dataclass(frozen=True)
class Sample:
    """One gig of the corpus with its label."""

    id: str
    lang: str
    label: str
    kind: str
    gig: GigText


@dataclass(frozen=True)
class Corpus:
    """The corpus: its gigs, the board they are screened against and the community's settings."""

    samples: tuple[Sample, ...]
    history: History
    settings: ScreeningSettings


def gig_text(raw: dict[str, Any]) -> GigText:
    """A corpus entry as the engine's neutral gig; the budget is read by the same parser `gig post` uses."""
    budget = parse_budget(raw["budget"], "EUR")
    return GigText(title=raw["title"], description=raw.get("description", ""), tags=tuple(raw.get("tags", ())),
                   budget_min=budget.low, budget_max=budget.high, currency=budget.currency, hourly=budget.hourly,
                   apply_url=raw.get("apply_url"), poster_text=raw.get("poster_text", ""))


def load(path: Path = CORPUS) -> Corpus:
    """Read the corpus file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    budgets = []
    for past in data["history"]["budgets"]:
        budget = parse_budget(past["budget"], "EUR")
        budgets.append(PastBudget(tuple(past["tags"]), budget.high, budget.currency, budget.hourly))
    recent = [RecentGig(item["id"], item["title"], item["description"]) for item in data["history"]["recent"]]
    samples = tuple(Sample(raw["id"], raw["lang"], raw["label"], raw.get("kind", ""), gig_text(raw))
                    for raw in data["gigs"])
    settings = ScreeningSettings.of({"screening": data["settings"]})
    return Corpus(samples, History(tuple(budgets), tuple(recent)), settings)


def run(corpus: Corpus) -> list[tuple[Sample, Screening]]:
    """Every sample screened."""
    return [(sample, screen(sample.gig, corpus.history, corpus.settings)) for sample in corpus.samples]


def tally(results: list[tuple[Sample, Screening]], key: str) -> dict[str, Counter[str]]:
    """Tier counts per label (`key="label"`) or per kind of scam (`key="kind"`)."""
    counts: dict[str, Counter[str]] = {}
    for sample, result in results:
        if key == "kind" and sample.label != "scam":
            continue
        counts.setdefault(getattr(sample, key), Counter())[result.tier.value] += 1
    return counts


def table(counts: dict[str, Counter[str]], heading: str) -> str:
    """A Markdown table of tier counts."""
    lines = [f"| {heading} | gigs | publish | hold | refuse |", "|---|---|---|---|---|"]
    for name in sorted(counts):
        row = counts[name]
        lines.append(f"| {name} | {sum(row.values())} | " + " | ".join(str(row[t.value]) for t in TIERS) + " |")
    return "\n".join(lines)


def goals(results: list[tuple[Sample, Screening]]) -> dict[str, Any]:
    """The three goals, measured."""
    legit = [result for sample, result in results if sample.label == "legit"]
    scams = [result for sample, result in results if sample.label == "scam"]
    held = sum(result.tier is Tier.HOLD for result in legit)
    return {"legit": len(legit), "scams": len(scams),
            "legit_refused": sum(result.tier is Tier.REFUSE for result in legit), "legit_held": held,
            "legit_held_share": round(held / len(legit), 3) if legit else 0.0,
            "scams_published": sum(result.tier is Tier.PUBLISH for result in scams)}


def details(results: list[tuple[Sample, Screening]]) -> str:
    """Every gig: label, tier, score and its reasons in English."""
    t = Translator("en")
    lines = []
    for sample, result in results:
        reasons = "; ".join(str(t(f.reason_key, **f.params)) for f in result.findings)
        lines.append(f"{sample.label:5} {sample.kind or '-':15} {result.tier.value:7} {result.score:4}  {sample.id}"
                     + (f"\n      {reasons}" if reasons else ""))
    return "\n".join(lines)


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench.screening")
    parser.add_argument("--details", action="store_true", help="list every gig with its tier and reasons")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    results = run(load())
    if args.json:
        print(json.dumps({"goals": goals(results), "by_label": tally(results, "label"),
                          "by_kind": tally(results, "kind")}))
        return
    print(table(tally(results, "label"), "label"), end="\n\n")
    print(table(tally(results, "kind"), "kind of scam"), end="\n\n")
    print(json.dumps(goals(results)))
    if args.details:
        print()
        print(details(results))


if __name__ == "__main__":
    cli()
