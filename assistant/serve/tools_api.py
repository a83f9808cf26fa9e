"""The other routes: ``/healthz`` (no key), ``/v1/models``, ``/v1/briefs`` (topic and filters -> the JSON
note, or its HTML page), ``/v1/verify`` (claims and evidence -> the verifier's verdicts) and
``/v1/articles/{id}`` (an article with a cited passage's span, for the web page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .service import service
from .errors import ApiError
from .reply import MODEL_ID
from .requests import BriefRequest, VerifyRequest

public = APIRouter()
router = APIRouter()
STARTED = 1764547200  # the "created" date /v1/models reports (2025-12-01)


@public.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    svc = service(request)
    body: dict[str, Any] = {"status": svc.status, "busy": svc.pool.admitted, "capacity": svc.pool.capacity}
    if svc.engine is not None:
        body["llm"] = svc.engine.llm_name
    return JSONResponse(body, 200 if svc.status == "ready" else 503)


@router.get("/v1/models")
async def models(request: Request) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": STARTED,
                                        "owned_by": "news-assistant"}]}


@router.post("/v1/briefs")
async def briefs(body: BriefRequest, request: Request) -> Any:
    from ..brief.render import brief_to_html, brief_to_json

    svc = service(request)
    engine = svc.ready()
    limits = svc.settings.serve
    if len(body.topic) > limits.max_question_chars:
        raise ApiError(400, f"the topic is longer than {limits.max_question_chars} characters", "invalid_input", "topic")
    if body.articles > limits.max_brief_articles:
        raise ApiError(400, f"at most {limits.max_brief_articles} articles per brief", "invalid_input", "articles")
    filters = engine.filters(body)
    brief = await svc.run(lambda: engine.brief(body.topic, filters, body.articles))
    if body.format == "html":
        return HTMLResponse(brief_to_html(brief))
    return JSONResponse(brief_to_json(brief))


@router.post("/v1/verify")
async def verify(body: VerifyRequest, request: Request) -> dict[str, Any]:
    svc = service(request)
    engine = svc.ready()
    if len(body.claims) > svc.settings.serve.max_claims:
        raise ApiError(400, f"at most {svc.settings.serve.max_claims} claims per request", "invalid_input", "claims")
    claims = [(c.sentence, c.evidence) for c in body.claims]
    verdicts = await svc.run(lambda: engine.verify(claims))
    return {"verdicts": [{"sentence": sentence, "supported": v.supported, "reasons": list(v.reasons),
                          "similarity": v.similarity} for (sentence, _), v in zip(claims, verdicts)]}


@router.get("/v1/articles/{article_id}")
async def article(article_id: str, request: Request, chunk_id: str | None = None) -> dict[str, Any]:
    svc = service(request)
    engine = svc.ready()
    found = await svc.run(lambda: engine.article(article_id, chunk_id))
    if found is None:
        raise ApiError(404, f"no article {article_id!r} in the index", "not_found")
    return found


@router.get("/v1/outlets")
async def outlets(request: Request) -> dict[str, Any]:
    """The outlets in the index, for a filter's choices."""
    return {"outlets": list(service(request).ready().retriever.sources)}
