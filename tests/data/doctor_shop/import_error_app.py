# Imports a package that is not installed: the lab shows the traceback's last lines from this file.
from fastapi import FastAPI

import shop_payments_sdk  # noqa: F401  (not installed)

app = FastAPI()
