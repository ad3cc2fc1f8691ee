"""One happy-path call against the real configured endpoint; off unless COACH_LIVE_LLM=1."""

from __future__ import annotations

import os

import pytest
from pydantic import BaseModel

from coach.llm.openai_chat import OpenAIChat
from coach.llm.protocol import LLMSettings

# Read at import: the autouse fixture in tests/conftest.py clears the LLM variables per test.
LIVE_ENV = dict(os.environ)

pytestmark = pytest.mark.skipif(
    LIVE_ENV.get("COACH_LIVE_LLM") != "1",
    reason="live LLM test: set COACH_LIVE_LLM=1 and OPENAI_API_KEY (or OPENAI_BASE_URL) to run it",
)


class Answer(BaseModel):
    answer: int


def test_live_endpoint_answers_a_structured_question() -> None:
    settings = LLMSettings.from_env(LIVE_ENV)
    if not settings.enabled:
        pytest.fail("COACH_LIVE_LLM=1 but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set.")
    llm = OpenAIChat(settings)
    print(llm.ping())
    done = llm.complete(
        [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "What is 2 + 3? Put the number in `answer`."},
        ],
        Answer,
    )
    assert done.value.answer == 5
    assert done.attempts >= 1
