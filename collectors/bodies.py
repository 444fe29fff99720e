"""Read a response body under a hard cap on its *decoded* size.

We inflate gzip/deflate ourselves, asking zlib for at most the room left under the cap,
so a compression bomb is refused after producing at most ``max_bytes`` of output; letting
the HTTP library inflate would hand back each network chunk fully inflated (a 64 KiB chunk
of deflate can become 64 MiB) before we get to count it.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from collectors.errors import FetchError, ResponseTooLarge

ACCEPT_ENCODING = "gzip, deflate"


class BoundedDecoder:
    """Decodes one Content-Encoding, raising ResponseTooLarge past ``max_bytes`` of output."""

    def __init__(self, url: str, encoding: str, max_bytes: int) -> None:
        self._url = url
        self._room = max_bytes
        self._max_bytes = max_bytes
        self._zlib = _decompressor(url, encoding)
        self._raw_deflate = encoding == "deflate"

    def feed(self, data: bytes) -> bytes:
        out = self._inflate(data) if self._zlib is not None else data
        self._take(len(out))
        return out

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        out = self._zlib.flush()
        self._take(len(out))
        return out

    def _inflate(self, data: bytes) -> bytes:
        assert self._zlib is not None
        try:
            out = self._zlib.decompress(data, self._room + 1)
        except zlib.error as exc:
            if not self._raw_deflate:
                raise FetchError(self._url, f"corrupt compressed body ({exc})") from exc
            # Some servers send raw deflate without the zlib header the RFC asks for.
            self._zlib, self._raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
            return self._inflate(data)
        self._raw_deflate = False
        if self._zlib.unconsumed_tail:
            self._take(self._room + 1)
        return out

    def _take(self, size: int) -> None:
        self._room -= size
        if self._room < 0:
            raise ResponseTooLarge(
                self._url, f"decoded body is larger than the {self._max_bytes:,}-byte limit"
            )


def _decompressor(url: str, encoding: str) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError(url, f"unsupported Content-Encoding {encoding!r} (we accept gzip, deflate)")


async def read_capped(
    chunks: AsyncIterator[bytes], url: str, encoding: str, max_bytes: int
) -> bytes:
    """Join raw (still encoded) ``chunks`` into the decoded body, refusing oversized ones."""
    decoder = BoundedDecoder(url, encoding.strip().lower(), max_bytes)
    parts = [decoder.feed(chunk) async for chunk in chunks]
    parts.append(decoder.flush())
    return b"".join(parts)
