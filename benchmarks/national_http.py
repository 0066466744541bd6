"""The national benchmark's figures over HTTP, against a real `registry serve` process.

- GraphQL "members of B on D as known at T" with random B, D, T (no answer-cache hits);
- read your writes: an `appoint` mutation, then at once a query with `@atLeastPosition`;
- a repeated query answered from the answer cache against a plain FastAPI route returning
  the same bytes (`national_plain.app` under uvicorn), 16 concurrent connections, rounds
  alternating; and the server's peak RSS (VmHWM) after all of it.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.national_figures import median, p99
from benchmarks.national_stores import Built, Store
from scripts.graphql_http_audit import free_port

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = str(Path(sys.executable).with_name("registry"))

MEMBERS = """query($body: ID!, $day: Date!, $t: DateTime!) {
  members(bodyId: $body, asOf: $day, knownAt: $t) { nodes { personName role from until } } }"""
IDS = "{ bodies(first: 200) { nodes { id } } persons(first: 1) { nodes { id } } }"
APPOINT = """mutation($body: ID!, $person: ID!, $day: Date!, $end: Date!) {
  appoint(bodyId: $body, source: {document: "Benchmark"},
          appointment: {personId: $person, role: CO_OPTED, start: $day, end: $end}) { position } }"""
AFTER = """query($body: ID!, $day: Date!, $p: Int!) @atLeastPosition(position: $p) {
  members(bodyId: $body, asOf: $day) { nodes { personName } } }"""
REPEATED = """{ bodies(first: 20) { nodes { name kind
  members(asOf: "2020-06-01") { personName role } } } }"""


def graphql(client: httpx.Client, query: str, variables: dict | None = None) -> dict:
    answer = client.post("/graphql", json={"query": query, "variables": variables or {}})
    body = answer.json()
    if answer.status_code != 200 or "errors" in body:
        raise SystemExit(f"refused: {answer.text[:500]}")
    return body["data"]


def wait_live(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/livez", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not start")
        time.sleep(0.2)


@contextmanager
def process(args: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[int]:
    with log.open("wb") as out:
        started = subprocess.Popen(
            args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    try:
        yield started.pid
    finally:
        started.terminate()
        try:
            started.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _load(
    port: int, body: bytes, seconds: float, connections: int
) -> tuple[list[float], float]:
    """`connections` keep-alive HTTP/1.1 connections posting `body` in a loop, on bare
    asyncio streams: a client far cheaper per request than httpx, so that on a 2-core box
    the servers rather than the client set the pace."""
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if not head.startswith(b"HTTP/1.1 200") or not length:
                    raise SystemExit(f"unexpected answer: {head[:200]!r}")
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - began)
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, time.perf_counter() - began


def load(url: str, body: bytes, seconds: float, connections: int = 16) -> tuple[float, float]:
    """Requests a second and p99 (ms) at `connections` concurrent connections."""
    port = int(url.rsplit(":", 1)[1])
    latencies, elapsed = asyncio.run(_load(port, body, seconds, connections))
    return len(latencies) / elapsed, p99(latencies) * 1000


def served(
    store: Store, built: Built, workdir: Path, lookups: int, writes: int, load_s: float, seed: int
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [REGISTRY, "serve", "--database", store.url, "--port", str(port)]
    with process(args, workdir / f"serve-{store.kind}.log") as pid:
        wait_live(url)
        with httpx.Client(base_url=url, timeout=60) as client:
            ids = graphql(client, IDS)
            bodies = [n["id"] for n in ids["bodies"]["nodes"]]
            person = ids["persons"]["nodes"][0]["id"]

            # 5. members of B on D as known at T over HTTP
            rng = random.Random(seed)
            span = (built.recorded_to - built.recorded_from).total_seconds()
            all_bodies = bodies
            times = []
            for i in range(lookups + 20):
                variables = {
                    "body": rng.choice(all_bodies),
                    "day": str(date(2015, 6, 1) + timedelta(days=rng.randint(0, 9 * 365))),
                    "t": (
                        built.recorded_from + timedelta(seconds=rng.uniform(span / 10, span))
                    ).isoformat(),
                }
                began = time.perf_counter()
                graphql(client, MEMBERS, variables)
                if i >= 20:
                    times.append((time.perf_counter() - began) * 1000)
            found["graphql_p50_ms"] = median(times)
            found["graphql_p99_ms"] = p99(times)

            # 6. read your writes
            after, settled = [], []
            for i in range(writes):
                day = date(2031, 1, 1) + timedelta(days=2 * i)
                variables = {
                    "body": bodies[0],
                    "person": person,
                    "day": str(day),
                    "end": str(day + timedelta(days=1)),
                }
                written = graphql(client, APPOINT, variables)["appoint"]["position"]
                query = {"body": bodies[0], "day": str(day), "p": written}
                began = time.perf_counter()
                graphql(client, AFTER, query)
                after.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                graphql(client, AFTER.replace("members(", "again: members("), query)
                settled.append((time.perf_counter() - began) * 1000)
            found["ryw_ms"] = median(after)
            found["ryw_settled_ms"] = median(settled)

            # 7. the answer cache against a plain route with the same bytes
            request = httpx.Request("POST", "/graphql", json={"query": REPEATED})
            payload = request.read()
            answer = client.post(
                "/graphql", content=payload, headers={"content-type": "application/json"}
            )
            answer = client.post(
                "/graphql", content=payload, headers={"content-type": "application/json"}
            )
        plain_file = workdir / "plain-answer.json"
        plain_file.write_bytes(answer.content)
        plain_port = free_port()
        plain_url = f"http://127.0.0.1:{plain_port}"
        plain_args = [
            sys.executable, "-m", "uvicorn", "benchmarks.national_plain:app",
            "--port", str(plain_port), "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        with process(plain_args, workdir / "plain.log", {"NATIONAL_PLAIN_FILE": str(plain_file)}):
            wait_live(plain_url)
            cached_rps, plain_rps, cached_p99, plain_p99 = [], [], [], []
            load(url, payload, min(1.0, load_s))  # warm-up, both
            load(plain_url, payload, min(1.0, load_s))
            for r in range(2 if load_s < 1 else 4):
                pair = [(url, cached_rps, cached_p99), (plain_url, plain_rps, plain_p99)]
                for target, rps, tail in pair if r % 2 else pair[::-1]:
                    a, b = load(target, payload, load_s)
                    rps.append(a)
                    tail.append(b)
            found["cached_rps"] = median(cached_rps)
            found["plain_rps"] = median(plain_rps)
            found["cached_p99_ms"] = median(cached_p99)
            found["plain_p99_ms"] = median(plain_p99)
            found["answer_bytes"] = len(answer.content)
        found["server_peak_rss_mib"] = peak_rss_mib(pid)
    return found
