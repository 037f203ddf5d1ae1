"""Gateway load test (issue 12): the real `genguard serve` on loopback under N concurrent clients.

Scenarios, each bounded in time (--duration s) and count (--max-requests; chat: --chat-requests):
- POST /v1/guard/check (one short text per request) and POST /v1/watermark/detect, N = 1, 4, 16;
- POST /v1/chat/completions with the embedded model (max_tokens 32), N = 1, 4, 16.
Per scenario: requests/s, p50/p99 latency, errors (must be 0), and whether the audit log (read
after the run with genguard.storage.audit_log.AuditLog) has exactly one row per response.

Then:
- the gateway's own added latency: the same guard check and detection called in this process
  through the library (same texts, warm) against HTTP with one client, interleaved -> added ms
  p50/p99 (goal from the issue: under 5 ms p50 for the guard endpoint beyond the scorers);
- time to first content chunk of a streamed chat answer with the built-in default profile (its
  output rules hold text back until a sentence is checked) beside a profile without output rules,
  and beside the non-streamed latency;
- the crash test: guard-check load with 4 clients, SIGKILL of the server mid-load, restart on the
  same storage: every request that received a response has its row (looked up by the x-request-id
  it was answered with), and the SQLite file passes PRAGMA integrity_check.

Prints a table and writes benchmarks/results/gateway_load.json. Both the gateway and this client
share the machine's cores, so the figures are what one 2-core box does end to end.

Usage: python benchmarks/gateway_load.py [--duration 10] [--clients 1 4 16] [--chat-requests 16]
About 4 minutes on a 2-core CPU with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from genguard.server.launch import Served, start_gateway

HERE = Path(__file__).resolve().parent

OUT = HERE / "results" / "gateway_load.json"
LIMITS = {"requests_per_minute": 10_000_000, "tokens_per_minute": 1_000_000_000, "max_batch": 8}
TEXTS = [
    "What is the capital of France?",
    "Summarise the plot of Hamlet in two sentences.",
    "How do tides work?",
    "Give me three tips for a job interview.",
    "Translate 'good morning' into Spanish.",
    "Why is the sky blue?",
    "Write a haiku about autumn leaves.",
    "What are the health benefits of walking?",
]
DETECT_TEXTS = [
    "Tides rise and fall twice a day because the moon's gravity pulls the oceans toward it, and the "
    "Earth turns beneath that bulge of water while the sun adds a smaller pull of its own.",
    "Bread dough rises because yeast ferments the sugars in flour, releasing carbon dioxide that the "
    "gluten network traps in small bubbles; a warm kitchen speeds this up and salt slows it down.",
]
OPEN_POLICY = (
    "profiles:\n  open:\n    description: no checks\n    input: {}\n    output: {}\n    training: {}\n"
)


def body_for(scenario: str, i: int) -> tuple[str, dict]:
    """(path, JSON body) of request `i` of `scenario`."""
    if scenario == "guard":
        return "/v1/guard/check", {"texts": [TEXTS[i % len(TEXTS)]]}
    if scenario == "detect":
        return "/v1/watermark/detect", {"texts": [DETECT_TEXTS[i % len(DETECT_TEXTS)]]}
    message = [{"role": "user", "content": TEXTS[i % len(TEXTS)]}]
    return "/v1/chat/completions", {"model": "genguard-default", "messages": message, "max_tokens": 32}


@dataclass
class Run:
    """What one load run saw: per answered request its latency (s), status and request id."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    failures: int = 0  # requests with no response at all (connection refused or reset)
    wall_s: float = 0.0


async def load(base: str, scenario: str, clients: int, duration_s: float, max_requests: int) -> Run:
    """`clients` concurrent clients sending `scenario` requests until `duration_s` or `max_requests`."""
    run, counter = Run(), iter(range(max_requests))
    deadline = time.perf_counter() + duration_s

    async def client(http: httpx.AsyncClient) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            path, body = body_for(scenario, i)
            start = time.perf_counter()
            try:
                response = await http.post(base + path, json=body)
            except httpx.HTTPError:
                run.failures += 1  # no answer: the server is gone (the crash test), so this client stops
                return
            run.latencies.append(time.perf_counter() - start)
            run.statuses.append(response.status_code)
            run.request_ids.append(response.headers.get("x-request-id", ""))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        run.wall_s = time.perf_counter() - start
    return run


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def audit_rows(storage: Path) -> dict[str, int]:
    """request_id -> status of every row in the gateway's audit log."""
    from genguard.storage.audit_log import AuditLog

    with AuditLog(storage) as audit:
        return {row.request_id: row.status for row in audit.rows(limit=100_000)}


def summary(scenario: str, clients: int, run: Run, rows: dict[str, int]) -> dict:
    ok = [lat for lat, status in zip(run.latencies, run.statuses, strict=True) if status == 200]
    found = sum(1 for rid in run.request_ids if rid in rows)
    return {
        "scenario": scenario,
        "clients": clients,
        "requests": len(run.statuses),
        "requests_per_s": round(len(run.statuses) / run.wall_s, 2) if run.wall_s else 0.0,
        "p50_ms": round(pct(ok, 50) * 1000, 2),
        "p99_ms": round(pct(ok, 99) * 1000, 2),
        "errors": run.failures + sum(1 for s in run.statuses if s != 200),
        "audit_rows": found,
        "audit_rows_equal_responses": found == len(run.statuses),
    }


def overhead(served: Served, storage: Path, rounds: int) -> dict:
    """Added latency of the gateway over direct library calls (same texts, warm, interleaved)."""
    from genguard.guard.pipeline import Guard
    from genguard.lm import load_tokenizer
    from genguard.watermark import WatermarkDetector, WatermarkKey

    guard = Guard.from_policy(None, "default")
    key = WatermarkKey.load(storage.with_name("gateway.key.json"))
    detector = WatermarkDetector(load_tokenizer("default"), keys=[key])
    direct = {
        "guard": lambda text: guard.check([text], "input"),
        "detect": lambda text: detector.detect([text]),
    }
    texts = {"guard": TEXTS, "detect": DETECT_TEXTS}
    out = {}
    with httpx.Client(timeout=60) as http:
        for scenario, call in direct.items():
            lib, net = [], []
            for i in range(rounds + 5):
                text = texts[scenario][i % len(texts[scenario])]
                path, body = body_for(scenario, i)
                start = time.perf_counter()
                call(text)
                mid = time.perf_counter()
                assert http.post(served.base_url + path, json=body).status_code == 200
                end = time.perf_counter()
                if i >= 5:  # the first rounds warm both sides
                    lib.append(mid - start)
                    net.append(end - mid)
            out[scenario] = {
                "library_p50_ms": round(pct(lib, 50) * 1000, 2),
                "library_p99_ms": round(pct(lib, 99) * 1000, 2),
                "http_p50_ms": round(pct(net, 50) * 1000, 2),
                "http_p99_ms": round(pct(net, 99) * 1000, 2),
                "added_p50_ms": round((pct(net, 50) - pct(lib, 50)) * 1000, 2),
                "added_p99_ms": round((pct(net, 99) - pct(lib, 99)) * 1000, 2),
            }
    return out


def first_chunk_s(base: str, stream: bool) -> float:
    """Seconds to the first content chunk of a streamed chat answer (stream) or to the whole answer."""
    body = {**body_for("chat", 2)[1], "temperature": 0, "stream": stream}
    start = time.perf_counter()
    if not stream:
        assert httpx.post(base + "/v1/chat/completions", json=body, timeout=300).status_code == 200
        return time.perf_counter() - start
    with httpx.stream("POST", base + "/v1/chat/completions", json=body, timeout=300) as response:
        for line in response.iter_lines():
            if line.startswith("data: {"):
                choices = json.loads(line[6:])["choices"]
                if choices and choices[0].get("delta", {}).get("content"):
                    return time.perf_counter() - start
    raise RuntimeError("the stream sent no text")


def ttft(guarded: Served, folder: Path, repeats: int) -> dict:
    policy = folder / "open.yaml"
    policy.write_text(OPEN_POLICY, encoding="utf-8")
    bare = start_gateway(
        folder / "open", {"limits": LIMITS, "guard": {"policy": str(policy), "profile": "open"}}
    )
    try:
        figures = {}
        for name, served, stream in (
            ("default_profile_first_chunk", guarded, True),
            ("no_output_rules_first_chunk", bare, True),
            ("default_profile_non_streamed", guarded, False),
        ):
            first_chunk_s(served.base_url, stream)  # warm
            figures[name + "_s"] = round(
                statistics.median(first_chunk_s(served.base_url, stream) for _ in range(repeats)), 3
            )
    finally:
        bare.stop()
    return figures


def crash(folder: Path, kill_after_s: float) -> dict:
    """SIGKILL mid-load, restart on the same storage: every answered request has its row."""
    served = start_gateway(folder, {"limits": LIMITS})
    httpx.post(served.base_url + "/v1/guard/check", json={"texts": ["warm"]}, timeout=300)

    async def killed_load() -> Run:
        task = asyncio.create_task(load(served.base_url, "guard", 4, kill_after_s + 30, 100_000))
        await asyncio.sleep(kill_after_s)
        served.process.send_signal(signal.SIGKILL)
        return await task

    run = asyncio.run(killed_load())
    served.process.wait()
    restarted = start_gateway(folder, {"limits": LIMITS})
    try:
        rows = audit_rows(folder / "gateway.sqlite")
        with sqlite3.connect(folder / "gateway.sqlite") as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        alive = httpx.post(restarted.base_url + "/v1/guard/check", json={"texts": ["hi"]}, timeout=300)
    finally:
        restarted.stop()
    answered = [rid for rid in run.request_ids if rid]
    missing = [rid for rid in answered if rid not in rows]
    return {
        "answered_before_kill": len(answered),
        "unanswered_at_kill": run.failures,
        "missing_rows": len(missing),
        "integrity_check": integrity,
        "serves_after_restart": alive.status_code == 200,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--max-requests", type=int, default=2000, help="requests per guard/detect scenario")
    parser.add_argument("--chat-requests", type=int, default=16, help="requests per chat scenario")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--overhead-rounds", type=int, default=100)
    parser.add_argument("--ttft-repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gateway_load_"))
    load_avg = [os.getloadavg()[0]]
    served = start_gateway(folder / "main", {"limits": LIMITS})
    storage = folder / "main" / "gateway.sqlite"
    try:
        for scenario in ("guard", "detect", "chat"):  # warm: scorers, tokenizer, model loaded
            path, body = body_for(scenario, 0)
            httpx.post(served.base_url + path, json=body, timeout=300).raise_for_status()
        results = []
        runs = []
        for scenario in ("guard", "detect", "chat"):
            for clients in args.clients:
                limit = args.chat_requests if scenario == "chat" else args.max_requests
                run = asyncio.run(load(served.base_url, scenario, clients, args.duration, limit))
                runs.append((scenario, clients, run))
                print(
                    f"{scenario:7s} N={clients:<3d} {len(run.statuses)} requests in {run.wall_s:.1f} s",
                    flush=True,
                )
        rows = audit_rows(storage)
        results = [summary(scenario, clients, run, rows) for scenario, clients, run in runs]
        added = overhead(served, storage, args.overhead_rounds)
        first = ttft(served, folder, args.ttft_repeats)
    finally:
        served.stop()
    killed = crash(folder / "crash", kill_after_s=4.0)
    load_avg.append(os.getloadavg()[0])
    report = {
        "machine": {"cpus": os.cpu_count(), "load_avg_1min_start_end": [round(x, 2) for x in load_avg]},
        "settings": vars(args) | {"out": str(args.out)},
        "scenarios": results,
        "added_latency": added,
        "streaming": first,
        "crash": killed,
    }
    print(
        f"\n{'scenario':8s} {'N':>3s} {'req':>5s} {'req/s':>8s} {'p50 ms':>9s} {'p99 ms':>9s} {'err':>4s} "
        "audit=resp"
    )
    for r in results:
        print(
            f"{r['scenario']:8s} {r['clients']:3d} {r['requests']:5d} {r['requests_per_s']:8.2f} "
            f"{r['p50_ms']:9.2f} {r['p99_ms']:9.2f} {r['errors']:4d} {r['audit_rows_equal_responses']}"
        )
    for scenario, figures in added.items():
        print(
            f"added by the gateway, {scenario}: p50 {figures['added_p50_ms']} ms, "
            f"p99 {figures['added_p99_ms']} ms "
            f"(library p50 {figures['library_p50_ms']} ms, HTTP p50 {figures['http_p50_ms']} ms)"
        )
    print("streaming:", json.dumps(first))
    print("crash test:", json.dumps(killed))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
