# The app is an attribute of an attribute (`--app dotted_attr.py:api.app`), as uvicorn takes it.
import asyncio

from fastapi import FastAPI


class Api:
    app = FastAPI()


api = Api()


@api.app.get("/delay")
async def delay(ms: int = 100):
    await asyncio.sleep(ms / 1000)
    return {"waited_ms": ms}
