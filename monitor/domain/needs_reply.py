"""Does a mention need a reply from the brand? Questions put to it and direct complaints.

A pure, rule-based decision over the sentences that name the brand (and the one after, where
a question often follows the name): a question there, or a complaint about an unmet service
promise (refund, support, delivery, billing, a broken product), needs someone to answer.
Praise, news and comparisons between third parties do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_QUESTION_START = re.compile(
    r"^\W*(how|why|when|where|what|which|who|can|could|does|do|did|is|are|will|would|should|"
    r"has|have|any(one|body)?)\b", re.IGNORECASE)
_ASKING = re.compile(
    r"\b(any ?one know|anybody know|please (help|advise|fix|respond|reply|explain)|"
    r"can (you|someone|somebody) (help|tell|explain)|need help|help me|"
    r"is there (a|any) way|who do i (contact|talk|call))\b", re.IGNORECASE)
_COMPLAINT = re.compile(
    r"\b(refund\w*|charged (me )?twice|double[- ]charged|overcharged|still waiting|"
    r"no (response|reply|answer)|never (arrived|came|heard back|showed up|responded)|"
    r"(hasn'?t|has not|haven'?t|have not|didn'?t|did not) (arrived?|shipped|responded|"
    r"replied|answered|fixed|refunded|worked|come)|"
    r"(doesn'?t|does not|won'?t|will not|stopped) (work|turn on|start|charge|connect)\w*|"
    r"not working|broke(n)?( down)?|cancel(led|ing)? my|ignor(ed|ing) (me|my)|"
    r"on hold|customer (service|support) (is|was|has been) (useless|terrible|awful|a joke)|"
    r"unacceptable|scam(med)?|rip(ped)? ?off|wrong (item|order|size)|missing (item|part|order)|"
    r"still nothing|(leaks?|leaking)|defective|faulty)\b", re.IGNORECASE)
_ADDRESS = re.compile(r"(@\w+|\b(hey|hi|dear|hello)\b)", re.IGNORECASE)
_NEWS = re.compile(r"\b(announc\w+|launch(es|ed)|unveil\w*|reports? (that )?|acquir\w+|"
                   r"shares? (rose|fell)|earnings|press release)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReplyVerdict:
    needs_reply: bool
    reason: str  # "question", "complaint", or "" when no reply is needed


def detect_needs_reply(text: str, brand_terms: Sequence[str]) -> ReplyVerdict:
    """Whether the text asks the brand something or complains to it about its service."""
    sentences = [s.strip() for s in _SENTENCES.split(text) if s.strip()]
    near = _near_brand(sentences, brand_terms)
    if not near:
        return ReplyVerdict(False, "")
    if any(_is_question(s) for s in near):
        return ReplyVerdict(True, "question")
    if any(_COMPLAINT.search(s) and not _NEWS.search(s) for s in near):
        return ReplyVerdict(True, "complaint")
    return ReplyVerdict(False, "")


def _near_brand(sentences: list[str], brand_terms: Sequence[str]) -> list[str]:
    terms = [t.lower() for t in brand_terms if t]
    picked: list[str] = []
    for index, sentence in enumerate(sentences):
        if any(t in sentence.lower() for t in terms):
            picked += sentences[index : index + 2]
    return picked


def _is_question(sentence: str) -> bool:
    if _NEWS.search(sentence):
        return False
    asks = sentence.rstrip().endswith("?") or bool(_ASKING.search(sentence))
    return asks or (bool(_QUESTION_START.match(sentence)) and bool(_ADDRESS.search(sentence)))
