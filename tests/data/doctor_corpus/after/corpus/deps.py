"""The corpus's dependencies: who is asking, from a header token."""
from fastapi import Header, HTTPException

from .work import check_password


def current_user(x_token: str = Header()):  # "make the dependency `current_user` a `def`"
    """Checks the caller's token: a password hash, now on the thread pool (hashlib lets go of the GIL)."""
    if not check_password(x_token):
        raise HTTPException(status_code=401)
    return {"name": "ada"}
