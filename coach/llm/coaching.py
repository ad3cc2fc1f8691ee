"""Optional LLM coaching: a second opinion, rewrites, merged candidates and revisions.

The rubric stays the always-on coach. Every LLM suggestion is rubric-scored before anyone
sees it; answers are cached in the database by their inputs; any failure leaves the
rubric result and the person's text untouched and is reported in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, create_model

from coach.domain import themes as themes_mod
from coach.domain.types import UsageTotals
from coach.errors import CoachError
from coach.llm.prompts import as_data, criteria_block, load_prompt, render
from coach.llm.protocol import LLM, LLMError, LLMSettings, Usage
from coach.scoring.rubric import load_rubric
from coach.scoring.scorer import ScoreResult, score_text
from coach.storage.llm_cache import LLMStore, cache_key

T = TypeVar("T", bound=BaseModel)
DISAGREE_POINTS = 50  # an LLM 1–5 mapped to 0–100 this far from the rubric is worth a note
MAX_PARALLEL = 8


class Opinion(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


class MergedItem(BaseModel):
    text: str
    draws_on: list[int]


class MergeReply(BaseModel):
    candidates: list[MergedItem]


class CitedSentence(BaseModel):
    text: str = Field(min_length=1, max_length=600)
    cites: list[int] = Field(min_length=1, max_length=20)


def draft_model(inputs: int, most: int) -> type[BaseModel]:
    """The reply to a draft request: each sentence cites inputs that exist (1..inputs). A
    citation out of range is a validation error, fed back to the model on its one re-ask."""

    def cites_exist(sentences: list[CitedSentence]) -> list[CitedSentence]:
        for n, s in enumerate(sentences, 1):
            bad = [c for c in s.cites if not 1 <= c <= inputs]
            if bad:
                raise ValueError(
                    f"sentence {n} cites {bad}, but the inputs are numbered 1 to {inputs}: "
                    "cite only those"
                )
        return sentences

    return create_model(
        "StepDraft",
        sentences=(
            Annotated[list[CitedSentence], AfterValidator(cites_exist)],
            Field(min_length=1, max_length=most),
        ),
    )


@dataclass(frozen=True)
class Drafted:
    """An LLM draft, sentence by sentence, each with the inputs it cites (0-based)."""

    sentences: tuple[tuple[str, tuple[int, ...]], ...]
    dropped: int  # sentences left out: they share no content word with what they cite
    model: str
    cached: bool


class RewriteReply(BaseModel):
    text: str
    why: str


def feedback_model(rubric_name: str = "mission") -> type[BaseModel]:
    """One opinion per rubric criterion, and 2–3 rewrites: follows the rubric file."""
    fields: dict[str, Any] = {c.name: (Opinion, ...) for c in load_rubric(rubric_name).criteria}
    fields["rewrites"] = (list[str], Field(min_length=2, max_length=3))
    return create_model("DraftFeedback", **fields)


@dataclass(frozen=True)
class LLMScore:
    criterion: str
    label: str
    score: int  # 1–5
    reason: str
    rubric: int  # 0–100

    @property
    def disagrees(self) -> bool:
        return abs((self.score - 1) * 25 - self.rubric) >= DISAGREE_POINTS


@dataclass(frozen=True)
class Suggestion:
    text: str
    result: ScoreResult
    why: str = ""


@dataclass(frozen=True)
class Feedback:
    scores: tuple[LLMScore, ...]
    rewrites: tuple[Suggestion, ...]
    model: str
    cached: bool

    @property
    def disagreements(self) -> list[str]:
        return [
            f"{s.label}: the LLM gives {s.score}/5, the rubric {s.rubric}/100"
            for s in self.scores
            if s.disagrees
        ]

    def as_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "cached": self.cached,
            "criteria": {s.criterion: {"score": s.score, "reason": s.reason} for s in self.scores},
            "rewrites": [_suggestion_json(r) for r in self.rewrites],
            "disagreements": self.disagreements,
        }


def _suggestion_json(s: Suggestion) -> dict[str, object]:
    return {
        "text": s.text,
        "why": s.why,
        "overall": s.result.overall,
        "criteria": {k: c.score for k, c in s.result.criteria.items()},
    }


class Coach:
    """The LLM tasks, each behind the database cache; `llm` is None when the LLM is off."""

    def __init__(self, llm: LLM | None, cache: LLMStore, settings: LLMSettings):
        self.llm = llm
        self.cache = cache
        self.settings = settings
        self.last_error: str | None = None

    @property
    def enabled(self) -> bool:
        return self.llm is not None

    def status(self) -> str:
        if self.llm is None:
            return self.settings.describe()
        if self.last_error:
            return f"failing: {self.last_error}"
        return self.settings.describe()

    def usage(self, workshop_id: int | None = None) -> UsageTotals:
        return self.cache.totals(workshop_id)

    # -- tasks ---------------------------------------------------------------
    def feedback(self, text: str, *, workshop_id: int | None = None) -> Feedback:
        rubric = load_rubric("mission")
        model = feedback_model("mission")
        reply, cached = self._ask(
            "feedback",
            model,
            {"draft": text},
            workshop_id,
            criteria=criteria_block(rubric),
            rewrites="2 or 3",
            draft=as_data(text),
        )
        result = score_text(text, "mission")
        scores = tuple(
            LLMScore(
                c.name,
                c.label,
                getattr(reply, c.name).score,
                getattr(reply, c.name).reason,
                result.criteria[c.name].score,
            )
            for c in rubric.criteria
        )
        rewrites = tuple(_scored(r) for r in dict.fromkeys(reply.rewrites))  # type: ignore[attr-defined]
        return Feedback(scores, tuple(r for r in rewrites if r is not None), self._model(), cached)

    def feedback_many(
        self, texts: Sequence[str], *, workshop_id: int | None = None
    ) -> dict[str, Feedback | LLMError]:
        """All drafts at once through a bounded pool: about one round-trip, not one each."""
        unique = list(dict.fromkeys(texts))

        def one(text: str) -> Feedback | LLMError:
            try:
                return self.feedback(text, workshop_id=workshop_id)
            except LLMError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(unique)))) as pool:
            return dict(zip(unique, pool.map(one, unique), strict=True))

    def merge(
        self,
        drafts: Sequence[str],
        found: Sequence[themes_mod.Theme],
        *,
        k: int = 4,
        workshop_id: int | None = None,
    ) -> list[tuple[Suggestion, themes_mod.Coverage, tuple[int, ...]]]:
        """k merged candidates, each rubric-scored and theme-checked."""
        labels = [t.label for t in found]
        reply, _ = self._ask(
            "merge",
            MergeReply,
            {"drafts": list(drafts), "themes": labels, "k": k},
            workshop_id,
            criteria=criteria_block(load_rubric("mission")),
            k=k,
            themes=as_data(labels),
            drafts=as_data(list(drafts)),
        )
        out = []
        for item in reply.candidates[:k]:
            scored = _scored(item.text)
            if scored is not None:
                sources = tuple(sorted({i for i in item.draws_on if 0 <= i < len(drafts)}))
                out.append((scored, themes_mod.coverage(item.text, found), sources))
        return out

    def draft(
        self,
        inputs: Sequence[str],
        *,
        what: str,
        guidance: str,
        most: int,
        workshop_id: int | None = None,
    ) -> Drafted:
        """A first draft of a step's result from the team's inputs. Every sentence cites the
        inputs it came from; the citations are checked before anyone sees the draft: one
        out of range gets the model one re-ask, and a sentence that shares no content word
        with its cited inputs is left out."""
        if not inputs:
            raise CoachError("There is nothing to draft from yet: reveal the team's items.")
        model = draft_model(len(inputs), most)
        reply, cached = self._ask(
            "draft",
            model,
            {"inputs": list(inputs), "what": what, "most": most},
            workshop_id,
            guidance=guidance,
            what=what,
            most=most,
            inputs=as_data(list(inputs)),
        )
        kept: list[tuple[str, tuple[int, ...]]] = []
        sentences: list[CitedSentence] = reply.sentences  # type: ignore[attr-defined]
        for s in sentences:
            cited = tuple(sorted({c - 1 for c in s.cites}))
            text = " ".join(s.text.split())
            if text and themes_mod.supported(text, [inputs[i] for i in cited]):
                kept.append((text, cited))
        return Drafted(tuple(kept), len(sentences) - len(kept), self._model(), cached)

    def revise(
        self, candidate: str, concerns: Sequence[str], *, workshop_id: int | None = None
    ) -> Suggestion | None:
        reply, _ = self._ask(
            "revise",
            RewriteReply,
            {"candidate": candidate, "concerns": list(concerns)},
            workshop_id,
            criteria=criteria_block(load_rubric("mission")),
            candidate=as_data(candidate),
            concerns=as_data(list(concerns)),
        )
        return _scored(reply.text, reply.why)

    def rewrite_commitment(
        self, text: str, mission: str = "", *, workshop_id: int | None = None
    ) -> Suggestion | None:
        reply, _ = self._ask(
            "commitment",
            RewriteReply,
            {"commitment": text, "mission": mission},
            workshop_id,
            rubric="commitment",
            criteria=criteria_block(load_rubric("commitment")),
            commitment=as_data(text),
            mission=as_data(mission),
        )
        return _scored(reply.text, reply.why, rubric="commitment", mission=mission)

    # -- the one way every task talks to the LLM --------------------------------
    def _ask(
        self,
        task: str,
        model: type[T],
        payload: object,
        workshop_id: int | None,
        rubric: str = "mission",
        **values: object,
    ) -> tuple[T, bool]:
        if self.llm is None:
            raise LLMError(self.settings.describe(), kind="off", attempts=0)
        prompt = load_prompt(task)
        key = cache_key(task, self.llm.model, prompt.version, load_rubric(rubric).digest, payload)
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.record(task, self.llm.model, 0, 0, cached=True, workshop_id=workshop_id)
            return model.model_validate_json(hit), True
        try:
            done = self.llm.complete(render(prompt, **values), model)
        except LLMError as exc:
            self.last_error = str(exc)
            raise
        self.last_error = None
        self.cache.put(key, task, done.model, done.value.model_dump_json())
        self._record(task, done.model, done.usage, workshop_id)
        return done.value, False

    def _record(self, task: str, model: str, usage: Usage, workshop_id: int | None) -> None:
        self.cache.record(
            task,
            model,
            usage.prompt_tokens,
            usage.completion_tokens,
            cached=False,
            workshop_id=workshop_id,
        )

    def _model(self) -> str:
        return self.llm.model if self.llm else ""


def _scored(
    text: str, why: str = "", *, rubric: str = "mission", mission: str = ""
) -> Suggestion | None:
    """A suggestion with its rubric scores; one the rubric cannot score is dropped."""
    text = " ".join(text.split())
    try:
        return Suggestion(text, score_text(text, rubric, mission or None), why)
    except CoachError:
        return None
