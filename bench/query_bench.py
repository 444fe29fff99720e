"""How matching cost per document grows with the number of brand queries.

Compares, in the same run, ``QuerySet.match`` (one Aho-Corasick scan shared by all queries, then
only the queries whose required words were seen) with a naive matcher that scans each document
once per query with that query's own regular expression (for the words of which the query needs
at least one, on the case- and accent-folded text) and evaluates the query when that scan finds
one. Both evaluate the same way and
must return the same matches; the script checks that. The difference is one shared scan against
one scan per query.

Documents are sentences from ``/work/shared/datasets/vader_icwsm2014`` when present (joined
into posts of a few hundred words), otherwise generated text. Run::

    .venv/bin/python bench/query_bench.py [--docs 200] [--large-docs 4] [--sizes 10,100,1000,5000]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.domain.query import MatchInput, Query, QuerySet, match_query, parse_query
from monitor.domain.query.compiler import Compiler
from monitor.domain.spans import Span
from monitor.domain.text import compute_folded, compute_words

DATASET = Path("/work/shared/datasets/vader_icwsm2014")
TEMPLATES = (
    "{b}",
    "{b} NOT ({w1} OR {w2} OR {w3})",
    "{b} NEAR/5 ({w1} OR {w2} OR {w3})",
    'raw:"{B}" AND ({w1} OR {w2}*)',
    '"{b} {w1}" OR ({b2} AND {w2})',
    "{b} ONEAR/3 {w1}* lang:en",
)


def load_sentences(rng: random.Random) -> list[str]:
    sentences: list[str] = []
    for path in sorted(DATASET.glob("*_GroundTruth.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                sentences.append(parts[2])
    if sentences:
        return sentences
    vocabulary = [f"w{rng.randrange(5000)}" for _ in range(20000)]
    return [" ".join(rng.choices(vocabulary, k=rng.randint(8, 30))) + "." for _ in range(5000)]


def build_documents(
    sentences: Sequence[str], count: int, rng: random.Random, length: tuple[int, int] = (5, 25)
) -> list[MatchInput]:
    docs = []
    for _ in range(count):
        body = " ".join(rng.choices(sentences, k=rng.randint(*length)))
        docs.append(
            MatchInput(
                title=rng.choice(sentences)[:80],
                text=body,
                author=None,
                url="https://example.com/post",
                language="en",
                source_kind="rss",
                kind="post",
            )
        )
    return docs


def build_queries(sentences: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """Brand-like queries: rare corpus words as brands, common words as context."""
    counts = Counter(w for s in sentences for w in compute_words(s) if w.isalpha() and len(w) > 3)
    rare = sorted(w for w, n in counts.items() if 2 <= n <= 40)
    common = sorted(w for w, n in counts.items() if n > 40)
    queries = []
    for index in range(count):
        brand = rng.choice(rare) if index % 4 else f"zq{index}brand"
        fill = {
            "b": brand,
            "B": brand.capitalize(),
            "b2": rng.choice(rare),
            **{f"w{i}": rng.choice(common) for i in (1, 2, 3)},
        }
        queries.append(TEMPLATES[index % len(TEMPLATES)].format(**fill))
    return queries


def naive_regex(query: Query) -> re.Pattern[str] | None:
    """A pattern for the words of which ``query`` needs one; None when it needs none."""
    compiler = Compiler()
    needed = compiler.required(query)
    if needed is None:
        return None
    parts = []
    for pattern, pattern_id in compiler.patterns.items():
        if pattern_id in needed:
            # Run on folded text, with word edges as the tokeniser sees them ("_" separates).
            words = [re.escape(w) for w in pattern.text.split()]
            tail = r"(?![^\W_])" if pattern.text.endswith(" ") else ""
            parts.append(r"(?<![^\W_])" + r"[\W_]+".join(words) + tail)
    return re.compile("|".join(parts))


def naive_matcher(queries: Sequence[str]) -> Callable[[MatchInput], dict[int, list[Span]]]:
    compiled = [(i, q, naive_regex(q)) for i, q in enumerate(map(parse_query, queries))]

    def match(doc: MatchInput) -> dict[int, list[Span]]:
        whole = compute_folded(f"{doc.title}\n{doc.text}")
        found = {}
        for index, query, pattern in compiled:
            if pattern is None or pattern.search(whole):
                spans = match_query(query, doc)
                if spans is not None:
                    found[index] = spans
        return found

    return match


def timed(
    match: Callable[[MatchInput], dict[int, list[Span]]], docs: Sequence[MatchInput], rounds: int
) -> tuple[float, list[dict[int, list[Span]]]]:
    """Best seconds per document over ``rounds`` passes, and the matches of the last pass."""
    best, results = float("inf"), []
    for _ in range(rounds):
        started = time.perf_counter()
        results = [match(doc) for doc in docs]
        best = min(best, (time.perf_counter() - started) / len(docs))
    return best, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--large-docs", type=int, default=4, help="documents of about 50 KB")
    args = parser.parse_args()
    rng = random.Random(20240601)
    sentences = load_sentences(rng)
    docs = build_documents(sentences, args.docs, rng)
    mean_chars = statistics.mean(len(d.text) for d in docs)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{len(docs)} documents, {mean_chars:.0f} characters on average")
    compare(sentences, docs, sizes, rng)
    large = build_documents(sentences, args.large_docs, rng, length=(500, 500))
    mean_chars = statistics.mean(len(d.text) for d in large)
    print(f"\n{len(large)} large documents, {mean_chars:.0f} characters on average")
    compare(sentences, large, sizes[-2:], rng)


def compare(
    sentences: Sequence[str], docs: Sequence[MatchInput], sizes: Sequence[int], rng: random.Random
) -> None:
    print(f"{'queries':>8} {'matches/doc':>12} {'naive/doc':>10} {'set/doc':>10} {'naive÷set':>10}")
    first_set: float | None = None
    for size in sizes:
        queries = build_queries(sentences, size, rng)
        query_set = QuerySet(dict(enumerate(queries)))
        naive_time, expected = timed(naive_matcher(queries), docs, rounds=1 if size > 500 else 3)
        set_time, found = timed(query_set.match, docs, rounds=3)
        assert found == expected, "the two matchers disagree"
        hits = sum(map(len, found))
        first_set = first_set or set_time
        print(
            f"{size:>8} {hits / len(docs):>12.1f} {naive_time * 1e3:>8.2f}ms "
            f"{set_time * 1e3:>8.2f}ms {naive_time / set_time:>9.1f}x"
            f"   (set cost ×{set_time / first_set:.1f} vs the smallest set)"
        )


if __name__ == "__main__":
    main()
