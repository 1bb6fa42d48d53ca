"""The catalogue's routes, as a router of their own."""
import httpx
from fastapi import APIRouter

router = APIRouter()
# "make one client at start-up and reuse it in `rates`": one per provider, made as the app starts.
ECB = httpx.AsyncClient(base_url="https://ecb.invalid")
FED = httpx.AsyncClient(base_url="https://fed.invalid")


@router.get("/rates")
async def rates():
    return {"providers": [ECB.base_url.host, FED.base_url.host]}
