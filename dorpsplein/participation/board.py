"""The live board as JSON (``GET /api/<slug>/ideas``), fast.

The serialised board is kept per worker and per consultation, keyed on what
can change it: the database (``PRAGMA data_version`` for other processes'
commits, plus this process's own count), the build's participation.json
and whether the consultation is open now. A read is then a dictionary
look-up; an ``If-None-Match`` with the board's ETag gets a 304.
"""

from __future__ import annotations

import hashlib
import json


class BoardCache:
    def __init__(self, store, consultations):
        self.store = store
        self.consultations = consultations
        self._cache: dict[str, tuple[tuple, bytes, str]] = {}

    def get(self, slug: str, now) -> tuple[bytes, str]:
        """(JSON bytes, ETag) of the consultation's board."""
        consultation = self.consultations.get(slug)
        key = (self.store.version(), self.consultations.generation, consultation.is_open(now))
        cached = self._cache.get(slug)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        body = json.dumps(self.board(consultation, now), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        etag = hashlib.sha256(body).hexdigest()[:32]
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[slug] = (key, body, etag)
        return body, etag

    def board(self, consultation, now) -> dict:
        ideas = [{"id": row["id"], "title": row["title"], "text": row["text"],
                  "name": row["name"], "place": row["place"], "supports": row["supports"],
                  "created": row["created"], "url": consultation.idea_page(row["id"])}
                 for row in self.store.board(consultation.slug)]
        return {"consultation": consultation.slug, "phase": consultation.phase,
                "open": consultation.is_open(now),
                "opens": consultation.opens.isoformat(), "closes": consultation.closes.isoformat(),
                "verification": consultation.verification, "supports": consultation.supports,
                "total_supports": sum(idea["supports"] for idea in ideas), "ideas": ideas}
