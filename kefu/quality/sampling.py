"""The weekly sampling math and the weighted score, pure Python (no database).

Each agent's sample of a week is drawn with a generator seeded by the agent and the week, so
the same week always gives the same orders (an auditor can re-run it), another week or another
agent a different pick, and adding orders of other agents changes nothing.
"""

import hashlib
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the week, in the site's zone."""
    start = datetime.combine(week_start, time.min, tzinfo=tz)
    return start, datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=tz)


def seed_for(*, agent_id: int, week_start: date) -> str:
    return f"qa-agent-{agent_id}:{week_start.isoformat()}"


def draw(ids, *, seed: str, size: int) -> list[int]:
    """Pick min(size, N) of the order ids (their order does not matter), in draw order."""
    population = sorted(set(ids))
    k = max(0, min(size, len(population)))
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
    return rng.sample(population, k)


TWO_PLACES = Decimal("0.01")


def weighted_score(rows) -> Decimal:
    """Σ weight × points / Σ weight over (weight, points) pairs, points 0–100, to two places."""
    rows = list(rows)
    total_weight = sum(Decimal(w) for w, _p in rows)
    if not total_weight:
        return Decimal("0.00")
    total = sum(Decimal(w) * Decimal(p) for w, p in rows) / total_weight
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
