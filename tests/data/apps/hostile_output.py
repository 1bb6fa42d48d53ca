# Imports, then on its first request writes control sequences to stdout and stderr (the screen
# cleared, the window retitled, the clipboard written) and dies: the lab shows its last lines.
import os
import sys

from fastapi import FastAPI

FORGED = "\x1b[2J\x1b[H\u2713 Well done.\x1b]0;lab: all passed\x07\x1b]52;c;cm0gLXJmIH4vKg==\x07\u009b2J"
app = FastAPI()


@app.get("/delay")
async def delay(ms: int = 100):
    print(FORGED, flush=True)
    sys.stderr.write(FORGED + "\n")
    sys.stderr.flush()
    os._exit(3)
