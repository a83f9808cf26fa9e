"""An OpenAI message list as a conversation: the last user message is the question, the earlier user and
assistant turns are what a follow-up leans on, rewritten to stand alone as the chat REPL does.

System and developer messages are not passed on: the answering rules are the server's, not the client's.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ..chat.follow_ups import condense_fallback, standalone_question
from ..chat.transcript import Turn
from ..chat.worker import Cancelled
from ..llm import ChatModel
from .requests import ChatMessage


class BadConversation(ValueError):
    """The messages do not end with a usable question."""


@dataclass
class _Said:
    """An earlier reply as the follow-up rewrite reads it (``Answer.answer``)."""

    answer: str


@dataclass
class Conversation:
    question: str
    turns: list[Turn]

    @classmethod
    def of(cls, messages: Sequence[ChatMessage], max_question_chars: int) -> Conversation:
        """The question and the earlier turns; a last message that is not a user's question is a bad request."""
        said = [(m.role, " ".join(m.text().split())) for m in messages if m.role in ("user", "assistant")]
        if not said or said[-1][0] != "user" or not said[-1][1]:
            raise BadConversation("the last message must be the user's question")
        question = said[-1][1]
        if len(question) > max_question_chars:
            raise BadConversation(f"the question is longer than {max_question_chars} characters")
        turns: list[Turn] = []
        for role, text in said[:-1]:
            if role == "user" and text:
                turns.append(Turn(question=text))
            elif role == "assistant" and turns and turns[-1].answer is None:
                turns[-1].answer = _Said(text)
        return cls(question, turns)

    def standalone(self, llm: ChatModel | None, outlets: Sequence[str], cancel: threading.Event | None = None) -> str:
        """The question as searched: a follow-up rewritten (by the model when its rewrite is usable).
        Earlier questions are made standalone deterministically, oldest first, so no turn costs a model call
        but the last."""
        previous, answer = None, None
        for turn in self.turns:
            turn.standalone = condense_fallback(previous, turn.question, outlets, answer)
            previous, answer = turn.standalone, turn.answer and turn.answer.answer
        try:
            return standalone_question(self.question, self.turns, llm, outlets, cancel)
        except Cancelled:
            return self.question
