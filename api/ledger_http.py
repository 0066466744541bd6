"""GET /ledger/public-key: the registry's Ed25519 public key (base64), for auditors who check
digests, exports and inclusion proofs offline (docs/audit.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from registry.signing import registry_public_key

router = APIRouter()


@router.get("/ledger/public-key")
async def public_key(request: Request) -> Response:
    """The public key as one line of base64 (raw 32 bytes), or 404 before a key exists."""
    registry = request.app.state.registry

    def read() -> str | None:
        return registry_public_key(registry.settings, registry.chain.latest_checkpoint())

    key = await run_in_threadpool(read)
    if key is None:
        return JSONResponse(
            {"errors": [{"message": "no signing key yet: run `registry digest` first"}]},
            status_code=404,
        )
    return PlainTextResponse(key + "\n")
