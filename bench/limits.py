"""How fast the input limits refuse (issue #15: each refusal ≤ 50 ms): in-process, Django's test
client, anonymous requests (the limits run before authentication matters), `Server-Timing` of
each answer, as ratios to `/ping/` measured in the same run.

    .venv/bin/python bench/limits.py [--repeat 50]

Not a test: nothing asserts a time. Numbers go to docs/performance.md.
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    big = json.dumps({"title": "x", "description": "长" * 700_000})  # ≈ 2.1 MB of UTF-8
    deep = "[" * 100_000 + "]" * 100_000
    cases = {
        "ping": lambda: client.get("/ping/"),
        "json_2mb": lambda: client.post("/api/v1/work-orders/", big, content_type="application/json"),
        "json_depth_100k": lambda: client.post("/api/v1/work-orders/", deep, content_type="application/json"),
        "nul_in_query": lambda: client.get("/api/v1/work-orders/?search=%00abc"),
        "offset_in_query": lambda: client.get("/api/v1/work-orders/?received_after=2026-01-01T00:00:00%2B16:00"),
    }
    results = {}
    for name, call in cases.items():
        call()  # warm-up
        times, statuses = [], set()
        for _ in range(args.repeat):
            response = call()
            statuses.add(response.status_code)
            times.append(float(response["Server-Timing"].split("dur=")[1]))
        results[name] = {"status": sorted(statuses), "median_ms": round(statistics.median(times), 3),
                         "max_ms": round(max(times), 3)}
    ping = results["ping"]["median_ms"]
    for name, row in results.items():
        row["ratio_to_ping"] = round(row["median_ms"] / ping, 1)
        print(f"{name:18} {row['status']}  median {row['median_ms']:8.3f} ms  max {row['max_ms']:8.3f} ms  "
              f"× ping {row['ratio_to_ping']}")


if __name__ == "__main__":
    main()
