"""Triage: a mention's state, snooze, tags, private notes and sentiment override."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Mention
from monitor.db.models_desk import MentionNote, MentionTag
from monitor.db.repositories._dialect import insert_ignoring_conflicts
from monitor.errors import InvalidInputError, NotFoundError

InboxState = Literal["new", "seen", "needs_reply", "replied", "ignored", "snoozed"]
INBOX_STATES: tuple[str, ...] = get_args(InboxState)
SENTIMENT_LABELS = ("positive", "negative", "neutral", "unscored")
MAX_TAGS = 20
_TAG_RE = re.compile(r"^[\w][\w .:/+-]{0,49}$")
CHUNK = 500


@dataclass(frozen=True, slots=True)
class TriageChange:
    """What to change on one or many mentions; None means "leave as is"."""

    state: str | None = None
    snoozed_until: datetime | None = None
    set_tags: list[str] | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)
    change_sentiment: bool = False
    sentiment: str | None = None  # with change_sentiment: the override, None to clear it


def decide_state(change: TriageChange, now: datetime) -> tuple[str, datetime | None] | None:
    """The (state, snoozed_until) to store, or None when the state is left alone."""
    state = change.state or ("snoozed" if change.snoozed_until else None)
    if state is None:
        return None
    if state not in INBOX_STATES:
        raise InvalidInputError(f"state must be one of {', '.join(INBOX_STATES)}")
    if state != "snoozed":
        if change.snoozed_until is not None:
            raise InvalidInputError("snoozed_until only goes with the state 'snoozed'")
        return state, None
    if change.snoozed_until is None or change.snoozed_until <= now:
        raise InvalidInputError("snoozing needs snoozed_until, a time in the future")
    return state, change.snoozed_until


def normalise_tags(tags: Sequence[str]) -> list[str]:
    """Tags trimmed and lower-cased, in order, without repeats.

    Raises InvalidInputError naming the first tag that is not acceptable.
    """
    clean: list[str] = []
    for tag in tags:
        value = tag.strip().lower()
        if not _TAG_RE.match(value):
            raise InvalidInputError(
                f"tag {tag[:60]!r} must be 1-50 letters, digits, spaces or . : / + - _")
        if value not in clean:
            clean.append(value)
    if len(clean) > MAX_TAGS:
        raise InvalidInputError(f"at most {MAX_TAGS} tags per mention")
    return clean


def _check_sentiment(change: TriageChange) -> None:
    if change.change_sentiment and change.sentiment not in (None, *SENTIMENT_LABELS):
        raise InvalidInputError(f"sentiment must be one of {', '.join(SENTIMENT_LABELS)}")


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def apply(self, mention_ids: Sequence[int], change: TriageChange, now: datetime) -> int:
        """Apply ``change`` to the given mentions; returns how many exist and were changed."""
        decided = decide_state(change, now)
        _check_sentiment(change)
        set_tags = normalise_tags(change.set_tags) if change.set_tags is not None else None
        add, remove = normalise_tags(change.add_tags), normalise_tags(change.remove_tags)
        existing = self._existing(mention_ids)
        for start in range(0, len(existing), CHUNK):
            chunk = existing[start : start + CHUNK]
            self._update_columns(chunk, decided, change, now)
            self._update_tags(chunk, set_tags, add, remove)
        self.session.flush()
        return len(existing)

    def _existing(self, mention_ids: Sequence[int]) -> list[int]:
        found: list[int] = []
        unique = sorted(set(mention_ids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            found += self.session.scalars(select(Mention.id).where(Mention.id.in_(chunk)))
        return found

    def _update_columns(self, ids: list[int], decided: tuple[str, datetime | None] | None,
                        change: TriageChange, now: datetime) -> None:
        values: dict[str, object] = {}
        if decided is not None:
            values.update(state=decided[0], snoozed_until=decided[1], state_changed_at=now)
        if change.change_sentiment:
            values["sentiment_override"] = change.sentiment
        if values:
            self.session.execute(update(Mention).where(Mention.id.in_(ids)).values(**values))

    def _update_tags(self, ids: list[int], set_tags: list[str] | None, add: list[str],
                     remove: list[str]) -> None:
        if set_tags is not None:
            self.session.execute(delete(MentionTag).where(MentionTag.mention_id.in_(ids)))
            add = set_tags + add
        if remove:
            self.session.execute(delete(MentionTag).where(
                MentionTag.mention_id.in_(ids), MentionTag.tag.in_(remove)))
        rows = [{"mention_id": i, "tag": t} for i in ids for t in add if t not in remove]
        if rows:
            table = MentionTag.__table__
            self.session.execute(insert_ignoring_conflicts(self.session, table), rows)  # type: ignore[arg-type]
        if add:
            self._check_tag_limit(ids)

    def _check_tag_limit(self, ids: list[int]) -> None:
        tags = self.tags_for(ids)
        crowded = [i for i, names in tags.items() if len(names) > MAX_TAGS]
        if crowded:
            raise InvalidInputError(f"mention {crowded[0]} would have more than {MAX_TAGS} tags")

    def tags_for(self, mention_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each mention's tags, alphabetically (mentions without tags are left out)."""
        found: dict[int, list[str]] = {}
        query = select(MentionTag.mention_id, MentionTag.tag).where(
            MentionTag.mention_id.in_(list(mention_ids))).order_by(MentionTag.tag)
        for mention_id, tag in self.session.execute(query):
            found.setdefault(mention_id, []).append(tag)
        return found

    def all_tags(self) -> list[str]:
        query = select(MentionTag.tag).distinct().order_by(MentionTag.tag)
        return list(self.session.scalars(query))

    def add_note(self, mention_id: int, author: str, body: str, now: datetime) -> MentionNote:
        body = body.strip()
        if not body:
            raise InvalidInputError("a note cannot be empty")
        if self.session.get(Mention, mention_id) is None:
            raise NotFoundError(f"no mention with id {mention_id}")
        note = MentionNote(mention_id=mention_id, author=author, body=body, created_at=now)
        self.session.add(note)
        self.session.flush()
        return note

    def notes_for(self, mention_id: int) -> list[MentionNote]:
        query = select(MentionNote).where(MentionNote.mention_id == mention_id)
        return list(self.session.scalars(query.order_by(MentionNote.id)))
