# The documents' database code (000: `db: AsyncSession = Depends(get_db)`, `await db.get(User,
# user_id)`; 004: SQLAlchemy's async ORM) as the reference apps' /db: SQLAlchemy 1.4's Session over
# psycopg2, inside `async def` (it blocks the loop) or a `def` route (a pool thread waits), and its
# AsyncSession over asyncpg (the request awaits). The pool is SQLAlchemy's own QueuePool, sized as
# SQLAlchemy sizes it: pool_size connections kept, up to max_overflow more opened for a burst and
# closed again when they come back.
from urllib.parse import urlsplit, urlunsplit

from fastapi import Depends
from sqlalchemy import BigInteger, Column, Text, create_engine, event, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from starlette.exceptions import HTTPException

from apps import DATABASE_URL, DB_POOL, DB_POOL_KEPT, SLEEP_SQL, make_app, milliseconds, no_database, queried
from apps import awaiting_delay, blocking_delay, cpu_def_route, cpu_on_loop, threaded_delay
from limiters import count_connections
from stamps import Served

# P connections at most, of which the scenario's db_pool_kept are kept (pool_size) and the others
# opened for a burst and closed after it (max_overflow): db-pool's row of SQLAlchemy's pool as it
# comes keeps 5 of 15, as create_engine's defaults do. A row that names none keeps all P, as the
# asyncpg twins' pool does (min_size = P), so it compares drivers, not the price of opening
# connections in the middle of a batch.
POOL_SIZE = DB_POOL_KEPT
MAX_OVERFLOW = DB_POOL - POOL_SIZE

# `text()` reads `:d` as a bound parameter only when no `:` follows it, hence the CAST.
SLEEP = text(SLEEP_SQL.format(d="CAST(:d AS float8)"))
SEEDED = 1000  # ids 1..SEEDED in each table, as `lab serve`'s users table (lab/drivers/postgres.hpp)

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(BigInteger, primary_key=True)
    name = Column(Text, nullable=False)


class Product(Base):
    __tablename__ = "products"
    id = Column(BigInteger, primary_key=True)
    name = Column(Text, nullable=False)


def with_driver(url, driver):
    """postgresql://lab@/postgres?host=FOLDER as SQLAlchemy names it for a driver. The unix
    socket's folder stays a query parameter (`host`), which both dialects hand to their driver."""
    parts = urlsplit(url)
    return urlunsplit((f"postgresql+{driver}",) + tuple(parts[1:]))


def fill_tables(dbapi_connection, record):
    """Each new connection fills TEMPORARY users and products tables, which vanish with it: a
    database the lab is pointed at keeps nothing of the lab's."""
    cursor = dbapi_connection.cursor()
    for table in ("users", "products"):
        cursor.execute(f"CREATE TEMPORARY TABLE {table} (id bigint PRIMARY KEY, name text NOT NULL)")
        cursor.execute(f"INSERT INTO {table} SELECT g, '{table[:-1]} ' || g FROM generate_series(1, {SEEDED}) AS g")
    cursor.close()
    dbapi_connection.commit()


def engines():
    """The sync engine (psycopg2) and the async one (asyncpg), made lazily: neither connects
    before its first query."""
    sync = create_engine(with_driver(DATABASE_URL, "psycopg2"), pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
    asynchronous = create_async_engine(with_driver(DATABASE_URL, "asyncpg"), pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
    event.listen(sync, "connect", fill_tables)
    event.listen(asynchronous.sync_engine, "connect", fill_tables)
    count_connections(sync.pool)  # (GET /stats: connections_opened, the overflow's among them)
    count_connections(asynchronous.sync_engine.pool)
    return sessionmaker(sync), sessionmaker(asynchronous, class_=AsyncSession, expire_on_commit=False)


SessionLocal, AsyncSessionLocal = engines() if DATABASE_URL else (None, None)


def get_session():
    if SessionLocal is None:
        no_database()
    with SessionLocal() as session:
        yield session


async def get_db():  # the documents' dependency, as 000 writes it
    if AsyncSessionLocal is None:
        no_database()
    async with AsyncSessionLocal() as session:
        yield session


# ---- /db?ms=d: PostgreSQL sleeps d inside a session; the one line that differs is marked ----

# `async def` + Session: psycopg2 waits for PostgreSQL on the loop's only thread: N·d.
async def session_in_async_def(ms: int = Depends(milliseconds), db: Session = Depends(get_session)):
    with Served() as served:
        row = db.execute(SLEEP, {"d": ms * 1000}).one()  # <-- blocks the loop
    return queried(served, ms, row)


# `def` + Session: FastAPI runs the route on a pool thread; only that thread waits.
def session_in_def(ms: int = Depends(milliseconds), db: Session = Depends(get_session)):
    with Served() as served:
        row = db.execute(SLEEP, {"d": ms * 1000}).one()  # <-- blocks one pool thread
    return queried(served, ms, row)


# `async def` + AsyncSession over asyncpg: the request awaits, the loop serves the others.
async def async_session(ms: int = Depends(milliseconds), db: AsyncSession = Depends(get_db)):
    with Served() as served:
        row = (await db.execute(SLEEP, {"d": ms * 1000})).one()  # <-- suspends
    return queried(served, ms, row)


# ---- the documents' routes (000 §3): a row by its primary key, the session waiting as /db's does ----

async def lookup_ms(ms: str = "0"):
    """?ms=d: PostgreSQL sleeps d first in the same session, standing for a query that takes the
    database d; without it the lookup alone, as 000 writes it."""
    return await milliseconds(ms)


def looked_up(served, ms, kind, found):
    if found is None:
        raise HTTPException(404, f"no {kind} with that id")
    return served.reply(f"{kind} {found.id}", id=found.id, name=found.name, slept_ms=ms)


def lookup_route(model, kind, how):
    """GET /{kind}s/{id} for `how` the variant waits: awaiting (AsyncSession, 000's own line),
    threaded (Session in a `def` route) or blocking (the same Session inside `async def`)."""
    async def awaited(item_id: int, ms: int = Depends(lookup_ms), db: AsyncSession = Depends(get_db)):
        with Served() as served:
            if ms:
                await db.execute(SLEEP, {"d": ms * 1000})
            found = await db.get(model, item_id)  # <-- yields control here (000)
        return looked_up(served, ms, kind, found)

    def waited(item_id: int, ms: int = Depends(lookup_ms), db: Session = Depends(get_session)):
        with Served() as served:
            if ms:
                db.execute(SLEEP, {"d": ms * 1000})
            found = db.get(model, item_id)  # <-- this thread waits for PostgreSQL
        return looked_up(served, ms, kind, found)

    async def waited_on_loop(item_id: int, ms: int = Depends(lookup_ms), db: Session = Depends(get_session)):
        return waited(item_id, ms, db)  # <-- the loop's own thread waits
    return {"awaiting": awaited, "threaded": waited, "blocking": waited_on_loop}[how]


async def open_kept_connections():
    """At start-up, the pool's kept connections opened at once (each with its tables filled), as
    asyncpg.create_pool(min_size=P) opens its own: a burst then finds them waiting."""
    if AsyncSessionLocal is None:
        return
    engine = AsyncSessionLocal.kw["bind"]
    opened = [await engine.connect() for _ in range(POOL_SIZE)]
    for connection in opened:
        await connection.close()  # (back to the pool, which keeps pool_size of them)
    engine = SessionLocal.kw["bind"]  # the sync engine's too (a `def` row takes P at once)
    opened = [engine.connect() for _ in range(POOL_SIZE)]
    for connection in opened:
        connection.close()


def sqlalchemy_app(how, delay, cpu, db):
    app = make_app(f"sqlalchemy_{how}", delay, cpu, db)
    app.on_event("startup")(open_kept_connections)
    if SessionLocal is not None:  # the pool /db's session takes its connection from (apps.limits)
        app.state.db_pool = (AsyncSessionLocal if how == "awaiting" else SessionLocal).kw["bind"].pool
    app.get("/users/{item_id}")(lookup_route(User, "user", how))
    app.get("/products/{item_id}")(lookup_route(Product, "product", how))
    return app


blocking = sqlalchemy_app("blocking", blocking_delay, cpu_on_loop, session_in_async_def)
awaiting = sqlalchemy_app("awaiting", awaiting_delay, cpu_on_loop, async_session)
threaded = sqlalchemy_app("threaded", threaded_delay, cpu_def_route, session_in_def)
