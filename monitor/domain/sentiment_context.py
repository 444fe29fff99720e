"""The text a brand mention's sentiment is read from, and the cues that turn its polarity.

A mention's *scope* is the sentence naming the brand (or, when that sentence also names
someone else, only the part about the brand), the sentences after it that carry the brand on
through pronouns and ellipsis ("They sent a new one. Took two days.") until another brand,
person or subject takes over, and at half weight the sentence just before, when it names no
one else ("Not bad at all. Acme finally fixed the hinge."). A paragraph break ends the scope.

Cues then change what the scope's words say about the brand:

* sarcasm and rhetoric ("Oh great, another ...", "so-called support", scare quotes, "thanks X"
  next to a complaint, 🙄, "/s"): praise words count as complaints;
* criticism by comparison ("X should / could / needs to ...", "wish X would ..."): the
  brand's part is negative whatever "better" it asks for;
* complaint questions ("Why does X still ...?", "Is anyone else's X ...?");
* contrast with another brand ("X, on the other hand, ...", "unlike X"): a brand whose own
  text is neutral takes the opposite of the other brand's sentence.

Everything here is pure text analysis on bounded windows, shared by every language; only the
valence of a piece of text depends on the language (see ``sentiment``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.domain.spans import Span

Bounds = tuple[int, int]
Valence = Callable[[str], float]

# Sentences after the mention's own one that can carry it on, and the weight of the one before.
MAX_CARRIED_SENTENCES = 3
BEFORE_WEIGHT = 0.5
# What a cue adds when the text it turns has no polar word of its own (VADER's scale).
CUE_VALENCE = 1.5
# A sentence of praise this strong is not turned by a complaint-question opener.
CLEAR_PRAISE = 2.0
CONTRAST_WEIGHT = 0.8

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CAPITALISED = re.compile(r"(?<![\w'’])[A-ZÀ-ÖØ-Þ][\w'’&-]*")
_WORDS = re.compile(r"[\w'’]+")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_A_NAME = _word_set(
    "i i'm i've i'd i'll im ive ok okay monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november "
    "december"
)
# Sentence-initial words in English and the four scored languages that never name anyone.
_STARTERS = _word_set(
    "the a an they their them it its it's he she his her we our you your my me this that these "
    "those there then so and but or also now still even just only after before when once since "
    "because if as at in on of for with to from by what which who how why where not no never "
    "all every each some one two three four five six seven eight nine ten first second third "
    "last next finally honestly anyway plus got had has have was were is are took spent waited "
    "called tried ordered been will would can could did do does yes yeah well oh okay seriously "
    "literally apparently instead later today yesterday tomorrow tonight again everything "
    "everyone everybody nothing nobody someone somebody something anyone anybody anything here "
    "overall really definitely absolutely totally much many more most very too say sure wow "
    "yay great cool love thanks thank brilliant wonderful fantastic "
    "el la los las un una unos unas mi mis su sus yo me nos es fue está muy pero y o que por "
    "para con sin ya al del le les une des mon ma mes je j il ils elle on nous vous ce cette "
    "très mais et ou qui pour avec sans der die das ein eine einer mein meine ich wir sie er es "
    "seit bin sehr aber und oder mit für ohne o os as um uma meu minha eu nós ele ela é foi "
    "muito mas e ou com sem já voei liguei estou fiquei"
)
# Words that follow a subject: "Globex fixed ...", "Contoso me solucionó ...", "Globex hat ...".
_VERBISH = _word_set(
    "is was has had does did can can't cannot could couldn't should would will won't isn't "
    "wasn't doesn't didn't hasn't kept sent took gave made lost sold says said got gets makes "
    "sends charges ships needs wants still never just always also actually really finally "
    "even only again lets let keeps runs works handles offers gives went came left broke "
    "me m nos se le lo la les ha han fue es está a est n hat ist war hatte wird mich mir uns "
    "foi é tem nunca jamais não ne dagegen hingegen jedoch"
)
_CONTRAST_AFTER_COMMA = re.compile(
    r",\s*(?:on the other hand|by contrast|in contrast|meanwhile|however|though|on the "
    r"contrary|par contre|en revanche|en cambio|por otro lado|por su parte|dagegen|hingegen|"
    r"por outro lado|pelo contrário|lui|elle|eux|él|ella|ele|ela)\b",
    re.IGNORECASE,
)
_CONTRAST_MARKER = re.compile(
    r"\b(?:on the other hand|by contrast|in contrast|meanwhile|unlike|whereas|instead|"
    r"on the contrary|par contre|en revanche|contrairement|en cambio|a diferencia|por otro "
    r"lado|dagegen|hingegen|im gegensatz|já a|já o|ao contrário|por outro lado)\b",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"([\w'’]+)\s+$")
# A capitalised word after these is a place or an object ("flew to Lisbon", "nach Wien").
_PLACE_PREPOSITIONS = {
    "en": _word_set("to in at via near around across through into over towards toward"),
    "es": _word_set("a en hacia desde"),
    "fr": _word_set("à au en vers"),
    "de": _word_set("nach in"),
    "pt": _word_set("para em ao no na"),
}
_ARTICLES = _word_set("the o a os as el la los las le les l")
_DETERMINERS = _word_set(
    "der die das den dem des ein eine einen einem einer eines kein keine mein meine unser "
    "unsere dieser diese dieses jeder jede alle viele sehr"
)
# Past-tense endings of a verb after its subject ("fixed", "tardó", "cobrou", "perdeu").
_PAST_ENDINGS = ("ed", "ó", "ou", "eu")
_SEGMENT_CUT = re.compile(r"[,;:—–]|\s(?:and|so|while|whereas|where|whose|meanwhile)\s")


@dataclass(frozen=True, slots=True)
class ScopeUnit:
    """A piece of a mention's scope: its text, its weight, and whether it speaks of a foil."""

    text: str
    weight: float = 1.0
    invert: bool = False
    own: bool = False


def compute_own_words(field: str, spans: Sequence[Span]) -> frozenset[str]:
    """The lower-cased words of the brand's own matches, which never count as someone else."""
    words: set[str] = set()
    for span in spans:
        matched = field[span.start : span.end]
        words.update(_strip_possessive(word).lower() for word in _WORDS.findall(matched))
    return frozenset(words)


def names_someone_else(
    field: str,
    bounds: Bounds,
    sentence_start: int,
    own: frozenset[str],
    language: str | None = None,
) -> bool:
    """Whether ``bounds`` names a person, place or brand other than the mention's own brand.

    A capitalised word names someone unless it is one of the brand's own words or follows
    one ("Contoso Bank"), a weekday, month or acronym, a place after a preposition ("to
    Lisbon"), or a sentence's first word that does not read as a subject. German capitalises
    every noun, so there only a word followed by a verb counts.
    """
    for match in _CAPITALISED.finditer(field, bounds[0], bounds[1]):
        word = _strip_possessive(match.group())
        lowered = word.lower()
        if lowered in own or lowered in _NOT_A_NAME or _is_acronym(word):
            continue
        previous = _previous_word(field, match.start())
        if previous in own or _after_preposition(field, match.start(), language):
            continue
        initial = _starts_sentence(field, match.start(), sentence_start)
        if (initial or language == "de") and (
            lowered in _STARTERS
            or previous in _DETERMINERS
            or not _initial_word_is_name(field, match, lowered, own)
        ):
            continue
        return True
    return False


def _after_preposition(field: str, position: int, language: str | None) -> bool:
    """After "to", "nach", or a preposition and an article ("para o Porto", "à la gare")."""
    prepositions = _PLACE_PREPOSITIONS.get(language or "en", frozenset())
    previous = _previous_word(field, position)
    if previous in prepositions:
        return True
    if previous not in _ARTICLES:
        return False
    start = field.rfind(previous, max(0, position - 30), position)
    return _previous_word(field, start) in prepositions if start > 0 else False


def _previous_word(field: str, position: int) -> str:
    found = _LAST_WORD.search(field, max(0, position - 30), position)
    return _strip_possessive(found.group(1)).lower() if found else ""


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _is_acronym(word: str) -> bool:
    """ "API", "SLA", and technical names like "OpenSSL" or "PostgreSQL": not brands that talk."""
    inner_capitals = any(char.isupper() for char in word[1:])
    return (word.isupper() and len(word) <= 5) or (inner_capitals and not word.isupper())


def _starts_sentence(field: str, position: int, sentence_start: int) -> bool:
    return field[sentence_start:position].strip(" \t\"'“‘(*-") == ""


def _initial_word_is_name(
    field: str, match: re.Match[str], lowered: str, own: frozenset[str]
) -> bool:
    """A capitalised first word names someone when what follows reads like its predicate."""
    if lowered.endswith(("ed", "ing", "ly")):
        return False
    after = field[match.end() : match.end() + 60]
    if match.group().endswith(("'s", "’s")) or _CONTRAST_AFTER_COMMA.match(after):
        return True
    following = re.match(r"\s+([\w'’]+)", after)
    if following is None:
        return False
    nxt = following.group(1)
    if nxt[:1].isupper() and nxt.lower() not in _NOT_A_NAME:
        # "Flew Acme Air": a verb before the brand's own name is not part of a name.
        return _strip_possessive(nxt).lower() not in own
    nxt_lower = re.split("['’]", nxt.lower())[0]
    return nxt_lower in _VERBISH or (len(nxt_lower) > 4 and nxt_lower.endswith(_PAST_ENDINGS))


# --- segments within a sentence -------------------------------------------------------------


def compute_segments(field: str, bounds: Bounds) -> list[Bounds]:
    """Cut a sentence or clause at commas, dashes and joining words into short segments."""
    cuts = [bounds[0]]
    for match in _SEGMENT_CUT.finditer(field, bounds[0], bounds[1]):
        cuts.extend((match.start(), match.end()))
    cuts.append(bounds[1])
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    return [(a, b) for a, b in pairs if field[a:b].strip()]


def compute_own_part(
    field: str, sentence: Bounds, position: int, own: frozenset[str], language: str | None = None
) -> Bounds:
    """The run of segments around ``position`` that names no one but the brand."""
    segments = compute_segments(field, sentence)
    if not segments:
        return sentence
    index = next((i for i, (a, b) in enumerate(segments) if a <= position < b), 0)
    first = last = index
    while first > 0 and not names_someone_else(
        field, segments[first - 1], sentence[0], own, language
    ):
        first -= 1
    while last + 1 < len(segments) and not names_someone_else(
        field, segments[last + 1], sentence[0], own, language
    ):
        last += 1
    return segments[first][0], segments[last][1]


# --- cues -------------------------------------------------------------------------------------

_STRONG_IRONY = re.compile(
    r"/s\b|[🙄🙃😒🤦]|\bso[\s-]called\b|\bjust what (?:i|we) (?:wanted|needed)\b|"
    r"^\W*(?:oh|ah) (?:great|wonderful|brilliant|fantastic|perfect|lovely|joy|nice|good|sure|"
    r"yay|cool|goody)\b|\byeah,? (?:right|sure)\b|\bthanks (?:a lot|a bunch|for nothing)\b|"
    r"\bjust (?:great|perfect|wonderful|brilliant|fantastic|lovely)[.!,]|"
    r"\bwhat could (?:possibly )?go wrong\b|\bsaid no (?:one|body)\b",
    re.IGNORECASE | re.MULTILINE,
)
# A lower-case claim in quotes right after the brand's possessive ("X's "unlimited" plan") or
# glossed by what it "means" is the writer quoting the brand's words against it; a capitalised
# one is more likely a title ("X's "Getting Started" guide").
_QUOTED_CLAIM = re.compile(
    r"['’]s\s+(?:new\s+|latest\s+)?[\"“][a-z0-9][^\"”]{1,40}[\"”]|"
    r"[\"”]\s+(?:means?|must mean|meaning|is code for)\b"
)
_WEAK_IRONY = re.compile(
    r"^\W*(?:great|wonderful|brilliant|fantastic|perfect|lovely|yay|wow|sure|cool|nice|awesome|"
    r"terrific|splendid|amazing|fabulous)\b\W|"
    r"\b(?:thanks|thank you)\b|\blove (?:how|that|it when|waiting|being|the way)\b|"
    r"\bcan't wait\b|\bwhat a (?:deal|joke|surprise|bargain|treat)\b|\breal(?:ly)? smart\b|"
    r"\bgood one\b|\bbest part of (?:my|the) (?:day|week|month|year)\b|"
    r"\bso glad (?:i|we)\b|\btruly (?:impressive|the future|innovative|amazing|a marvel)\b|"
    r"\b(?:top notch|great job|nice job|well done|bravo|kudos|great stuff|nice work|"
    r"good job|impressive work)\b|\b(?:i suppose|i guess|if you (?:enjoy|like|love))\b|"
    r"\b(?:really|truly|totally) (?:appreciated|appreciate)\b|\bnothing says\b|"
    r"\b(?:congrats|congratulations|bravo|slow clap)\b|\bprogress!|\bah yes\b|"
    r"\b(?:super|very|so) helpful\b[.!]|\b(?:really )?outdid (?:themselves|itself)\b|"
    r"\bspoils? us\b|\btruly (?:unforgettable|remarkable|special)\b|"
    r"\b(?:great|fantastic|amazing|brilliant|excellent|good) (?:work|to see)\b|"
    r"^\W*dear [A-Z]|\bfamous\b|\bmaybe next (?:year|time|decade)\b|\bnice one\b|"
    r"\b\w+ indeed[.!]|\bwhat a way to\b|\bnever change[.!]|\bgood old\b|\bnothing beats \w+ing\b|"
    r"\bif you (?:ignore|don't count|overlook)\b|"
    r"(?:^|[.!?]\s+)(?:impressive|brilliant|great|lovely|perfect|wonderful|fantastic|amazing|"
    r"classy|stellar|nice)[.!]|,\s*really[.!]|\bshout\s?out to\b|\b(?:lol|lmao|smh)\b|😂|"
    r"\bso (?:good|great|smart|advanced|reliable|fast|helpful) (?:that )?(?:i|they|you|we|it)\b",
    re.IGNORECASE | re.MULTILINE,
)
_SCARE_QUOTE = re.compile(
    r"(?:^|(?<=[\s(]))[\"“‘']([A-Za-z0-9][\w/ -]{1,30}?)[\"”’'](?=[\s.,!?;:)]|$)"
)
_MAX_QUOTED_WORDS = 4


def compute_irony(text: str, has_complaint: bool) -> bool:
    """Whether sarcasm or rhetoric turns the praise words of ``text`` into complaints.

    A strong cue ("so-called", 🙄, "/s", "Oh great, ...") is enough; a weak one ("thanks",
    "love how", a short phrase in scare quotes, a lone "Great,") needs a second cue or a
    complaint elsewhere in the text.
    """
    if _STRONG_IRONY.search(text) or _QUOTED_CLAIM.search(text):
        return True
    weak = len(_WEAK_IRONY.findall(text))
    weak += sum(len(m.group(1).split()) <= _MAX_QUOTED_WORDS for m in _SCARE_QUOTE.finditer(text))
    return weak >= 2 or (weak == 1 and has_complaint)


_MODAL_AFTER_BRAND = re.compile(
    r"^(?:['’]s?(?:\s+[\w-]+){0,2})?,?\s+(?:really\s+|seriously\s+|still\s+|also\s+)?"
    r"(?:should|ought to|needs? to|has to|must|could (?:learn|take|stand|at least|have|do|try|"
    r"use|make|fix|just|really|easily|start|stop)|could|might want to|would do well)\b",
    re.IGNORECASE,
)
_WISH_BEFORE_BRAND = re.compile(
    r"\b(?:wish(?:es|ed)?|if only|hope) (?:that )?(?:the )?$", re.IGNORECASE
)
_TAKE_NOTES = re.compile(r"\b(?:take notes|could learn|learn a thing)\b", re.IGNORECASE)
_COUNTERFACTUAL = re.compile(
    r"\bif (?:the )?$|\bhalf as (?:well|good|fast|reliable)\b", re.IGNORECASE
)


_TOLD_TO_IMPROVE = re.compile(
    r"\b(?:could|should|needs? to|ought to|might want to|must)\s+(?:really\s+|seriously\s+)?"
    r"(?:take (?:some )?notes|learn|at least|do better|step up|catch up|follow suit)\b|"
    r"\btake (?:some )?notes\b",
    re.IGNORECASE,
)


def is_told_to_improve(sentence: str) -> bool:
    """ "Y could take notes", "Y should at least ...": a sentence criticising whoever it names."""
    return _TOLD_TO_IMPROVE.search(sentence) is not None


def is_criticised(field: str, span: Span) -> bool:
    """Whether the brand is told what it should do ("X should ...", "wish X would ...")."""
    after = field[span.end : span.end + 60]
    before = field[max(0, span.start - 30) : span.start]
    if _MODAL_AFTER_BRAND.match(after) or _WISH_BEFORE_BRAND.search(before):
        return True
    sentence_rest = re.split(r"[.!?\n]", after, maxsplit=1)[0]
    return bool(_TAKE_NOTES.search(sentence_rest)) or (
        bool(_COUNTERFACTUAL.search(before)) and "half as" in sentence_rest.lower()
    )


_COMPLAINT_QUESTION = re.compile(
    r"^\W*(?:why\b|how come\b|how (?:is|are|can|could|hard|many|long|much|do|does|did|on "
    r"earth|else)\b|is (?:it just me|anyone else|it normal|there a reason|this)\b|"
    r"(?:does|do|did|has|have|is|are|can|will) (?:anyone|anybody) else\b|anyone else\b|"
    r"what (?:happened|is going on|is wrong|'s wrong|the)\b|who (?:thought|decided|at|"
    r"approved|signed off)\b|when (?:exactly|will|are|is|did)\b|where (?:is|are) (?:my|the|our)\b|"
    r"can someone explain\b|is it (?:really |seriously )?(?:too much|so hard|that hard)\b|"
    r"seriously\b|¿?por qué\b|pourquoi\b|warum\b|wieso\b|por que\b|"
    r"¿?alguien más\b|quelqu'un d'autre\b|hat noch jemand\b|mais alguém\b)",
    re.IGNORECASE,
)
_JUST_ME = re.compile(
    r"\b(?:or is it just me|am i the only one|or am i (?:crazy|missing something))\b", re.IGNORECASE
)
_AT_ALL = re.compile(r"\b(?:at all|ever|even|actually)\b[^?]*\?", re.IGNORECASE)
_DOES_OPENER = re.compile(r"^\W*(?:does|do|did|has|have|is|are|can|will)\b", re.IGNORECASE)


def is_complaint_question(sentence: str) -> bool:
    """A question that is a complaint: "Why does X ...?", "Is anyone else's X ...?"."""
    text = sentence.strip()
    if not text.endswith("?") and "?" not in text:
        return False
    if _COMPLAINT_QUESTION.match(text) or _JUST_ME.search(text):
        return True
    return bool(_DOES_OPENER.match(text) and _AT_ALL.search(text))


_LEAVING = (
    r"(?:switch(?:ed|ing)?|mov(?:ed|ing)(?: over| away)?|migrat(?:ed|ing)|changed|"
    r"port(?:ed|ing))"
)
_ARTICLE = r"(?:(?:the|our|my|all|their|your) )?"
_LEFT_BRAND = re.compile(
    rf"\b(?:{_LEAVING}(?: \w+)?(?: away)? from|(?:left|quit|ditched|dropped|dumped|abandoned|"
    rf"cancel(?:l)?ed|replaced|ripped out|gave up on|got rid of|stopped using|uninstalled)) "
    rf"{_ARTICLE}$",
    re.IGNORECASE,
)
_CHOSEN_BRAND = re.compile(
    rf"\b(?:{_LEAVING}\b[^.!?]{{0,60}}\bto|replaced\b[^.!?]{{0,60}}\bwith|"
    rf"(?:left|quit|ditched|dropped)\b[^.!?]{{0,60}}\bfor) {_ARTICLE}$",
    re.IGNORECASE,
)
_SWITCH_LOOKBACK = 80


def compute_switch_valence(field: str, span: Span) -> float:
    """Leaving a brand ("switched from X", "we left X", "replaced X") speaks against it; the one
    moved to ("from Y to X", "replaced Y with X") is the one preferred."""
    before = field[max(0, span.start - _SWITCH_LOOKBACK) : span.start]
    if _CHOSEN_BRAND.search(before):
        return CUE_VALENCE
    if _LEFT_BRAND.search(before):
        return -CUE_VALENCE
    return 0.0


# A sentence opening like this takes back what the one before it said ("It looked great in the
# ads. In practice it ..."): the later sentence is the writer's verdict.
_SENTENCE_TURN = re.compile(
    r"^\W*(?:but|however|in practice|in reality|instead|sadly|unfortunately|except|"
    r"turns out|it turns out|alas|that said|then (?:you|it|they|i|we))\b",
    re.IGNORECASE,
)


def opens_with_turn(sentence: str) -> bool:
    return _SENTENCE_TURN.match(sentence) is not None


def turn_for_question(valence: float) -> float:
    """A complaint question is negative unless it is clearly praise ("best ... or what?")."""
    return valence if valence > CLEAR_PRAISE else min(valence, 0.0) - CUE_VALENCE


def turn_for_irony(valence: float) -> float:
    return -abs(valence) if valence else -CUE_VALENCE


def turn_for_criticism(valence: float) -> float:
    return -abs(valence) - CUE_VALENCE if valence >= 0 else valence - CUE_VALENCE / 2


def has_contrast_marker(text: str) -> bool:
    return _CONTRAST_MARKER.search(text) is not None


def paragraph_break_between(field: str, end: int, start: int) -> bool:
    return _PARAGRAPH_BREAK.search(field, end, start) is not None
