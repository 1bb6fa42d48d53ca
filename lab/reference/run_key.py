"""Control and figures belong to the run that made them (lab/run_key.hpp): a server the lab started
has the run's key in LAB_RUN_KEY, and answers its figures and controls (GET /stats, the probe's
/__lab/...) only to a request whose X-Lab-Key header carries it; to anyone else, 403. Started by
hand, a server has no key and answers anyone, as one a learner curls should."""
import hmac
import os

KEY = os.environ.get("LAB_RUN_KEY", "").encode()
REFUSED = {"error": "this answers the run that started the server: send its key (X-Lab-Key)", "status": 403}


def may_control(sent):
    """Whether a request whose X-Lab-Key is `sent` (bytes; None when absent) may have them."""
    return not KEY or hmac.compare_digest(sent or b"", KEY)


def asgi_key(scope):
    """The X-Lab-Key an ASGI request sent (None when it sent none)."""
    return next((value for name, value in scope.get("headers", ()) if name == b"x-lab-key"), None)
