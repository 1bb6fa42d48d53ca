"""The catalogue's routes, as a router of their own."""
import httpx
from fastapi import APIRouter

router = APIRouter()


@router.get("/rates")
async def rates():
    # Two providers, a client each, made for every request.
    async with httpx.AsyncClient(base_url="https://ecb.invalid") as ecb, \
            httpx.AsyncClient(base_url="https://fed.invalid") as fed:
        return {"providers": [ecb.base_url.host, fed.base_url.host]}
