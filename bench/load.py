"""`monitor serve` under mixed reads while collection cycles write.

Seeds a store with ``--mentions`` mentions, starts `monitor serve` with ``--workers`` API
processes (2 unless given, as the long load tests run them) and measures, in the same run,
on SQLite and then, when ``--postgres`` or ``MONITOR_BENCH_POSTGRES_URL`` names a server, on
Postgres:

1. the server's CPU milliseconds per request for each route of the read mix, asked one at a
   time (independent of the offered rate), against ``/healthz`` as the baseline (min and median
   of ``--rounds`` rounds);
2. an open-loop load at ``--rate`` requests/s for ``--seconds`` with collection cycles writing:
   first ``/healthz`` alone (the baseline), then the mix. Printed: achieved req/s, p50/p95/p99,
   errors, as ratios to the target (``--rate``, p99 < 250 ms) and to the baseline.

Run::

    .venv/bin/python bench/load.py [--mentions 20000] [--rate 200] [--seconds 30] [--workers N]
                                   [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                   [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from scratch_db import postgres_database

# Run as a script, only this file's directory is on the path; the shared load harness lives
# in the repository's tests package.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.load_client import LoadResult  # noqa: E402
from tests.load_harness import (  # noqa: E402
    MIX,
    FeedSite,
    Service,
    Writer,
    cpu_per_request,
    load,
    mixed_paths,
    running_service,
    warm_up,
    write_config,
)

P99_TARGET_MS = 250.0


def measure_cpu(service: Service, rounds: int, requests: int) -> dict[str, dict[str, float]]:
    paths = ["/healthz", *[p for p in MIX if p != "/healthz"],
             f"/api/v1/mentions/{service.mention_ids[0]}"]
    figures: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(rounds):
        for path in paths:
            figures[path].append(cpu_per_request(service, path, requests))
    base = statistics.median(figures["/healthz"])
    print(f"\nserver CPU per request, {requests} requests x {rounds} rounds "
          f"(baseline /healthz, median {base:.2f} ms)")
    print(f"{'route':50s} {'min ms':>8s} {'median ms':>10s} {'x healthz':>10s}")
    out = {}
    for path, values in figures.items():
        med = statistics.median(values)
        out[path] = {"min_ms": round(min(values), 2), "median_ms": round(med, 2),
                     "x_healthz": round(med / base, 2) if base else 0.0}
        print(f"{path:50s} {min(values):8.2f} {med:10.2f} {out[path]['x_healthz']:10.2f}")
    mix = [p for p in mixed_paths(service)][: 2 * len(MIX)]
    mean = statistics.fmean(statistics.median(figures[p if p in figures else paths[-1]])
                            for p in mix)
    print(f"{'mix (weighted as offered)':50s} {'':8s} {mean:10.2f} "
          f"{mean / base if base else 0:10.2f}   -> one core holds about {1000 / mean:.0f} req/s")
    out["mix"] = {"median_ms": round(mean, 2), "x_healthz": round(mean / base, 2)}
    return out


def describe(name: str, result: LoadResult, rate: float, baseline: LoadResult | None
             ) -> dict[str, object]:
    p = {q: result.percentile(q) * 1000 for q in (0.50, 0.95, 0.99)}
    row: dict[str, object] = {
        "achieved_rps": round(result.rate, 1), "x_target_rate": round(result.rate / rate, 3),
        "p50_ms": round(p[0.50], 1), "p95_ms": round(p[0.95], 1), "p99_ms": round(p[0.99], 1),
        "p99_x_target": round(p[0.99] / P99_TARGET_MS, 3), "errors": result.errors,
        "statuses": dict(result.statuses),
    }
    if baseline is not None:
        base99 = baseline.percentile(0.99) * 1000
        row["p99_x_healthz"] = round(p[0.99] / base99, 2) if base99 else None
        row["rps_x_healthz"] = round(result.rate / baseline.rate, 3) if baseline.rate else None
    print(f"{name:22s} {row['achieved_rps']:>8} req/s ({row['x_target_rate']}x target)  "
          f"p50 {row['p50_ms']} p95 {row['p95_ms']} p99 {row['p99_ms']} ms "
          f"({row['p99_x_target']}x the 250 ms target)  errors {row['errors']}"
          + (f"  p99 {row['p99_x_healthz']}x healthz" if baseline is not None else ""))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="API processes (2, as the long load tests run them)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu-requests", type=int, default=40)
    parser.add_argument("--skip-load", action="store_true", help="CPU per request only")
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL"),
                        help="also run on a scratch database on this Postgres server")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    backends = [b for b in ("sqlite", "postgres") if args.only in (None, b)
                and (b == "sqlite" or args.postgres)]
    if not backends:
        parser.error("--only postgres needs --postgres or MONITOR_BENCH_POSTGRES_URL")
    for backend in backends:
        print(json.dumps(run(args, backend)))


def run(args: argparse.Namespace, backend: str) -> dict[str, object]:
    report: dict[str, object] = {"mentions": args.mentions, "workers": args.workers,
                                 "backend": backend, "target_rps": args.rate,
                                 "seconds": args.seconds, "load_average": os.getloadavg()[0]}
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = (stack.enter_context(postgres_database(args.postgres, "bm_load"))
               if backend == "postgres" else None)
        site = FeedSite()
        stack.callback(site.close)
        config = write_config(directory, site, url, workers=args.workers)
        print(f"\nseeding {args.mentions} mentions on {backend}, {args.workers} API "
              "worker(s)...")
        service = stack.enter_context(running_service(config, args.mentions))
        report["cpu"] = measure_cpu(service, args.rounds, args.cpu_requests)
        if not args.skip_load:
            print(f"\nopen-loop load at {args.rate:g} req/s for {args.seconds:g} s while "
                  "collection cycles write")
            warm_up(service)
            with Writer(config) as writer:
                base = load(service, ["/healthz"], args.rate, min(args.seconds, 10.0))
                mix = load(service, mixed_paths(service), args.rate, args.seconds)
            report["healthz"] = describe("/healthz (baseline)", base, args.rate, None)
            report["mix"] = describe("read mix", mix, args.rate, base)
            report["cycles"] = writer.cycles
            print(f"collection cycles during the run: {len(writer.cycles)} "
                  f"(exit codes {sorted(set(writer.cycles))})")
    return report


if __name__ == "__main__":
    main()
