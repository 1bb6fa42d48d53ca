"""The corpus's dependencies: who is asking, from a header token."""
from fastapi import Header, HTTPException

from .work import check_password


async def current_user(x_token: str = Header()):
    """Checks the caller's token: a password hash, computed on the loop."""
    if not check_password(x_token):
        raise HTTPException(status_code=401)
    return {"name": "ada"}
