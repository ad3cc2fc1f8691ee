"""LLM answers cached in the database by their inputs, and the tokens every call used."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Integer, func, select
from sqlalchemy.exc import IntegrityError

from coach.domain.types import UsageTotals
from coach.storage.rows import _Cache, _Usage, now
from coach.storage.workshops import Store


def cache_key(
    task: str, model: str, prompt_version: str, rubric_version: str, payload: object
) -> str:
    """The same input to the same prompt, rubric and model always meets the same answer."""
    blob = json.dumps(
        [task, model, prompt_version, rubric_version, payload], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class LLMStore:
    def __init__(self, store: Store):
        self.store = store

    def get(self, key: str) -> str | None:
        with self.store.transaction() as s:
            return s.scalar(select(_Cache.response).where(_Cache.key == key))

    def put(self, key: str, task: str, model: str, response: str) -> None:
        try:
            with self.store.transaction() as s:
                s.add(_Cache(key=key, task=task, model=model, response=response, created_at=now()))
        except IntegrityError:
            pass  # another session cached the same answer first: keep theirs

    def record(
        self,
        task: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        cached: bool,
        workshop_id: int | None = None,
    ) -> None:
        with self.store.transaction() as s:
            s.add(
                _Usage(
                    workshop_id=workshop_id,
                    task=task,
                    model=model,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                    cached=cached,
                    created_at=now(),
                )
            )

    def totals(self, workshop_id: int | None = None) -> UsageTotals:
        with self.store.transaction() as s:
            q = select(
                func.count(),
                func.sum(_Usage.cached.cast(Integer)),
                func.sum(_Usage.prompt_tokens),
                func.sum(_Usage.completion_tokens),
            )
            if workshop_id is not None:
                q = q.where(_Usage.workshop_id == workshop_id)
            calls, cached, prompt, completion = s.execute(q).one()
            return UsageTotals(
                calls=calls or 0,
                cached=cached or 0,
                prompt_tokens=prompt or 0,
                completion_tokens=completion or 0,
            )
