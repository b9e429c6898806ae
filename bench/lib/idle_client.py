"""Opens many keep-alive connections to one server and holds them idle; driven over stdin/stdout by scenarios.py.

    python3 idle_client.py --port P --count N [--source 127.0.0.2]

Each connection sends one GET / and reads the answer, so it is a real HTTP keep-alive connection, then stays idle.
Prints {"opened": n, "failed": n} once all are open; on the line "check" on stdin, sends GET / on every connection
again and prints {"alive": n}; on end of input closes everything and exits. Connects at most `--parallel` at a time,
so the burst does not overflow the server's accept queue.
"""
import argparse
import asyncio
import json
import sys

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


async def exchange(reader, writer):
    writer.write(REQUEST)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return head.startswith(b"HTTP/1.1 200")


async def open_one(args, gate):
    async with gate:
        try:
            reader, writer = await asyncio.open_connection(
                args.host, args.port, local_addr=(args.source, 0) if args.source else None)
        except OSError:
            return None
        try:
            if await asyncio.wait_for(exchange(reader, writer), 30):
                return reader, writer
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
            pass
        writer.close()
        return None


async def still_alive(conn):
    try:
        return await asyncio.wait_for(exchange(*conn), 30)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
        return False


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source", help="local address to connect from, e.g. 127.0.0.2")
    parser.add_argument("--parallel", type=int, default=200)
    args = parser.parse_args()

    gate = asyncio.Semaphore(args.parallel)
    opened = [c for c in await asyncio.gather(*(open_one(args, gate) for _ in range(args.count))) if c]
    print(json.dumps({"opened": len(opened), "failed": args.count - len(opened)}), flush=True)

    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        if line.strip() == "check":
            alive = await asyncio.gather(*(still_alive(c) for c in opened))
            print(json.dumps({"alive": sum(alive)}), flush=True)
    for _, writer in opened:
        writer.close()


if __name__ == "__main__":
    asyncio.run(main())
