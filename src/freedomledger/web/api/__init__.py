"""The JSON API under /api (OpenAPI at /openapi.json). Authentication: a session cookie (with
an X-CSRF-Token header on writes) or `Authorization: Bearer <token>`."""

from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer

from freedomledger.web.api import admin, read, search, write

# Declares the bearer scheme in the OpenAPI document; access.Guard does the checking.
bearer = HTTPBearer(auto_error=False, description="An API token from `freedomledger user token NAME`.")
router = APIRouter(prefix="/api", dependencies=[Depends(bearer)])
router.include_router(read.router)
router.include_router(search.router)
router.include_router(write.router)
router.include_router(admin.router)
