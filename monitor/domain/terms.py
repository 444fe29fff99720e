"""Which words people use about a brand, and which ones are new or growing.

Terms are single words and two-word sequences (adjacent, with nothing but a space, hyphen,
apostrophe or slash between them), tokenised like queries (``monitor.domain.text``), without
English stopwords, numbers, one-letter words and the brand's own words. A term is counted once
per text that contains it, so one post repeating a word fifty times counts as one.

Rising terms compare this window with the previous one. With ``c`` texts containing the term now
and ``p`` before, the expected count now is ``p`` scaled by how many texts each window has; the
score is ``(c - expected) / sqrt(expected + 1)``: how far above expectation, in units that grow
with the expectation, so a word going from 100 to 110 scores less than one going from 0 to 10
and a word absent before scores its count. The ``+ 1`` smooths words never seen before. Only
terms seen at least ``min_count`` times now and with a positive score are returned.

A word is left out when a two-word term containing it covers most of its uses (80%), so that
"battery life" is not followed by "battery" and "life".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from monitor.domain.snippets import split_sentences
from monitor.domain.text import WORD_RE, compute_folded, compute_words

_COVERED = 0.8  # share of a word's uses inside a kept two-word term that hides the word
_JOINING = frozenset({"", "-", "'", "/"})


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS = _word_set(
    """
    a about above across after afterwards again against ago all almost alone along already also
    although always am among amongst an and another any anybody anyhow anyone anything anyway
    anywhere are aren around as at away back be became because become becomes been before
    beforehand behind being below beside besides between beyond both but by can cannot cant
    could couldn did didn do does doesn doing don done down due during each either else
    elsewhere enough especially etc even ever every everybody everyone everything everywhere
    except few for former formerly from further get gets getting give given go goes going gone
    got gotten had hadn has hasn have haven having he hed hell hence her here hereby herein hers
    herself hes him himself his how however i id ie if ill im in indeed instead into is isn it
    itd itll its itself ive just keep kept know knew last later latter least less let lets like
    likely ll made make makes making many may maybe me meanwhile might mine more moreover most
    mostly much must my myself namely neither never nevertheless next no nobody none noone nor
    not nothing now nowhere of off often oh ok okay on once one ones only onto or other others
    otherwise our ours ourselves out over own per perhaps please put quite rather re really same
    say said says see seem seemed seeming seems seen several shall she shed shell shes should
    shouldn since so some somebody somehow someone something sometime sometimes somewhat
    somewhere still such take taken than that thats the their theirs them themselves then
    thence there thereafter thereby therefore therein theres these they theyd theyll theyre
    theyve thing things think this those though through throughout thru thus to together too
    toward towards under unless until up upon us use used using ve very via want wanted was
    wasn way we wed well were weren weve what whatever whats when whence whenever where
    whereas whereby wherever whether which while who whoever whole whom whose why will with
    within without won wont would wouldn yeah yes yet you youd youll your youre yours yourself
    yourselves youve
    http https www com org net html amp nbsp quot gt lt
    lol lmao imo imho tbh idk btw edit edited deleted removed
    actually anyway basically literally pretty probably right sure thanks thank lot lots
    bit kind sort stuff guy guys people person day days time times year years today
    """
)


@dataclass(frozen=True, slots=True)
class RisingTerm:
    term: str
    current_count: int
    previous_count: int
    score: float


@dataclass(frozen=True, slots=True)
class TermCount:
    term: str
    count: int


_T = TypeVar("_T", RisingTerm, TermCount)


def compute_rising_terms(
    current: Iterable[str],
    previous: Iterable[str],
    *,
    min_count: int = 3,
    top: int = 10,
    exclude: Iterable[str] = (),
) -> list[RisingTerm]:
    """The ``top`` terms most over-represented in ``current`` texts compared with ``previous``."""
    excluded = _excluded_words(exclude)
    now, now_texts = _count_terms(current, excluded)
    before, before_texts = _count_terms(previous, excluded)
    scale = now_texts / before_texts if before_texts else 0.0
    rising = []
    for term, count in now.items():
        if count < min_count:
            continue
        expected = before[term] * scale
        score = (count - expected) / math.sqrt(expected + 1)
        if score > 0:
            rising.append(RisingTerm(term, count, before[term], round(score, 4)))
    kept = _drop_covered_words(rising, {r.term: r.current_count for r in rising})
    kept.sort(key=lambda r: (-r.score, -r.current_count, r.term))
    return kept[:top]


def compute_top_terms(
    texts: Iterable[str], *, min_count: int = 2, top: int = 20, exclude: Iterable[str] = ()
) -> list[TermCount]:
    """The ``top`` terms by the number of ``texts`` containing them."""
    counts, _ = _count_terms(texts, _excluded_words(exclude))
    frequent = [TermCount(term, n) for term, n in counts.items() if n >= min_count]
    kept = _drop_covered_words(frequent, {t.term: t.count for t in frequent})
    kept.sort(key=lambda t: (-t.count, t.term))
    return kept[:top]


def _excluded_words(exclude: Iterable[str]) -> frozenset[str]:
    return frozenset(word for phrase in exclude for word in compute_words(phrase))


def _count_terms(texts: Iterable[str], excluded: frozenset[str]) -> tuple[Counter[str], int]:
    """How many texts contain each term, and how many texts there were."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        counts.update(_terms_of(text, excluded))
        total += 1
    return counts, total


def _terms_of(text: str, excluded: frozenset[str]) -> set[str]:
    terms: set[str] = set()
    for start, end in split_sentences(text):
        folded = compute_folded(text[start:end])
        found = list(WORD_RE.finditer(folded))
        words = [m.group() for m in found]
        keep = [_is_content(w) and w not in excluded for w in words]
        terms.update(w for w, k in zip(words, keep, strict=True) if k)
        terms.update(
            f"{words[i]} {words[i + 1]}"
            for i in range(len(words) - 1)
            if keep[i] and keep[i + 1] and _joined(folded[found[i].end() : found[i + 1].start()])
        )
    return terms


def _joined(gap: str) -> bool:
    """Whether two words separated by ``gap`` read as one phrase ("battery-life", not "x, y")."""
    return gap.strip() in _JOINING


def _is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and not word.isdigit()


def _drop_covered_words(terms: list[_T], counts: dict[str, int]) -> list[_T]:
    covered: set[str] = set()
    for term, count in counts.items():
        if " " in term:
            covered.update(w for w in term.split(" ") if count >= _COVERED * counts.get(w, 0))
    return [t for t in terms if t.term not in covered]
