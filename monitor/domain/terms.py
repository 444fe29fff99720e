"""Which words people use about a brand, and which ones stand out.

Terms are single words and two-word sequences (adjacent, with nothing but a space, hyphen,
apostrophe or slash between them), tokenised like queries (``monitor.domain.text``), without
English stopwords, news boilerplate ("told", "announced", "according"), numbers, one-letter
words and the brand's own words (its name and every word its query looks for). A term is
counted once per text that contains it, so one post repeating a word fifty times counts as one.

Terms are ranked by keyness against a background: Dunning's log-likelihood G² of the 2×2 table
(texts with and without the term, here and in the background). It is large when a term is
both frequent here and rare in the background, so "battery recall" beats "acme told" when the
background also tells and announces. Only terms more frequent here than in the background
count. Rising terms use the previous window as the background; an alert's top terms use the
brand's mentions before the alert window. With no background at all, the number of texts
ranks instead (all of it is new).

A word is left out when a two-word term containing it covers most of its uses (80%), so that
"battery life" is not followed by "battery" and "life".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

from monitor.domain.query import (
    And,
    InTitle,
    Near,
    Or,
    Phrase,
    Query,
    QuerySyntaxError,
    Term,
    parse_query,
)
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
# What news copy and press releases say of every company, whatever happened.
BOILERPLATE = _word_set(
    """
    told tell tells telling announced announce announces announcing announcement according
    reported reporting reportedly statement statements spokesperson spokesman spokeswoman
    confirmed confirms stated states added adds noted notes commented press release releases
    news article articles breaking exclusive interview reporters journalist journalists
    inc ltd llc corp plc co company companies firm group
    monday tuesday wednesday thursday friday saturday sunday yesterday tomorrow week weeks
    january february march april june july august september october november december
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
    """The ``top`` terms most over-represented in ``current`` texts compared with ``previous``
    (by G²; by count when there is nothing before)."""
    excluded = _excluded_words(exclude)
    now, now_texts = _count_terms(current, excluded)
    before, before_texts = _count_terms(previous, excluded)
    rising = []
    for term, count in now.items():
        if count < min_count:
            continue
        score = score_keyness(count, now_texts, before[term], before_texts)
        if score > 0:
            rising.append(RisingTerm(term, count, before[term], round(score, 4)))
    kept = _drop_covered_words(rising, {r.term: r.current_count for r in rising})
    kept.sort(key=lambda r: (-r.score, -r.current_count, r.term))
    return kept[:top]


def compute_top_terms(
    texts: Iterable[str], *, min_count: int = 2, top: int = 20, exclude: Iterable[str] = (),
    background: Iterable[str] = (),
) -> list[TermCount]:
    """The ``top`` terms of ``texts`` by keyness against ``background`` (by the number of texts
    containing them when there is no background), each with that number."""
    excluded = _excluded_words(exclude)
    counts, total = _count_terms(texts, excluded)
    reference, reference_total = _count_terms(background, excluded)
    scored = [(score_keyness(n, total, reference[term], reference_total), TermCount(term, n))
              for term, n in counts.items() if n >= min_count]
    frequent = [t for score, t in scored if score > 0]
    keyness = {t.term: score for score, t in scored}
    kept = _drop_covered_words(frequent, {t.term: t.count for t in frequent})
    kept.sort(key=lambda t: (-keyness[t.term], -t.count, t.term))
    return kept[:top]


def score_keyness(count: int, texts: int, reference_count: int, reference_texts: int) -> float:
    """G² for a term found in ``count`` of ``texts`` and ``reference_count`` of
    ``reference_texts``; 0 unless it is relatively more frequent in the first set. Without a
    reference the count itself, so that ranking falls back to frequency.
    """
    if reference_texts == 0:
        return float(count)
    if count == 0 or count * reference_texts <= reference_count * texts:
        return 0.0
    cells = ((count, texts), (texts - count, texts),
             (reference_count, reference_texts),
             (reference_texts - reference_count, reference_texts))
    total = texts + reference_texts
    column = {True: count + reference_count, False: total - count - reference_count}
    g2 = 0.0
    for index, (observed, row_total) in enumerate(cells):
        expected = row_total * column[index % 2 == 0] / total
        if observed > 0:
            g2 += observed * math.log(observed / expected)
    return 2.0 * g2


def compute_brand_words(name: str, query: str | Query | None = None) -> tuple[str, ...]:
    """The words a brand is known by: its name and every word its query looks for (not the
    ones it excludes), so that neither "acme" nor "acme told" tops every term list."""
    words = list(compute_words(name))
    if query is not None:
        try:
            parsed = parse_query(query) if isinstance(query, str) else query
        except (QuerySyntaxError, ValueError):
            parsed = None
        words += [w for text in _positive_texts(parsed) for w in compute_words(text)]
    return tuple(dict.fromkeys(words))


def _positive_texts(query: Query | None) -> list[str]:
    if isinstance(query, Term | Phrase):
        return [query.text]
    if isinstance(query, And | Or):
        return [t for child in query.children for t in _positive_texts(child)]
    if isinstance(query, Near):
        return _positive_texts(query.left) + _positive_texts(query.right)
    if isinstance(query, InTitle):
        return _positive_texts(query.child)
    return []  # Not, fields, nothing


def _excluded_words(exclude: Iterable[str]) -> frozenset[str]:
    return frozenset(word for phrase in exclude for word in compute_words(phrase))


def _count_terms(texts: Iterable[str], excluded: frozenset[str]) -> tuple[Counter[str], int]:
    """How many texts contain each term, and how many texts there were."""
    blocked = STOPWORDS | BOILERPLATE | excluded
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        counts.update(_terms_of(text, blocked))
        total += 1
    return counts, total


def _terms_of(text: str, blocked: frozenset[str]) -> set[str]:
    """The terms of ``text``; ``blocked``: words never part of one (besides numbers and
    one-letter words)."""
    terms: set[str] = set()
    for start, end in split_sentences(text):
        folded = compute_folded(text[start:end])
        found = list(WORD_RE.finditer(folded))
        # A word that is not a term is "": no pair is made with it, and it is taken out of
        # the set at the end.
        kept = [w if len(w) > 1 and w not in blocked and not w.isdigit() else ""
                for w in [m.group() for m in found]]
        terms.update(kept)
        for i, (first, second) in enumerate(pairwise(kept)):
            if first and second and _joined(folded[found[i].end():found[i + 1].start()]):
                terms.add(f"{first} {second}")
    terms.discard("")
    return terms


def _joined(gap: str) -> bool:
    """Whether two words separated by ``gap`` read as one phrase ("battery-life", not "x, y")."""
    return gap == " " or gap.strip() in _JOINING  # a space, the usual gap, tested first


def _drop_covered_words(terms: list[_T], counts: dict[str, int]) -> list[_T]:
    covered: set[str] = set()
    for term, count in counts.items():
        if " " in term:
            covered.update(w for w in term.split(" ") if count >= _COVERED * counts.get(w, 0))
    return [t for t in terms if t.term not in covered]
