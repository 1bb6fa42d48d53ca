# Exercise requests-in-async: a route that calls a partner service with `requests`.
# The lab gives the partner's address as DOWNSTREAM_URL. Grade it: lab exercise check requests-in-async .
import os

import requests
from fastapi import FastAPI

app = FastAPI()
PARTNER = os.environ.get("DOWNSTREAM_URL", "http://127.0.0.1:8001")


@app.get("{path}")
async def weather():
    answer = requests.get(f"{PARTNER}/delay", params={"ms": {d_ms}}, timeout=30)  # the partner takes {d_ms} ms
    return {"partner_status": answer.status_code}
