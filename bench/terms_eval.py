"""Alert top terms on a worked example: plain frequency (the ranking used before) against
keyness over the brand's usual mentions, in the same run.

The example (tests/data/terms_example.json, written for the project) is a battery recall
at a fictional brand: 25 mentions in the alert window, half news copy ("Acme told reporters",
"Acme Corp announced") and half customers, against 77 earlier mentions of the same brand that
also carry news copy. Prints both top-ten lists and a final JSON line.

    .venv/bin/python bench/terms_eval.py [--example PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor.domain.snippets import split_sentences
from monitor.domain.terms import STOPWORDS, compute_brand_words, compute_top_terms
from monitor.domain.text import compute_words

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "tests" / "data" / "terms_example.json"
TOP = 10


def load_example(path: Path = EXAMPLE) -> dict[str, Any]:
    example: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return example


def frequency_terms(example: dict[str, Any], top: int = TOP) -> list[tuple[str, int]]:
    """Words and adjacent pairs by the number of texts holding them, without stop words and
    the brand's words, a word hidden by a pair covering 80% of its uses: the ranking alerts
    used before keyness."""
    own = set(compute_brand_words(example["brand"], example["query"]))
    counts: Counter[str] = Counter()
    for text in example["window"]:
        found: set[str] = set()
        for start, end in split_sentences(text):
            words = compute_words(text[start:end])
            keep = [len(w) > 1 and w not in STOPWORDS and not w.isdigit() and w not in own
                    for w in words]
            found |= {w for w, k in zip(words, keep, strict=True) if k}
            found |= {f"{a} {b}" for a, b, ka, kb in
                      zip(words, words[1:], keep, keep[1:], strict=False) if ka and kb}
        counts.update(found)
    covered = {word for term, n in counts.items() if " " in term
               for word in term.split() if n >= 0.8 * counts[word]}
    ranked = sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))
    return [(term, n) for term, n in ranked if term not in covered][:top]


def keyness_terms(example: dict[str, Any], top: int = TOP) -> list[tuple[str, int]]:
    own = compute_brand_words(example["brand"], example["query"])
    found = compute_top_terms(example["window"], exclude=own, background=example["background"],
                              top=top)
    return [(t.term, t.count) for t in found]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--example", type=Path, default=EXAMPLE)
    args = parser.parse_args(argv)
    example = load_example(args.example)
    before = frequency_terms(example)
    after = keyness_terms(example)
    for name, terms in (("frequency (before)", before), ("keyness G² (now)", after)):
        print(f"\n{name}:")
        print("\n".join(f"  {term:<28}{count:>4}" for term, count in terms))
    print(json.dumps({"before": before, "after": after}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
