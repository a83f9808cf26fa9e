"""``POST /v1/chat/completions``: the conversation's last question answered with verified citations,
whole or as server-sent events in OpenAI's chunk format (sentences arrive as they pass verification)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from ..core.errors import AssistantError
from .service import service
from .conversation import BadConversation, Conversation
from .errors import ApiError, error_body, from_library
from .reply import Gate, capped, chunk, completion, extras, sse
from .requests import ChatRequest

if TYPE_CHECKING:
    from .service import Service
    from .engine import Engine

router = APIRouter()
log = logging.getLogger("assistant.serve")


def _conversation(svc: Service, body: ChatRequest) -> Conversation:
    limits = svc.settings.serve
    if len(body.messages) > limits.max_messages:
        raise ApiError(400, f"more than {limits.max_messages} messages", "too_many_messages", "messages")
    try:
        return Conversation.of(body.messages, limits.max_question_chars)
    except (BadConversation, ValueError) as exc:
        raise ApiError(400, str(exc), "invalid_messages", "messages") from None


@router.post("/v1/chat/completions")
async def chat_completions(body: ChatRequest, request: Request) -> Any:
    svc = service(request)
    engine = svc.ready()
    conversation = _conversation(svc, body)
    filters = engine.filters(body.filters())
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return _streamed(svc, engine, conversation, filters, (ident, body.model, created))
    reply = await svc.run(lambda: engine.ask(conversation, filters))
    text, truncated = capped(reply.answer.answer, svc.settings.serve.max_answer_chars)
    return JSONResponse(completion(ident, body.model, created, text, extras(reply, truncated)))


def _streamed(svc: Service, engine: Engine, conversation: Conversation, filters, head: tuple[str, str, int]):
    """The reply as events; the job is queued before the first byte, so a full queue is still a 429."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()
    cancel = threading.Event()

    def put(item: tuple[str, Any]) -> None:
        loop.call_soon_threadsafe(events.put_nowait, item)

    def work():
        if cancel.is_set():  # the client left while this waited in the queue
            return None
        return engine.ask(conversation, filters, on_token=lambda piece: put(("token", piece)), cancel=cancel)

    future = svc.submit(work)
    future.add_done_callback(lambda _: put(("done", None)))

    async def stream():
        gate = Gate(svc.settings.serve.max_answer_chars)
        try:
            yield chunk(*head, {"role": "assistant", "content": ""})
            while (item := await events.get())[0] == "token":
                if piece := gate.admit(item[1]):
                    yield chunk(*head, {"content": piece})
            reply = future.result()
            text, truncated = capped(reply.answer.answer, svc.settings.serve.max_answer_chars)
            if rest := gate.rest(text):
                yield chunk(*head, {"content": rest})
            yield chunk(*head, {}, "stop", {**extras(reply, truncated), "answer": text})
            yield sse("[DONE]")
        except AssistantError as exc:
            error = from_library(exc)
            yield sse(error_body(error.status, error.message, error.code))
        except Exception:  # noqa: BLE001 - the stream has begun: the error goes in it
            log.exception("streamed answer failed")
            yield sse(error_body(500, "internal error while answering", "internal_error"))
        finally:
            cancel.set()  # a client that went away stops the model

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
