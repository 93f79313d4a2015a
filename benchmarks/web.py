"""Web app load benchmark: agents working the desk at once on a large book.

    python benchmarks/web.py                          # the target: 100,000 loans, 50 agents
    python benchmarks/web.py --loans 2000 --agents 5 --rounds 3   # small, as CI runs it
    python benchmarks/web.py --book /tmp/book100k     # build once, then each run on a copy

Builds a SQLite lender (the synthetic prime book of benchmarks/cycle.py, 12-month loans
with their payment history), runs the daily cycle up to today so the day's calls are in
the agents' queue, adds the agents and a manager, and starts `arrears serve` in its own
process. Then ``--agents`` simulated agents sign in through the sign-in form and each,
``--rounds`` times: takes the next account (the atomic claim), opens it (the account
view), asks the gate to call and, where allowed, records "no answer"; a manager opens
the dashboard meanwhile (its first visit, before the agents start, waits for the figures the
app computes as it starts: it is shown apart). Each agent thinks between two requests (``--think``, mean
seconds, drawn from an exponential distribution, as locust's ``between`` would): agents
read the account and talk to the borrower, they do not fire requests back to back; 0 turns
it into a stress test of throughput. The agents all sign in first (argon2 makes that
deliberately costly; timed as "sign in"), then start. Prints p50/p95/p99 per request against the targets: account
view p95 ≤ 50 ms, next-account claim p95 ≤ 20 ms, dashboard ≤ 300 ms. Not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).parent))

from cycle import AS_OF, NOW, build, cycle

from arrears.entrypoints.bootstrap import App
from arrears.services import accounts, strategies
from arrears.settings import load_settings

PASSWORD = "benchmark-password"
TARGETS_MS = {"claim": 20, "account": 50, "dashboard": 300}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(url: str, folder: Path, loans: int, agents: int) -> int:
    app = App(load_settings(url))
    app.init()
    strategies.load_default_strategies(app.uow_factory, NOW, "cn-consumer")
    started = time.perf_counter()
    build(app, folder, loans, seed=7)
    print(f"portfolio: {loans:,} loans in {time.perf_counter() - started:.0f} s")
    today = app.today()
    started = time.perf_counter()
    cycle(app, AS_OF - timedelta(days=1))
    _, reports = cycle(app, today, catch_up=True)
    calls = sum(int(r.summary["actions"].get("call", 0)) for r in reports[-1:])  # type: ignore[union-attr]
    print(f"cycle up to {today}: {time.perf_counter() - started:.0f} s; {calls:,} calls today")
    for n in range(1, max(agents, 50) + 1):  # a kept book serves runs of up to 50 agents
        accounts.add_user(app.uow_factory, f"agent{n:03d}", "agent", PASSWORD, NOW)
    accounts.add_user(app.uow_factory, "manager", "manager", PASSWORD, NOW)
    app.engine.dispose()
    return calls


async def sign_in(client: httpx.AsyncClient, username: str) -> httpx.Response:
    form = await client.get("/login")
    token = CSRF.search(form.text)
    assert token, "no sign-in form"
    answer = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text[:200]
    return answer


async def timed(times: dict[str, list[float]], name: str, request: object) -> httpx.Response:
    started = time.perf_counter()
    response: httpx.Response = await request  # type: ignore[misc]
    times[name].append((time.perf_counter() - started) * 1000)
    assert response.status_code < 500, f"{name}: {response.status_code}"
    return response


async def agent(
    base: str, username: str, rounds: int, think: float, times: dict[str, list[float]],
    ready: asyncio.Barrier,
) -> int:  # fmt: skip
    thinking = random.Random(username)

    async def pause() -> None:
        if think > 0:
            await asyncio.sleep(thinking.expovariate(1 / think))

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await timed(times, "sign in", sign_in(client, username))
        await ready.wait()  # the day starts when everyone is signed in
        worked = 0
        for _ in range(rounds):
            await pause()
            page = await timed(times, "queue", client.get("/desk"))
            token = CSRF.search(page.text)
            assert token
            csrf = {"csrf_token": token.group(1)}
            await pause()
            claimed = await timed(times, "claim", client.post("/desk/next", data=csrf))
            where = claimed.headers.get("location", "")
            if not where.startswith("/desk/items/"):
                break  # the queue is empty
            await timed(times, "account", client.get(where))
            await pause()
            cleared = await timed(times, "call", client.post(f"{where}/call", data=csrf))
            await pause()
            if 'name="result"' in cleared.text:
                data = {**csrf, "result": "no_answer"}
                await timed(times, "outcome", client.post(f"{where}/outcome", data=data))
            worked += 1
        return worked


async def manager(
    base: str, rounds: int, think: float, times: dict[str, list[float]], name: str = "dashboard",
    ready: asyncio.Barrier | None = None,
) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await sign_in(client, "manager")
        if ready is not None:
            await ready.wait()
        for _ in range(rounds):
            await timed(times, name, client.get("/dashboard"))
            await asyncio.sleep(think * 2)


async def load(base: str, agents: int, rounds: int, think: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    # The manager comes in first: that visit waits for the figures the app computes as it
    # starts (shown apart as "first dash"); then the agents start their day.
    await manager(base, 1, 0, times, name="first dash")
    ready = asyncio.Barrier(agents + 1)
    started = time.perf_counter()
    worked = await asyncio.gather(
        *(agent(base, f"agent{n:03d}", rounds, think, times, ready)
          for n in range(1, agents + 1)),
        manager(base, max(3, rounds), think, times, ready=ready),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"{agents} agents worked {sum(w or 0 for w in worked):,} accounts in {seconds:.1f} s")
    return times


def report(times: dict[str, list[float]]) -> None:
    print(f"{'request':<10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  target")
    for name, samples in sorted(times.items()):
        cuts = (
            statistics.quantiles(samples, n=100, method="inclusive")
            if len(samples) > 1
            else samples * 99
        )
        target = TARGETS_MS.get(name)
        verdict = (
            ""
            if target is None
            else f"p95 ≤ {target} ms: {'met' if cuts[94] <= target else 'NOT met'}"
        )
        print(
            f"{name:<10} {len(samples):>6} {cuts[49]:>8.1f} {cuts[94]:>8.1f} {cuts[98]:>8.1f}  {verdict}"
        )


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    arrears = Path(sys.executable).parent / "arrears"
    env = {**os.environ, "ARREARS_DATABASE_URL": url}
    server = subprocess.Popen(
        [str(arrears), "serve", "--port", str(port), "--no-dispatch"], env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the web app did not start in 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20, help="accounts each agent takes")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    parser.add_argument("--book", type=Path, help="folder keeping the prepared book for reuse")
    args = parser.parse_args()
    folder = args.book or Path(tempfile.mkdtemp(prefix="arrears-web-"))
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "book.db"
    if not book.exists():
        prepare(f"sqlite:///{folder / 'building.db'}", folder, args.loans, args.agents)
        (folder / "building.db").rename(book)
    for left in folder.glob("run.db*"):  # a journal left by an earlier run would corrupt the copy
        left.unlink()
    shutil.copyfile(book, folder / "run.db")  # each run starts from the same book
    url = f"sqlite:///{folder / 'run.db'}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = serve(url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        report(asyncio.run(load(base, args.agents, args.rounds, args.think)))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
