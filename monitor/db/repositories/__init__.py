"""One repository per aggregate. Repositories flush; the unit of work commits."""

from monitor.db.repositories.api_keys import ApiKeyRepository
from monitor.db.repositories.brands import BrandRepository
from monitor.db.repositories.documents import DocumentRepository
from monitor.db.repositories.mentions import MentionRepository
from monitor.db.repositories.sources import SourceRepository
from monitor.db.repositories.threads import ThreadRepository

__all__ = [
    "ApiKeyRepository",
    "BrandRepository",
    "DocumentRepository",
    "MentionRepository",
    "SourceRepository",
    "ThreadRepository",
]
