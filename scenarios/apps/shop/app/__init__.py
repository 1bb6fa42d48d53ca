# The shop's package: `uvicorn app.main:app` from tests/data/doctor_shop, as its author runs it.
