"""What source suggestions are computed from: recent documents with mentions, and pages
search feeds found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention, Source
from monitor.domain.suggestions import Evidence

MAX_DOCUMENTS = 20_000


class SuggestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def evidence_since(self, since: datetime) -> list[Evidence]:
        mentioned = exists().where(Mention.document_id == Document.id)
        rows = self.session.execute(
            select(Document.url, Document.text, Source.kind, Source.options)
            .join(Source, Source.id == Document.source_id)
            .where(Document.discovered_at >= since, mentioned)
            .order_by(Document.discovered_at.desc())
            .limit(MAX_DOCUMENTS)
        )
        return [Evidence(url, text or "", kind == "search" and options.get("engine") == "rss")
                for url, text, kind, options in rows]

    def followed_hosts(self) -> list[str]:
        return list(self.session.scalars(select(Source.host)))
