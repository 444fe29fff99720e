"""Triage: an item's state, snooze, tags and private notes; a mention's sentiment override.

An item is one stored post or comment (a document). A comment naming two brands is two
mentions but one item: it is answered, tagged and annotated once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention
from monitor.db.models_desk import ItemNote, ItemTag
from monitor.db.prepared import prepared
from monitor.db.repositories._dialect import insert_ignoring_conflicts
from monitor.db.repositories.counted_writes import lock_counted_writes
from monitor.db.repositories.priorities import PriorityRepository
from monitor.errors import InvalidInputError, NotFoundError

InboxState = Literal["new", "seen", "needs_reply", "replied", "ignored", "snoozed"]
INBOX_STATES: tuple[str, ...] = get_args(InboxState)
SENTIMENT_LABELS = ("positive", "negative", "neutral", "unscored")
MAX_TAGS = 20
_TAG_RE = re.compile(r"^[\w][\w .:/+-]{0,49}$")
CHUNK = 500


@dataclass(frozen=True, slots=True)
class TriageChange:
    """What to change on one or many items; None means "leave as is"."""

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
        raise InvalidInputError(f"at most {MAX_TAGS} tags per item")
    return clean


def _check_sentiment(change: TriageChange) -> None:
    if change.change_sentiment and change.sentiment not in (None, *SENTIMENT_LABELS):
        raise InvalidInputError(f"sentiment must be one of {', '.join(SENTIMENT_LABELS)}")


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def apply(self, mention_ids: Sequence[int], change: TriageChange, now: datetime) -> int:
        """Triage the items of the given mentions, and override those mentions' sentiment.

        Returns how many of the mentions exist.
        """
        existing = self._existing_mentions(mention_ids)
        items = sorted(set(self.items_of(existing).values()))
        self._apply(items, change, now)
        if change.change_sentiment:
            self._override(Mention.id, existing, change.sentiment)
        self._rescore(items, change)
        self.session.flush()
        return len(existing)

    def apply_items(self, document_ids: Sequence[int], change: TriageChange, now: datetime
                    ) -> int:
        """Triage items; a sentiment override goes to every brand's mention on them."""
        existing = self._existing_items(document_ids)
        self._apply(existing, change, now)
        if change.change_sentiment:
            self._override(Mention.document_id, existing, change.sentiment)
        self._rescore(existing, change)
        self.session.flush()
        return len(existing)

    def _rescore(self, document_ids: list[int], change: TriageChange) -> None:
        """A state (needs reply, replied, ignored) or a sentiment override moves priority."""
        if change.state is not None or change.change_sentiment:
            PriorityRepository(self.session).refresh(document_ids)

    def _apply(self, document_ids: list[int], change: TriageChange, now: datetime) -> None:
        decided = decide_state(change, now)
        _check_sentiment(change)
        set_tags = normalise_tags(change.set_tags) if change.set_tags is not None else None
        add, remove = normalise_tags(change.add_tags), normalise_tags(change.remove_tags)
        for start in range(0, len(document_ids), CHUNK):
            chunk = document_ids[start : start + CHUNK]
            if decided is not None:
                self.session.execute(update(Document).where(Document.id.in_(chunk)).values(
                    state=decided[0], snoozed_until=decided[1], state_changed_at=now))
            self._update_tags(chunk, set_tags, add, remove)

    def _override(self, column: Any, ids: list[int], sentiment: str | None) -> None:
        lock_counted_writes(self.session)  # a new label moves counts
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            self.session.execute(update(Mention).where(column.in_(chunk)).values(
                sentiment_override=sentiment))

    def _existing_mentions(self, mention_ids: Sequence[int]) -> list[int]:
        return self._existing(Mention.id, mention_ids)

    def _existing_items(self, document_ids: Sequence[int]) -> list[int]:
        return self._existing(Document.id, document_ids)

    def _existing(self, column: Any, ids: Sequence[int]) -> list[int]:
        found: list[int] = []
        unique = sorted(set(ids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            found += self.session.scalars(select(column).where(column.in_(chunk)))
        return found

    def items_of(self, mention_ids: Sequence[int]) -> dict[int, int]:
        """Mention id → the id of its item (document)."""
        found: dict[int, int] = {}
        unique = sorted(set(mention_ids))
        for start in range(0, len(unique), CHUNK):
            query = select(Mention.id, Mention.document_id).where(
                Mention.id.in_(unique[start : start + CHUNK]))
            found.update({m: d for m, d in self.session.execute(query)})
        return found

    def _update_tags(self, ids: list[int], set_tags: list[str] | None, add: list[str],
                     remove: list[str]) -> None:
        if set_tags is not None:
            self.session.execute(delete(ItemTag).where(ItemTag.document_id.in_(ids)))
            add = set_tags + add
        if remove:
            self.session.execute(delete(ItemTag).where(
                ItemTag.document_id.in_(ids), ItemTag.tag.in_(remove)))
        rows = [{"document_id": i, "tag": t} for i in ids for t in add if t not in remove]
        if rows:
            table = ItemTag.__table__
            self.session.execute(insert_ignoring_conflicts(self.session, table), rows)  # type: ignore[arg-type]
        if add:
            self._check_tag_limit(ids)

    def _check_tag_limit(self, ids: list[int]) -> None:
        tags = self.item_tags_for(ids)
        crowded = [i for i, names in tags.items() if len(names) > MAX_TAGS]
        if crowded:
            raise InvalidInputError(f"item {crowded[0]} would have more than {MAX_TAGS} tags")

    def item_tags_for(self, document_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each item's tags, alphabetically (items without tags are left out)."""
        found: dict[int, list[str]] = {}
        if not document_ids:
            return found
        rows = self.session.connection().execute(_ITEM_TAGS, {"ids": list(document_ids)})
        for document_id, tag in rows.all():
            found.setdefault(document_id, []).append(tag)
        return found

    def tags_for(self, mention_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each mention's tags (its item's), alphabetically; mentions without are left out."""
        items = self.items_of(mention_ids)
        tags = self.item_tags_for(sorted(set(items.values())))
        return {m: tags[d] for m, d in items.items() if d in tags}

    def all_tags(self) -> list[str]:
        query = select(ItemTag.tag).distinct().order_by(ItemTag.tag)
        return list(self.session.scalars(query))

    def add_note(self, mention_id: int, author: str, body: str, now: datetime) -> ItemNote:
        """A note on the mention's item."""
        document_id = self.items_of([mention_id]).get(mention_id)
        if document_id is None:
            raise NotFoundError(f"no mention with id {mention_id}")
        return self.add_item_note(document_id, author, body, now)

    def add_item_note(self, document_id: int, author: str, body: str, now: datetime
                      ) -> ItemNote:
        body = body.strip()
        if not body:
            raise InvalidInputError("a note cannot be empty")
        if self.session.get(Document, document_id) is None:
            raise NotFoundError(f"no item with id {document_id}")
        note = ItemNote(document_id=document_id, author=author, body=body, created_at=now)
        self.session.add(note)
        self.session.flush()
        return note

    def notes_for(self, mention_id: int) -> list[ItemNote]:
        document_id = self.items_of([mention_id]).get(mention_id)
        return self.item_notes_for(document_id) if document_id is not None else []

    def item_notes_for(self, document_id: int) -> list[ItemNote]:
        return list(self.session.scalars(_ITEM_NOTES, {"document_id": document_id}))


# Built once (see mentions._LISTED): the listing and the detail ask for these on every request.
_ITEM_TAGS = prepared(select(ItemTag.document_id, ItemTag.tag).where(
    ItemTag.document_id.in_(bindparam("ids", expanding=True))).order_by(ItemTag.tag))
_ITEM_NOTES = prepared(select(ItemNote).where(
    ItemNote.document_id == bindparam("document_id")).order_by(ItemNote.id))
