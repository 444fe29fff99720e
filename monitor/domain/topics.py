"""Topics of customer conversations, as named queries in the mention query language.

A taxonomy is ``{name: query}``; :data:`DEFAULT_TOPICS` covers what people usually talk about
when they talk about a company. :class:`TopicTagger` compiles a taxonomy once on the same
``QuerySet`` machinery as brand queries (one scan per document for all topics).

Tagging a mention (``spans`` given) keeps the topics found *near* the brand, so a long post that
mentions the brand once in passing is not tagged with everything else it discusses. Near means:

- in the sentence holding a brand span, or ``context_sentences`` sentences either side of it;
- anywhere, when the brand is in the title (the whole post is about it) or when the brand
  matched without words (a query on fields only);
- a topic found in the title counts as near (the title frames the whole text);
- a topic that matched without words (fields or NOT only) counts wherever it is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping

from monitor.domain.query import MatchInput, Query, QuerySet
from monitor.domain.snippets import split_sentences
from monitor.domain.spans import Span

DEFAULT_TOPICS: dict[str, str] = {
    "pricing": (
        "price OR prices OR pricing OR priced OR overpriced OR expensive OR pricey OR cheap* "
        'OR afford* OR costly OR "cost too much" OR "costs too much" OR discount* OR coupon* '
        'OR promo OR "price increase" OR "price hike" OR "rip off" OR ripoff OR "value for money" '
        "OR ((subscription* OR plan OR fee OR fees) NEAR/4 (increase* OR raise* OR raising "
        "OR hike* OR expensive OR worth))"
    ),
    "customer service": (
        '"customer service" OR "customer support" OR "customer care" OR "support team" '
        'OR helpdesk OR "help desk" OR hotline OR "call center" OR "call centre" OR "on hold" '
        'OR "live chat" OR chatbot OR "support ticket" OR ((support OR rep OR reps '
        "OR representative* OR agent*) NEAR/5 (rude OR helpful OR unhelpful OR useless "
        "OR friendly OR responsive OR unresponsive OR waited OR waiting OR hours OR days "
        "OR email OR e-mail OR phone OR call OR called OR chat OR ticket*))"
    ),
    "shipping/delivery": (
        "shipping OR shipped OR shipment* OR deliver* OR courier* OR parcel* "
        'OR "tracking number" OR "out for delivery" OR dispatch* OR fedex OR dhl OR usps '
        "OR raw:UPS OR (package* NEAR/5 (arriv* OR lost OR late OR damaged OR stolen "
        "OR missing OR never OR delayed)) OR ((order OR arrived OR arrive) NEAR/4 (late "
        "OR delayed OR weeks OR days OR never))"
    ),
    "quality/defects": (
        'defect* OR faulty OR "stopped working" OR "doesn\'t work" OR "does not work" '
        'OR "poor quality" OR "low quality" OR "high quality" OR "build quality" '
        'OR "fell apart" OR "falling apart" OR flimsy OR malfunction* OR broke OR broken '
        'OR cracked OR durable OR durability OR "well made" OR "cheaply made" '
        "OR ((quality OR material* OR build) NEAR/4 (poor OR bad OR terrible OR great "
        "OR excellent OR cheap OR solid))"
    ),
    "billing": (
        "billing OR billed OR invoice* OR overcharg* OR refund* OR chargeback* OR charged "
        'OR "double charged" OR "credit card" OR "payment failed" OR autorenew* OR auto-renew* '
        "OR (bill NEAR/4 (wrong OR incorrect OR higher OR charge* OR pay*)) "
        "OR (payment* NEAR/4 (declined OR failed OR twice OR taken OR missing))"
    ),
    "app/website": (
        'app OR apps OR website OR webpage OR login OR "log in" OR "sign in" OR signin '
        "OR password OR checkout OR outage* OR downtime OR buggy OR glitch* OR crash* "
        'OR "is down" OR "went down" OR android OR ios OR (site NEAR/4 (down OR slow '
        "OR broken OR error* OR loading)) OR (update NEAR/4 (broke OR broken OR bug OR bugs "
        "OR app))"
    ),
    "staff": (
        "staff OR employee* OR cashier* OR waiter* OR waitress* OR bartender* OR clerk* "
        'OR salesperson OR salesman OR saleswoman OR "sales associate" OR technician* '
        "OR receptionist* OR driver OR drivers OR crew OR (manager* NEAR/5 (rude OR helpful "
        "OR friendly OR polite OR store OR shop OR spoke OR talked)) OR ((guy OR lady "
        "OR woman OR man OR girl OR person) NEAR/3 (counter OR desk OR register))"
    ),
    "praise": (
        "love OR loved OR loving OR awesome OR amazing OR excellent OR fantastic OR superb "
        'OR outstanding OR impressed OR kudos OR "well done" OR "thank you" OR thanks '
        'OR "best ever" OR "five stars" OR "5 stars" OR (great NEAR/3 (service OR product '
        "OR experience OR job OR value OR support)) OR (recommend* NOT ((not OR never "
        'OR "wouldn\'t" OR "won\'t" OR "don\'t" OR "can\'t") ONEAR/2 recommend*)) OR 😍 OR ❤'
    ),
    "cancellation/churn": (
        'cancel* OR unsubscrib* OR churn* OR "switching to" OR "switched to" OR "moving to" '
        'OR "going back to" OR "never again" OR "done with" OR "last time i" '
        'OR "close my account" OR "closed my account" OR "delete my account" '
        'OR "deleted my account" OR "no longer" NEAR/3 (use OR using OR buy OR buying '
        "OR customer OR subscribe*) OR ((leaving OR left OR quit OR quitting) NEAR/3 "
        "(service OR subscription OR plan OR membership))"
    ),
    "legal/safety": (
        'lawsuit* OR "class action" OR sue OR sued OR suing OR lawyer* OR attorney* OR illegal '
        "OR fraud* OR scam* OR recall* OR unsafe OR danger* OR hazard* OR injur* OR explod* "
        'OR "caught fire" OR burn* NEAR/4 (battery OR charger OR skin) OR "data breach" '
        'OR breach* OR privacy OR gdpr OR regulator* OR investigation* OR "consumer protection"'
    ),
}


class TopicTagger:
    """Tags a document, or one mention in it, with the names of the topics it talks about."""

    def __init__(
        self,
        topics: Mapping[str, Query | str] | None = None,
        *,
        context_sentences: int = 1,
    ) -> None:
        if context_sentences < 0:
            raise ValueError("context_sentences must be 0 or more")
        self._queries = QuerySet(DEFAULT_TOPICS if topics is None else topics)
        self._context = context_sentences

    @property
    def names(self) -> list[str]:
        return list(self._queries)

    def tag(self, doc: MatchInput, spans: list[Span] | None = None) -> list[str]:
        """Topic names in taxonomy order; with ``spans`` (a mention), only those near it."""
        found = self._queries.match(doc)
        if spans is None:
            return list(found)
        windows = _mention_windows(doc.text, spans, self._context)
        return [name for name, where in found.items() if _is_near(where, windows)]


def _mention_windows(text: str, spans: list[Span], context: int) -> list[tuple[int, int]] | None:
    """Character ranges of the text near the mention; None when the whole document is near."""
    in_text = [s for s in spans if s.field == "text"]
    if not in_text or len(in_text) < len(spans):
        return None
    sentences = split_sentences(text) or [(0, len(text))]
    starts = [start for start, _ in sentences]
    windows = []
    for span in in_text:
        index = max(0, bisect_right(starts, span.start) - 1)
        first, last = max(0, index - context), min(len(sentences) - 1, index + context)
        windows.append((sentences[first][0], sentences[last][1]))
    return windows


def _is_near(where: list[Span], windows: list[tuple[int, int]] | None) -> bool:
    if windows is None or not where:
        return True
    return any(
        span.field == "title"
        or any(span.start < end and span.end > start for start, end in windows)
        for span in where
    )
