"""N asyncio tasks, each sleeping one second, all at once: python3 million_tasks.py 1000000 [--uvloop].

Prints one JSON line with the wall time from creating the first task to the end of the last one.
"""
import asyncio
import json
import sys
import time


async def main(n):
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(1) for _ in range(n)))
    return time.perf_counter() - start


if __name__ == "__main__":
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    tasks = int(sys.argv[1])
    print(json.dumps({"tasks": tasks, "wall_s": round(asyncio.run(main(tasks)), 3)}))
