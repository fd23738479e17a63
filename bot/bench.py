"""``dealpilot bench insight``: latency and memory of the insight skill on the demo company."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from bot.runtime import Runtime

QUESTIONS = (
    ("li.na", "ACME 最近怎么样?"), ("li.na", "brief me on ACME"), ("wang.wei", "苏能集团最近怎么样"),
    ("bob.smith", "how is Globex doing"), ("sun.hao", "Umbrella Retail 的客户简报"), ("admin", "tell me about Stark Industries"),
    ("zhou.xin", "华康医药情况如何"), ("zhao.lei", "/insight ACME"), ("admin", "杭州市数据资源局最近怎么样"),
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def seed_bench_demo(runtime: Runtime, *, with_cases: bool) -> float:
    """Seed the demo company (and the case library when ``with_cases``) into a bench's fresh
    workspace; returns the seconds it took, which every bench reports."""
    started = time.perf_counter()
    if with_cases:
        from bot.demo_setup import seed_demo_workspace

        seed_demo_workspace(runtime)
    else:
        from integrations.crm.demo import seed_demo

        seed_demo(runtime.store)
    return time.perf_counter() - started


def bench_insight(
    n: int = typer.Option(200, "-n", help="How many insight questions to answer."),
    cold: bool = typer.Option(True, "--cold/--no-cold", help="Also time `dealpilot ask` from a cold process."),
    with_cases: bool = typer.Option(True, "--cases/--no-cases", help="Include similar-case retrieval in the brief."),
) -> None:
    """Answer N insight questions in-process on a fresh demo company; print p50/p95 and peak memory."""
    from bot.adapters.console import console_message
    from bot.config import Settings
    from bot.runtime import Runtime

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = Settings(_env_file=None, home=home)  # type: ignore[call-arg]
        runtime = Runtime(settings)
        typer.echo(f"seeded demo in {seed_bench_demo(runtime, with_cases=with_cases):.1f}s")
        for user, text in QUESTIONS:  # warm caches (entity index per viewer, embedder)
            runtime.handle(console_message(text, user=user))
        latencies: list[float] = []
        answered = 0
        for i in range(n):
            user, text = QUESTIONS[i % len(QUESTIONS)]
            t0 = time.perf_counter()
            reply = runtime.handle(console_message(text, user=user))
            latencies.append((time.perf_counter() - t0) * 1000)
            answered += reply.skill == "insight"
        # Memory is measured in a separate pass: tracemalloc slows every allocation down.
        tracemalloc.start()
        for user, text in QUESTIONS:
            runtime.handle(console_message(text, user=user))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        typer.echo(f"insight questions: {n} (answered by insight: {answered})")
        typer.echo(f"latency p50: {statistics.median(latencies):.1f} ms  p95: {percentile(latencies, 95):.1f} ms  "
                   f"max: {max(latencies):.1f} ms  (target p95 <= 150 ms)")
        typer.echo(f"peak Python allocations while answering: {peak / 2**20:.1f} MiB; "
                   f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        runtime.close()
        if cold:
            env_home = str(home)
            import os

            env = {**os.environ, "DEALPILOT_HOME": env_home}
            samples = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "bot.cli", "ask", "ACME 最近怎么样?", "--as", "li.na", "--json"],
                               env=env, check=True, capture_output=True)
                samples.append(time.perf_counter() - t0)
            typer.echo(f"cold `dealpilot ask`: best {min(samples):.2f} s, median {statistics.median(samples):.2f} s "
                       f"(target <= 2.5 s)")
