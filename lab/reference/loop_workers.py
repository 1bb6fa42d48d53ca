"""gunicorn's uvicorn workers on a named event loop.

uvicorn.workers.UvicornWorker picks its loop by what is installed ("auto": uvloop if it can be
imported), so a machine with python3-uvloop would run every gunicorn twin on uvloop unasked. The
lab names the loop instead, as `uvicorn --loop` does for a single process:

    gunicorn --worker-class loop_workers.AsyncioWorker ...   (the stdlib's asyncio)
    gunicorn --worker-class loop_workers.UvloopWorker ...    (uvloop)
"""
from uvicorn.workers import UvicornWorker


class AsyncioWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "loop": "asyncio"}


class UvloopWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "loop": "uvloop"}
