"""Search-quality evaluation: artread against SQLite FTS5 and ripgrep on ../shared/corpus.

    .venv/bin/python bench/eval_search.py [--corpus PATH] [--literal 300] [--markdown]
        [--modes lexical,auto,semantic] [--index-dir PATH]

Ranked queries: bench/queries_*.json, each judged by reading the articles (2 = about it,
1 = discusses it). Reports nDCG@10, MRR and Recall@10 per kind of query for
- artread (in-process, on a fresh index of the corpus), once for each search --mode asked
  for: lexical (the words alone), auto (fused with meaning, gated by the query) and semantic
  (meaning alone). The last two need artread[semantic]; their vectors are made first and the
  time it took is printed. --index-dir keeps the index (and the vectors) for the next run.
- FTS5: SQLite's FTS5 over the same jieba tokens (stock jieba, search mode for documents,
  default mode for queries), bm25 with the title weighted 5x, terms ANDed as FTS5 does by
  default; and FTS5-OR, the same with terms ORed,
- ripgrep: `rg -c -F -i` for each space-separated query word, ranked by matching lines.
Literal matching: a few hundred strings sampled from the corpus, searched quoted (precision and
recall against a scan of the normalised files, like grep) and unquoted (never empty).

The corpus is not part of the repository; without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fts5_peer import Fts5Peer, jieba_module  # noqa: E402  (the same peer as bench.py's)

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
NOT_ARTICLES = {"SOURCE.md"}
K = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("ARTREAD_EVAL_CORPUS", DEFAULT_CORPUS))
    )
    parser.add_argument("--literal", type=int, default=300, help="literal strings to sample")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--markdown", action="store_true", help="print tables for BENCHMARKS.md")
    parser.add_argument("--show", metavar="QUERY", help="print artread's top 10 for one query")
    parser.add_argument("--per-query", action="store_true", help="print each query's nDCG@10")
    parser.add_argument(
        "--modes",
        default=None,
        help="search modes to evaluate, comma-separated "
        "[default: lexical,auto,semantic with artread[semantic], else lexical]",
    )
    parser.add_argument("--index-dir", type=Path, help="keep the index (and vectors) here")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(
            f"skipped: no corpus at {args.corpus} (it lives in ../shared/corpus, not in the repo)"
        )
        return 0

    queries = load_queries()
    with tempfile.TemporaryDirectory(prefix="artread-eval-") as tmp:
        archive = Path(tmp) / "archive"
        archive.mkdir()
        for source in sorted(args.corpus.glob("*.md")):
            if source.name not in NOT_ARTICLES:
                shutil.copy2(source, archive / source.name)
        os.environ["ARTREAD_CACHE_DIR"] = str(Path(tmp) / "cache")
        started = time.perf_counter()
        engine = Artread(archive, args.index_dir or Path(tmp) / "index")
        print(f"artread index: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        modes = (args.modes or default_modes()).split(",")
        if set(modes) - {"lexical"}:
            engine.embed()
        if args.show:
            for rank, slug in enumerate(engine.ranked(args.show, modes[0]), start=1):
                print(rank, slug)
            return 0
        fts = Fts5Peer(Path(tmp) / "fts.db", jieba_module(Path(tmp)))
        fts.build(archive)
        systems = {
            ("artread" if mode == "lexical" else f"artread-{mode}"): partial(
                engine.ranked, mode=mode
            )
            for mode in modes
        }
        systems |= {
            "FTS5": fts.ranked,
            "FTS5-OR": lambda q: fts.ranked(q, operator="OR"),
            "ripgrep": lambda q: ripgrep_ranked(archive, q),
        }
        scores = evaluate(queries, systems)
        literal = literal_check(engine, archive, args.literal, args.seed)
    report(scores, queries, literal, markdown=args.markdown)
    if args.per_query:
        per_query(scores, queries)
    return 0


def per_query(scores: dict, queries: list[dict]) -> None:
    """Each query's nDCG@10 for every system, by kind."""
    systems = list(scores)
    print("\nnDCG@10 per query: " + " / ".join(systems))
    for query in sorted(queries, key=lambda q: q["kind"]):
        values = [scores[s]["per-query"][query["query"]][0] for s in systems]
        print(
            f"{query['kind']:<11} " + " ".join(f"{v:.2f}" for v in values) + f"  {query['query']}"
        )


def load_queries() -> list[dict]:
    queries = []
    for file in sorted(HERE.glob("queries_*.json")):
        for query in json.loads(file.read_text(encoding="utf-8")):
            queries.append({**query, "set": file.stem.removeprefix("queries_")})
    return queries


def default_modes() -> str:
    from artread.core.semantic import model

    return "lexical,auto,semantic" if model.version() else "lexical"


class Artread:
    def __init__(self, archive: Path, index_dir: Path) -> None:
        from artread.core.index import ArchiveIndex

        self.index = ArchiveIndex(archive, index_dir)
        self.index.sync()

    def embed(self) -> None:
        """Make the vectors search by meaning needs (those missing, if the index is kept)."""
        from artread.core.semantic.build import build

        report = build(self.index)
        print(
            f"artread vectors: {report.embedded} articles embedded in {report.seconds:.1f} s",
            file=sys.stderr,
        )

    def ranked(self, query: str, mode: str = "lexical") -> list[str]:
        return [Path(p).stem for p in self.paths(query, K, mode)]

    def paths(self, query: str, limit: int, mode: str = "lexical") -> list[str]:
        from artread.core.search import QueryError, search

        try:
            found = search(self.index, query, per_page=limit, mode=mode)
        except QueryError:
            return []
        return [hit.entry.path for hit in found.hits]

    def all_paths(self, query: str) -> set[str]:
        from artread.core.query import parse
        from artread.core.search import rank

        return {hit.entry.path for hit in rank(self.index, parse(query))}


def ripgrep_ranked(archive: Path, query: str) -> list[str]:
    """rg -c for the query's words (fixed strings, any case), most matching lines first."""
    patterns = [w for w in query.split() if w]
    command = ["rg", "-c", "-F", "-i", "--no-messages", *[a for p in patterns for a in ("-e", p)]]
    done = subprocess.run([*command, str(archive)], capture_output=True, text=True)
    counts = []
    for line in done.stdout.splitlines():
        path, _, count = line.rpartition(":")
        counts.append((-int(count), Path(path).stem))
    return [slug for _count, slug in sorted(counts)[:K]]


def ndcg(ranked: list[str], relevant: dict[str, int]) -> float:
    gains = [2 ** relevant.get(slug, 0) - 1 for slug in ranked[:K]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:K]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def reciprocal_rank(ranked: list[str], relevant: dict[str, int]) -> float:
    for i, slug in enumerate(ranked[:K]):
        if relevant.get(slug, 0) > 0:
            return 1 / (i + 1)
    return 0.0


def recall(ranked: list[str], relevant: dict[str, int]) -> float:
    wanted = {s for s, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:K])) / len(wanted) if wanted else 0.0


def evaluate(queries: list[dict], systems: dict) -> dict:
    """system -> kind -> metric -> list of per-query values (kind "all" holds every query)."""
    scores: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for query in queries:
        for name, ranked_for in systems.items():
            ranked = ranked_for(query["query"])
            values = {
                "nDCG@10": ndcg(ranked, query["relevant"]),
                "MRR": reciprocal_rank(ranked, query["relevant"]),
                "Recall@10": recall(ranked, query["relevant"]),
                "empty": 0.0 if ranked else 1.0,
            }
            for kind in (query["kind"], "all"):
                for metric, value in values.items():
                    scores[name][kind][metric].append(value)
            scores[name]["per-query"][query["query"]].append(values["nDCG@10"])
    return scores


def literal_check(engine: Artread, archive: Path, samples: int, seed: int) -> dict:
    """Quoted: exactly the files that contain the text; unquoted: never nothing."""
    from artread.core.analysis import normalize

    rng = random.Random(seed)
    files = sorted(archive.glob("*.md"))
    texts = {f.name: f.read_text(encoding="utf-8", errors="replace") for f in files}
    normalized = {name: normalize(text) for name, text in texts.items()}
    strings: list[str] = []
    while len(strings) < samples:
        name = rng.choice(files).name
        text = texts[name]
        length = rng.choice([2, 2, 3, 4, 5, 6, 8, 12])
        start = rng.randrange(0, max(1, len(text) - length))
        piece = text[start : start + length]
        if "\n" in piece or '"' in piece or not piece.strip() or piece != piece.strip():
            continue
        if piece.startswith("-") or ":" in piece:
            continue  # an exclusion or a field filter when typed bare
        strings.append(piece)
    true_pos = false_pos = false_neg = 0
    exact = empty_unquoted = 0
    misses: list[str] = []
    for piece in strings:
        needle = normalize(piece)
        truth = {name for name, text in normalized.items() if needle in text}
        found = {Path(p).name for p in engine.all_paths(f'"{piece}"')}
        true_pos += len(found & truth)
        false_pos += len(found - truth)
        false_neg += len(truth - found)
        exact += found == truth
        if found != truth and len(misses) < 5:
            misses.append(piece)
        if not engine.paths(piece, 1):
            empty_unquoted += 1
    rg_agree = 0
    for piece in strings[:50]:  # the truth above, checked against real grep where no folding
        if normalize(piece) != piece:
            rg_agree += 1
            continue
        done = subprocess.run(
            ["rg", "-l", "-F", "-e", piece, str(archive)], capture_output=True, text=True
        )
        by_rg = {Path(line).name for line in done.stdout.splitlines()}
        truth = {name for name, text in normalized.items() if piece in text}
        rg_agree += by_rg <= truth
    return {
        "strings": len(strings),
        "precision": true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0,
        "recall": true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0,
        "exact": exact,
        "empty_unquoted": empty_unquoted,
        "misses": misses,
        "rg_checked": 50,
        "rg_agree": rg_agree,
    }


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def report(scores: dict, queries: list[dict], literal: dict, *, markdown: bool) -> None:
    kinds = ["keyword", "english", "mixed", "question", "loose", "vocabulary", "variant", "typo"]
    kinds += ["en-question", "all"]
    counts = defaultdict(int)
    for query in queries:
        counts[query["kind"]] += 1
    counts["all"] = len(queries)
    systems = list(scores)
    for metric in ("nDCG@10", "MRR", "Recall@10"):
        print(f"\n{metric}" if not markdown else f"\n**{metric}**\n")
        header = ["kind (queries)", *systems, *[f"artread/{s}" for s in systems[1:]]]
        rows = []
        for kind in kinds:
            values = [mean(scores[s][kind][metric]) for s in systems]
            ratios = [f"{values[0] / v:.2f}x" if v else "inf" for v in values[1:]]
            rows.append([f"{kind} ({counts[kind]})", *[f"{v:.3f}" for v in values], *ratios])
        print_table(header, rows, markdown)
    empty = {s: int(sum(scores[s]["all"]["empty"])) for s in systems}
    print("\nqueries with no results: " + ", ".join(f"{s} {n}" for s, n in empty.items()))
    print(
        f"\nliteral: {literal['strings']} strings sampled from the corpus; quoted: precision "
        f"{literal['precision']:.4f}, recall {literal['recall']:.4f}, exact result set "
        f"{literal['exact']}/{literal['strings']}; unquoted with no results: "
        f"{literal['empty_unquoted']}; the truth agreed with rg -l on "
        f"{literal['rg_agree']}/{literal['rg_checked']}"
    )
    if literal["misses"]:
        print("literal mismatches: " + ", ".join(repr(m) for m in literal["misses"]))
    worst = sorted(scores["artread"]["per-query"].items(), key=lambda kv: kv[1][0])[:8]
    print(
        "\nartread's weakest queries (nDCG@10): " + "; ".join(f"{q} {v[0]:.2f}" for q, v in worst)
    )


def print_table(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * len(header)) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
