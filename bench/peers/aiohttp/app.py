"""The asyncio peer of bench/: loom-service's routes on aiohttp, written the way the aiohttp tutorials write them.

    python3 app.py --port 38001            # the default asyncio event loop
    python3 app.py --port 38002 --uvloop   # the same app on uvloop
    python3 app.py --port 38001 --db postgresql://bench@127.0.0.1:5432/bench --db-pool 10

Routes and answers match loom-service (see its README): GET /, /greet/{name}, /{name}, /io?ms=N, /fanout?n=K&ms=M,
/cpu?work=N, POST /posts, GET /posts/{id}. Bad query parameters are 400 problem+json. CPU work goes to a thread
with asyncio.to_thread, as the asyncio documentation advises for blocking calls (the GIL still serialises it).
Posts are kept in memory (the last 10,000), or with --db in PostgreSQL through an asyncpg pool of --db-pool
connections, in loom-service's table: the row holds the fields re-serialised as compact JSON (key order kept),
and the answers are {"id":N, then those fields: byte for byte what loom-service answers.
"""
import argparse
import asyncio
import collections
import hashlib
import itertools
import json
import time

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

MAX_MS = 60_000
MAX_WORK = 10_000_000
MAX_CALLS = 100
MAX_POSTS = 10_000
MAX_BODY = 65_536
CALL_TIMEOUT_S = 5.0
TEXT = "text/plain"


def problem(request, status, detail):
    body = {"type": "about:blank", "title": _REASONS.get(status, ""), "status": status, "detail": detail,
            "instance": request.path}
    return web.Response(status=status, text=json.dumps(body), content_type="application/problem+json")


_REASONS = {400: "Bad Request", 404: "Not Found", 413: "Content Too Large", 415: "Unsupported Media Type",
            422: "Unprocessable Content"}


class BadRequest(Exception):
    pass


def int_param(request, name, low, high):
    values = request.query.getall(name, [])
    expected = f"query parameter '{name}' must be one integer from {low} to {high}"
    if len(values) != 1:
        raise BadRequest(f"{expected}; it was given {len(values)} times" if values else f"{expected}; it is missing")
    raw = values[0]
    if not raw or len(raw) > 9 or not all("0" <= c <= "9" for c in raw):
        raise BadRequest(f"{expected}; got '{raw[:32]}'")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"{expected}; got {value}")
    return value


@web.middleware
async def bad_requests(request, handler):
    try:
        return await handler(request)
    except BadRequest as e:
        return problem(request, 400, str(e))


def name_of(request):
    name = request.match_info.get("name", "")
    return name if name.strip() else "Anonymous"


async def world(request):
    return web.Response(text="Hello, World!", content_type=TEXT)


async def greet(request):
    return web.Response(text=f"Hello, {name_of(request)}!", content_type=TEXT)


async def hello(request):
    return web.Response(text=f"Hello, {name_of(request)}", content_type=TEXT)


async def io(request):
    ms = int_param(request, "ms", 0, MAX_MS)
    await asyncio.sleep(ms / 1000)
    return web.Response(text=f"slept {ms} ms", content_type=TEXT)


def chain(work):
    h = bytes(32)
    for _ in range(work):
        h = hashlib.sha256(h).digest()
    return h.hex()


async def cpu(request):
    work = int_param(request, "work", 0, MAX_WORK)
    return web.Response(text=await asyncio.to_thread(chain, work), content_type=TEXT)


async def fanout(request):
    n = int_param(request, "n", 1, MAX_CALLS)
    ms = int_param(request, "ms", 0, MAX_MS)
    host, port = request.transport.get_extra_info("sockname")[:2]
    url = f"http://{host}:{port}/io?ms={ms}"
    session = request.app["client"]

    async def call():
        start = time.monotonic()
        try:
            async with session.get(url) as response:
                body = await response.read()
                return {"url": url, "status": response.status, "bytes": len(body), "millis": millis(start)}
        except Exception as e:  # reported in the summary, as loom-service does
            return {"url": url, "error": f"{type(e).__name__}: {e}", "millis": millis(start)}

    start = time.monotonic()
    calls = await asyncio.gather(*(call() for _ in range(n)))
    ok = sum(1 for c in calls if 200 <= c.get("status", 0) < 300)
    return web.json_response({"n": n, "ms": ms, "totalMillis": millis(start), "succeeded": ok,
                              "failed": n - ok, "calls": calls})


def millis(start):
    return int((time.monotonic() - start) * 1000)


async def create_post(request):
    if request.content_type != "application/json" or (request.charset or "utf-8").lower() != "utf-8":
        return problem(request, 415, "the body must be application/json (UTF-8)")
    if (request.content_length or 0) > MAX_BODY:
        return problem(request, 413, f"the body must be at most {MAX_BODY} bytes")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return problem(request, 413, f"the body must be at most {MAX_BODY} bytes")
    try:
        fields = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return problem(request, 400, f"malformed JSON: {e}")
    if not isinstance(fields, dict):
        return problem(request, 422, "the body must be a JSON object")
    if "id" in fields:
        return problem(request, 422, "'id' is assigned by the server; leave it out")
    db = request.app.get("db")
    if db:
        stored = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        post_id = await db.fetchval("INSERT INTO posts (body) VALUES ($1) RETURNING id", stored)
        return web.Response(status=201, text=with_id(post_id, stored), content_type="application/json",
                            headers={"Location": f"/posts/{post_id}"})
    post = {"id": next(request.app["ids"]), **fields}
    posts = request.app["posts"]
    posts[post["id"]] = post
    if len(posts) > MAX_POSTS:
        posts.popitem(last=False)
    return web.json_response(post, status=201, headers={"Location": f"/posts/{post['id']}"})


def with_id(post_id, stored):
    """{"id":N,...fields}: the stored object with the id put first, as loom-service composes it."""
    return f'{{"id":{post_id}' + ("}" if stored == "{}" else "," + stored[1:])


async def find_post(request):
    db = request.app.get("db")
    if db:
        raw = request.match_info["id"]
        stored = None
        if raw.isascii() and raw.isdigit() and len(raw) <= 18:
            stored = await db.fetchval("SELECT body FROM posts WHERE id = $1", int(raw))
        if stored is None:
            return problem(request, 404, f"no post with id '{raw}'")
        return web.Response(text=with_id(int(raw), stored), content_type="application/json")
    post = request.app["posts"].get(int(request.match_info["id"])) if request.match_info["id"].isdigit() else None
    if post is None:
        return problem(request, 404, f"no post with id '{request.match_info['id']}'")
    return web.json_response(post)


async def client_session(app):
    # No connection cap (aiohttp's default is 100), so /fanout is limited by the server, not by the client pool.
    app["client"] = ClientSession(connector=TCPConnector(limit=0),
                                  timeout=ClientTimeout(total=CALL_TIMEOUT_S))
    yield
    await app["client"].close()


def database(dsn, size):
    """The asyncpg pool of --db, opened with the app and closed with it; a fixed size, as loom-service's pool."""
    async def pool(app):
        import asyncpg  # Debian's python3-asyncpg; needed only with --db
        app["db"] = await asyncpg.create_pool(dsn, min_size=size, max_size=size)
        yield
        await app["db"].close()
    return pool


def make_app(dsn=None, pool_size=10):
    app = web.Application(middlewares=[bad_requests])
    if dsn:
        app.cleanup_ctx.append(database(dsn, pool_size))
    app["posts"] = collections.OrderedDict()
    app["ids"] = itertools.count(1)
    app.cleanup_ctx.append(client_session)
    app.router.add_get("/", world)
    app.router.add_get("/io", io)
    app.router.add_get("/cpu", cpu)
    app.router.add_get("/fanout", fanout)
    app.router.add_post("/posts", create_post)
    app.router.add_get("/posts/{id}", find_post)
    app.router.add_get("/greet", greet)
    app.router.add_get("/greet/{name:.*}", greet)
    app.router.add_get("/{name}", hello)  # last, like loom-service's /{name}
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio's own loop")
    parser.add_argument("--db", help="keep /posts in this PostgreSQL (a postgresql:// URI), not in memory")
    parser.add_argument("--db-pool", type=int, default=10, help="connections in the --db pool (default 10)")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop
        uvloop.install()

    # backlog as loom-service's server.backlog; keep-alive as loom-service's server.idle-connection-timeout (60 s).
    web.run_app(make_app(args.db, args.db_pool), host=args.host, port=args.port, backlog=4096, keepalive_timeout=60,
                access_log=None, print=None)


if __name__ == "__main__":
    main()
