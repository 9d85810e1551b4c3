"""Formula benchmark: every formula of ../shared/corpus read the way `show` reads it.

    .venv/bin/python bench/formulas.py [--corpus PATH] [--examples 5]

Formulas are found as `show`, snippets and excerpts find them ($…$, $$…$$, \\(…\\), \\[…\\],
outside code). Each one goes through the converter without its last check (formula.convert),
then the check on its own (formula_check.lost_symbols), so the figures say how often the converter
itself would have dropped a letter, digit or operator; `show` falls back to the LaTeX for those
too. Reported per source repository (MANIFEST.tsv) and in all:
- converted: Unicode text with every letter, digit and operator of the source;
- fell back: shown as LaTeX, because the formula uses something the converter does not render
  faithfully or is not valid LaTeX (reasons counted below the table);
- lost: converted, but a letter, digit or operator is missing (should be 0);
- exceptions: anything else the converter raised, a bug (should be 0).
The exit status is 1 when a formula lost a symbol or raised, 0 otherwise or when the corpus is
missing.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from artread.core import formula, formula_check, plaintext
from artread.core.front_matter import body_of

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
NOT_ARTICLES = {"SOURCE.md"}


@dataclass
class Tally:
    formulas: int = 0
    converted: int = 0
    fell_back: int = 0
    lost: int = 0
    exceptions: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # why formulas fell back
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, outcome: str, reason: str, tex: str, keep: int) -> None:
        self.formulas += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome == "fell_back":
            self.reasons[reason] += 1
        if outcome != "converted":
            shown = self.examples.setdefault(outcome, [])
            if len(shown) < keep:
                shown.append(f"{' '.join(tex.split())[:150]}  [{reason}]")


def formulas_in(markdown: str) -> list[str]:
    """The LaTeX of every formula outside code, collected through plaintext.to_plain."""
    found: list[str] = []
    plaintext.to_plain(markdown, keep_code=True, formulas=lambda tex: found.append(tex) or "")
    return found


def outcome_of(tex: str) -> tuple[str, str]:
    """(converted | fell_back | lost | exceptions, why)."""
    try:
        text = formula.convert(tex)
    except formula.Unsure as unsure:
        return "fell_back", _reason(str(unsure))
    except Exception as error:
        return "exceptions", f"{type(error).__name__}: {error}"
    lost = formula_check.lost_symbols(tex, text)
    return ("lost", f"lost {' '.join(lost)} in {text!r}") if lost else ("converted", "")


def _reason(message: str) -> str:
    """Reasons grouped: "no mathcal form of 'α'" and "... of 'β'" are one reason."""
    return re.sub(r"( over | form of | for ).*", r"\1…", message)


def sources(corpus: Path) -> dict[str, str]:
    """{file name: repository} from MANIFEST.tsv; empty if there is none."""
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.exists():
        return {}
    with manifest.open(encoding="utf-8", newline="") as rows:
        return {f"{r['slug']}.md": r["repo"] for r in csv.DictReader(rows, delimiter="\t")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--examples", type=int, default=5, help="formulas to print per outcome")
    args = parser.parse_args()
    articles = sorted(p for p in args.corpus.glob("*.md") if p.name not in NOT_ARTICLES)
    if not articles:
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    repository = sources(args.corpus)
    tallies: dict[str, Tally] = {}
    started = time.perf_counter()
    for path in articles:
        body = body_of(path.read_text(encoding="utf-8", errors="replace"))
        for tex in formulas_in(body):
            outcome, reason = outcome_of(tex)
            for name in (repository.get(path.name, "other"), "all"):
                tallies.setdefault(name, Tally()).add(outcome, reason, tex, args.examples)
    seconds = time.perf_counter() - started
    report(tallies, len(articles), args.corpus, seconds)
    total = tallies.get("all", Tally())
    return 1 if total.lost or total.exceptions else 0


def report(tallies: dict[str, Tally], articles: int, corpus: Path, seconds: float) -> None:
    total = tallies.get("all", Tally())
    print(f"Formulas in {articles} articles of {corpus} ({seconds:.1f} s, parsing included)\n")
    print("| source | formulas | converted | fell back to LaTeX | lost a symbol | exceptions |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, tally in sorted(tallies.items(), key=lambda item: item[0] == "all"):
        share = f"{tally.converted / tally.formulas:.1%}" if tally.formulas else "-"
        print(
            f"| {name} | {tally.formulas} | {tally.converted} ({share}) | {tally.fell_back} "
            f"| {tally.lost} | {tally.exceptions} |"
        )
    print("\nWhy formulas fell back:")
    for reason, count in total.reasons.most_common():
        print(f"  {count:5}  {reason}")
    for outcome, examples in total.examples.items():
        if not examples:
            continue
        print(f"\nExamples, {outcome.replace('_', ' ')}:")
        for example in examples:
            print(f"  {example}")


if __name__ == "__main__":
    sys.exit(main())
