"""A scripted LLM for unit tests: enqueue replies, read .history."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from coach.llm.protocol import Completion, LLMError, T, Usage, parse_reply


class FakeLLM:
    """Scripted LLM for tests: answers (or raises) what was enqueued, in order; records messages."""

    model = "fake"

    def __init__(self) -> None:
        self.history: list[list[dict[str, str]]] = []
        self._script: deque[BaseModel | dict[str, Any] | str | Exception] = deque()

    def enqueue(self, item: BaseModel | dict[str, Any] | str | Exception) -> None:
        self._script.append(item)

    def complete(
        self, messages: Sequence[Mapping[str, str]], response_model: type[T]
    ) -> Completion[T]:
        self.history.append([dict(m) for m in messages])
        if not self._script:
            raise LLMError("FakeLLM has no reply left: enqueue() one per complete().", kind="off")
        item = self._script.popleft()
        if isinstance(item, Exception):
            raise item
        if isinstance(item, response_model):
            return Completion(item, Usage(), self.model, 1, "json_schema")
        data = item.model_dump() if isinstance(item, BaseModel) else item
        value, problem = parse_reply(data, response_model)
        if value is None:
            msg = f"The LLM reply does not fit {response_model.__name__}: {problem}."
            raise LLMError(msg, kind="malformed", attempts=1)
        return Completion(value, Usage(), self.model, 1, "json_schema")
