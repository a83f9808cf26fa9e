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
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..core.errors import AssistantError
from .service import service
from .conversation import BadConversation, Conversation
from .errors import ApiError, error_body, from_library
from .reply import Gate, Limit, capped, chunk, completion, extras, finish, sse
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
    limit = Limit(svc.settings.serve.max_answer_chars, body.token_limit())
    cancel = threading.Event()
    if body.stream:
        return _streamed(svc, engine, (conversation, filters, limit, cancel), (ident, body.model, created))

    def work():
        if cancel.is_set():  # the client left while this waited in the queue
            return None
        reply = engine.ask(conversation, filters, cancel=cancel, max_tokens=limit.max_tokens)
        return reply, capped(reply.answer.answer, limit)

    future = svc.submit(work)
    if not await _finished_before_disconnect(request, future):
        cancel.set()  # the model stops at its next token; a job still waiting never starts
        future.cancel()
        log.info("client disconnected: answer cancelled")
        return Response(status_code=499)
    reply, (text, truncated) = future.result()
    return JSONResponse(completion(ident, body.model, created, text, extras(reply, truncated)))


async def _finished_before_disconnect(request: Request, future) -> bool:
    """Wait for ``future``; False as soon as the client closes the connection (uvicorn's ``receive``
    returns ``http.disconnect`` once the body has been read)."""
    done = asyncio.ensure_future(asyncio.wrap_future(future))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({done, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if done.done():
        return True
    done.cancel()
    return False


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _streamed(svc: Service, engine: Engine, job: tuple, head: tuple[str, str, int]):
    """The reply as events; the job is queued before the first byte, so a full queue is still a 429.
    ``job``: (conversation, filters, limit, cancel)."""
    conversation, filters, limit, cancel = job
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()
    gate = Gate(limit)

    def put(item: tuple[str, Any]) -> None:
        loop.call_soon_threadsafe(events.put_nowait, item)

    def streamed(piece: str) -> None:
        if admitted := gate.admit(piece):  # counted here, on the worker, not on the event loop
            put(("token", admitted))

    def work():
        if cancel.is_set():  # the client left while this waited in the queue
            return None
        reply = engine.ask(conversation, filters, on_token=streamed, cancel=cancel, max_tokens=limit.max_tokens)
        return reply, capped(reply.answer.answer, limit)

    future = svc.submit(work)
    future.add_done_callback(lambda _: put(("done", None)))

    async def stream():
        try:
            yield chunk(*head, {"role": "assistant", "content": ""})
            while (item := await events.get())[0] == "token":
                yield chunk(*head, {"content": item[1]})
            reply, (text, truncated) = future.result()
            if rest := gate.rest(text):
                yield chunk(*head, {"content": rest})
            yield chunk(*head, {}, finish(truncated), {**extras(reply, truncated), "answer": text})
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
