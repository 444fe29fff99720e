"""Comment extraction quality on a labelled set of comment markups, per markup family.

``tests/data/comments/{family}.html`` is an article page in one family's markup (a CMS or a
theme, in one language); ``{family}.json`` lists its comments as a reader sees them (author,
text). Every extracted comment is paired one to one with the labelled comment whose words
it shares most (token F1 of at least 0.5); then per family:

* precision: paired extracted comments / extracted comments,
* recall: paired labelled comments / labelled comments,
* text F1: mean token F1 over the labelled comments (0 for a comment not found),
* author: share of paired comments with the labelled author,
* empty / chrome: extracted comments with no text, or carrying reply links or
  "Name says:" headers.

    .venv/bin/python bench/comment_eval.py [--data tests/data/comments]

``tests/data/comments`` was written before the extraction changes it measures;
``tests/data/comments/holdout`` after them, and was evaluated once, untouched since.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from collectors.html_comments import extract_comments

REPO = Path(__file__).resolve().parent.parent
CHROME = re.compile(r"\b(reply|antworten|responder|répondre|rispondi|melden|report|"
                    r"says|sagt|dice|dit|said)\b\s*:?|\.\.\.$", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Scores:
    family: str
    labelled: int
    extracted: int
    paired: int
    text_f1: float
    authors_right: int
    empty: int
    chrome: int

    @property
    def precision(self) -> float:
        return self.paired / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.paired / self.labelled if self.labelled else 0.0


def token_f1(a: str, b: str) -> float:
    left, right = Counter(WORD.findall(a.lower())), Counter(WORD.findall(b.lower()))
    common = sum((left & right).values())
    if not common:
        return 0.0
    precision, recall = common / sum(left.values()), common / sum(right.values())
    return 2 * precision * recall / (precision + recall)


def score_family(html_path: Path) -> Scores:
    gold = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    page = f"https://{html_path.stem}.example/article/"
    found = extract_comments(html_path.read_bytes(), page, page + "#post")
    pairs = sorted(((token_f1(f.text, g["text"]), i, j) for i, f in enumerate(found)
                    for j, g in enumerate(gold)), reverse=True)
    used_found, used_gold, best = set(), set(), [0.0] * len(gold)
    authors = 0
    for f1, i, j in pairs:
        if f1 < 0.5 or i in used_found or j in used_gold:
            continue
        used_found.add(i)
        used_gold.add(j)
        best[j] = f1
        authors += found[i].author == gold[j]["author"]
    return Scores(
        family=html_path.stem, labelled=len(gold), extracted=len(found), paired=len(used_gold),
        text_f1=sum(best) / len(gold), authors_right=authors,
        empty=sum(not f.text.strip() for f in found),
        chrome=sum(bool(CHROME.search(f.text)) for f in found),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "tests" / "data" / "comments")
    args = parser.parse_args()
    results = [score_family(path) for path in sorted(args.data.glob("*.html"))]
    print(f"{'family':<28} {'prec':>5} {'recall':>6} {'textF1':>6} {'author':>6} "
          f"{'empty':>5} {'chrome':>6}")
    for s in results:
        print(f"{s.family:<28} {s.precision:5.2f} {s.recall:6.2f} {s.text_f1:6.2f} "
              f"{s.authors_right:>3}/{s.paired:<2} {s.empty:5d} {s.chrome:6d}")
    extracted = sum(s.extracted for s in results)
    totals = {
        "precision": sum(s.paired for s in results) / extracted if extracted else 0.0,
        "recall": sum(s.paired for s in results) / sum(s.labelled for s in results),
        "text_f1": sum(s.text_f1 * s.labelled for s in results)
        / sum(s.labelled for s in results),
        "empty": sum(s.empty for s in results), "chrome": sum(s.chrome for s in results),
    }
    print(f"{'all':<28} {totals['precision']:5.2f} {totals['recall']:6.2f} "
          f"{totals['text_f1']:6.2f}")
    print(json.dumps({"bench": "comments", "all": {k: round(v, 3) for k, v in totals.items()},
                      "families": {s.family: {"precision": round(s.precision, 3),
                                              "recall": round(s.recall, 3),
                                              "text_f1": round(s.text_f1, 3)}
                                   for s in results}}))


if __name__ == "__main__":
    main()
