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

Churn has a direction: in "switching to Globex from Acme" the customer leaves Acme and joins
Globex. A mention whose brand is the destination (named right after "to" or "for", following a
word of moving in the same sentence) is not tagged with the churn topic.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping

from monitor.domain.query import MatchInput, Query, QuerySet
from monitor.domain.snippets import split_sentences
from monitor.domain.spans import Span
from monitor.domain.text import compute_words

CHURN_TOPIC = "cancellation/churn"
_TOWARD = frozenset({"to", "for"})
_MOVING = ("switch", "swap", "mov", "migrat", "leav", "left", "go", "went", "back", "over")

# Words that name a thing only in some senses are tied to the sense that makes the topic:
# "cancel" to an account, order or subscription (not "noise cancelling"), "charged" to a
# payment (not a battery), "delivered" to an order (not "delivered on a promise"), "shipping"
# to a parcel (not a software release), "recall" to a product (not "I recall").
_NO_REPLY = (
    "(replied OR reply OR replies OR respond* OR response OR answer* OR answering "
    'OR "got back" OR "get back" OR "gets back" OR "heard back" OR "hear back" OR "call back" '
    'OR "call me back" OR "called back")'
)
_WAIT = (
    "(never OR no OR nobody OR not OR still OR nothing OR hasn OR haven OR didn OR won OR doesn "
    "OR weeks OR days OR hours OR minutes OR month OR months OR within OR took OR finally "
    "OR single OR ignored OR yet)"
)
DEFAULT_TOPICS: dict[str, str] = {
    "pricing": (
        "price OR prices OR pricing OR priced OR overpriced OR expensive OR pricey OR cheap* "
        'OR afford* OR costly OR cost OR costs OR "cost too much" OR discount* OR coupon* '
        'OR promo OR bargain OR fee OR fees OR "rip off" OR ripoff OR "value for money" '
        'OR "worth every penny" OR "worth the money" OR (quote* NEAR/4 (higher OR more '
        "OR times OR price)) OR ((subscription* OR plan OR bill) NEAR/4 (increase* "
        "OR raise* OR raised OR raising OR hike* OR expensive OR worth OR went))"
    ),
    "customer service": (
        '"customer service" OR "customer support" OR "customer care" OR "support team" '
        'OR "support request" OR "support ticket" OR "support tickets" OR helpdesk '
        'OR "help desk" OR helpline OR hotline OR "call center" OR "call centre" OR "on hold" '
        'OR "live chat" OR chatbot OR "got nothing back" OR "heard nothing" '
        "OR ((ticket OR tickets) NEAR/4 (opened OR open OR raised "
        "OR filed OR submitted OR logged OR support OR closed OR " + _NO_REPLY[1:-1] + ")) "
        "OR (" + _NO_REPLY + " NEAR/6 " + _WAIT + ") "
        "OR ((support OR rep OR reps OR representative* OR agent*) NEAR/5 (rude OR helpful "
        "OR unhelpful OR useless OR friendly OR responsive OR unresponsive OR waited "
        "OR waiting OR hours OR days OR email OR e-mail OR phone OR call OR called OR chat "
        "OR ticket* OR replied OR reply OR answer*))"
    ),
    "shipping/delivery": (
        "delivery OR deliveries OR shipment* OR courier* OR parcel* OR tracking OR depot "
        'OR "in transit" OR "out for delivery" OR dispatch* OR fedex OR dhl OR usps OR raw:UPS '
        "OR ((delivered OR deliver OR shipping OR shipped OR ships) NEAR/4 (order OR orders "
        "OR parcel OR package OR box OR late OR early OR wrong OR never OR weeks OR days "
        "OR door OR doorstep OR address OR free OR cost OR fast OR slow OR today OR still "
        "OR my)) OR ((sent OR send OR sending) ONEAR/2 (wrong OR nothing)) "
        "OR (package* NEAR/5 (arriv* OR lost OR late OR damaged OR stolen OR missing OR never "
        "OR delayed)) OR ((arrived OR arrive OR arriving) NEAR/5 (order OR package OR box "
        "OR damaged OR dented OR broken OR cracked OR late OR wrong OR missing OR never "
        "OR days OR weeks OR torn OR leaking)) OR ((order OR arrived OR arrive) NEAR/4 "
        "(late OR delayed OR weeks OR days OR never OR stuck OR lost OR missing "
        "OR processing))"
    ),
    "quality/defects": (
        'defect* OR faulty OR "stopped working" OR "doesn\'t work" OR "does not work" '
        'OR "poor quality" OR "low quality" OR "high quality" OR "build quality" '
        'OR "fell apart" OR "falling apart" OR flimsy OR malfunction* OR broke OR broken '
        "OR cracked OR dented OR leaking OR distort* OR stale OR bland OR watery OR burnt "
        'OR warranty OR durable OR durability OR "well made" OR "cheaply made" OR explod* '
        "OR (stopped ONEAR/2 (work* OR cool* OR heat* OR charg* OR turning OR pairing)) "
        "OR ((piece OR bit OR bits OR shard*) ONEAR/3 (plastic OR glass OR metal)) "
        "OR ((quality OR material* OR build) NEAR/4 (poor OR bad OR terrible OR great "
        "OR excellent OR cheap OR solid))"
    ),
    "billing": (
        "billing OR billed OR bill OR bills OR invoice* OR overcharg* OR refund* OR chargeback* "
        'OR "double charged" OR "credit card" OR "payment failed" OR autorenew* OR auto-renew* '
        "OR ((charged OR charging OR charge) ONEAR/2 (me OR us OR my OR our OR twice OR double "
        "OR for OR extra OR again)) OR (payment* NEAR/4 (declined OR failed OR twice OR taken "
        "OR missing))"
    ),
    "app/website": (
        'app OR apps OR website OR webpage OR login OR "log in" OR "sign in" OR signin '
        'OR password OR checkout OR outage* OR downtime OR buggy OR glitch* OR crash* '
        'OR "is down" OR "went down" OR "down again" OR android OR ios '
        "OR ((log OR logs OR logged OR logging) ONEAR/2 (in OR out)) OR (online NEAR/3 "
        "(check OR banking OR shop OR store OR booking OR form)) OR ((error OR errors) NEAR/4 "
        "(online OR page OR screen OR message OR code OR throwing OR throws)) "
        "OR (site NEAR/4 (down OR slow OR broken OR error* OR loading)) OR (update NEAR/4 "
        "(broke OR broken OR bug OR bugs OR app))"
    ),
    "staff": (
        "staff OR employee* OR cashier* OR waiter* OR waitress* OR bartender* OR barista* "
        'OR clerk* OR salesperson OR salesman OR saleswoman OR "sales associate" '
        'OR technician* OR receptionist* OR "tour guide" OR driver OR drivers OR crew '
        "OR ((gate OR desk) ONEAR/1 agent*) OR (manager* NEAR/5 (rude OR helpful OR friendly "
        "OR polite OR store OR shop OR spoke OR talked OR way)) OR ((guy OR lady OR woman "
        "OR man OR girl OR person) NEAR/3 (counter OR desk OR register))"
    ),
    "praise": (
        "love OR loved OR loving OR awesome OR amazing OR excellent OR fantastic OR superb "
        "OR outstanding OR brilliant OR lovely OR legend OR legends OR kudos "
        'OR "well done" OR "thank you" OR thanks OR "best ever" OR "the best" OR "five stars" '
        'OR "5 stars" OR "nice touch" OR "worth every penny" OR "out of his way" '
        'OR "out of her way" OR "out of their way" OR ((really OR so OR very) ONEAR/1 kind) '
        "OR ((impressed OR impressive) NOT ((not OR never OR wasn OR unimpressed) ONEAR/2 "
        "impress*)) OR (great NEAR/3 (service OR product OR experience OR job OR value "
        "OR support OR flight OR taste* OR roast* OR coffee OR food)) OR (delivered ONEAR/1 "
        'on) OR (recommend* NOT ((not OR never OR "wouldn\'t" OR "won\'t" OR "don\'t" '
        'OR "can\'t") ONEAR/2 recommend*)) OR 😍 OR ❤'
    ),
    "cancellation/churn": (
        'unsubscrib* OR churn* OR "switching to" OR "switched to" OR "moving to" '
        'OR "going back to" OR "never again" OR "done with" OR "last time i" '
        "OR ((cancel OR cancels OR cancelled OR canceled OR cancelling OR canceling "
        "OR cancellation OR close OR closed OR closing OR delete OR deleted OR deleting "
        "OR terminat*) ONEAR/5 (account OR subscription* OR membership OR contract OR plan "
        "OR policy OR service OR order)) OR ((i OR we OR ve OR m OR just) ONEAR/2 (cancel "
        "OR cancelled OR canceled OR cancelling OR canceling)) "
        "OR ((switch* OR swap* OR moving OR moved OR migrat* OR leaving OR leave) ONEAR/6 "
        '(from OR to OR for)) OR ("no longer" NEAR/3 (use OR using OR buy OR buying '
        "OR customer OR subscribe*)) OR ((leaving OR left OR quit OR quitting) NEAR/3 "
        "(service OR subscription OR plan OR membership))"
    ),
    "legal/safety": (
        'lawsuit* OR "class action" OR sue OR sued OR suing OR lawyer* OR attorney* OR illegal '
        "OR fraud* OR scam* OR recalling OR recalled OR recalls OR ((a OR the OR product "
        "OR safety) ONEAR/1 recall) OR unsafe OR safety OR (safe NEAR/3 (is OR are OR still "
        "OR kids OR children OR baby OR eat)) OR danger* OR hazard* OR injur* OR explod* "
        "OR choke* OR choking OR contaminat* OR salmonella OR listeria OR overheat* "
        'OR "caught fire" OR (burn* NEAR/4 (battery OR charger OR skin OR hand OR hands)) '
        "OR ((piece OR bit OR bits OR shard*) ONEAR/3 (plastic OR glass OR metal)) "
        'OR "data breach" OR breach* OR leaked OR privacy OR gdpr OR regulator* '
        'OR investigation* OR "consumer protection"'
    ),
}


class TopicTagger:
    """Tags a document, or one mention in it, with the names of the topics it talks about."""

    def __init__(
        self,
        topics: Mapping[str, Query | str] | None = None,
        *,
        context_sentences: int = 1,
        churn_topic: str | None = CHURN_TOPIC,
    ) -> None:
        if context_sentences < 0:
            raise ValueError("context_sentences must be 0 or more")
        self._queries = QuerySet(DEFAULT_TOPICS if topics is None else topics)
        self._context = context_sentences
        self._churn = churn_topic

    @property
    def names(self) -> list[str]:
        return list(self._queries)

    def tag(self, doc: MatchInput, spans: list[Span] | None = None) -> list[str]:
        """Topic names in taxonomy order; with ``spans`` (a mention), only those near it."""
        found = self._queries.match(doc)
        if spans is None:
            return list(found)
        windows = _mention_windows(doc.text, spans, self._context)
        names = [name for name, where in found.items() if _is_near(where, windows)]
        if self._churn in names and decide_destination(doc.text, spans):
            names.remove(self._churn)
        return names


def decide_destination(text: str, spans: list[Span]) -> bool:
    """Whether every mention of the brand in the text names where customers move to."""
    in_text = [s for s in spans if s.field == "text"]
    return bool(in_text) and len(in_text) == len(spans) and all(
        _is_destination(_sentence_before(text, span.start)) for span in in_text)


def _sentence_before(text: str, offset: int) -> list[str]:
    """The words of the sentence holding ``offset``, up to it."""
    sentences = split_sentences(text) or [(0, len(text))]
    start = max((s for s, _ in sentences if s <= offset), default=0)
    return compute_words(text[start:offset])


def _is_destination(before: list[str]) -> bool:
    """"switched to", "leaving them for", "moving over to the": "to" or "for" is one of the
    last two words before the brand, after a word of moving."""
    toward = [i for i in range(max(0, len(before) - 2), len(before)) if before[i] in _TOWARD]
    return bool(toward) and any(word.startswith(_MOVING) for word in before[:toward[-1]])


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
