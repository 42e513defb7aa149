"""The sampling math, pure Python (no database), so it is tested exhaustively on its own.

A draw takes the ids of the orders a sample rule matched in one period and picks
k = ceil(share × N) of them (never below the configured share, whatever N), then flags
m = ceil(onsite_share × k) of the picked ones as on site. The random generator is seeded from
the rule and the period, so the same period always gives the same orders (an auditor can re-run
it), and a different period gives a different pick.
"""

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Draw:
    selected: list[int]  # in draw order
    onsite: frozenset[int]
    population: int

    @property
    def actual_percent(self) -> float:
        return round(100 * len(self.selected) / self.population, 2) if self.population else 0.0


def sample_size(population: int, percent: Decimal | float | int) -> int:
    """ceil(percent% × population), computed exactly (Decimal), capped at the population."""
    if population <= 0 or percent <= 0:
        return 0
    exact = Decimal(str(percent)) * population / 100
    return min(population, math.ceil(exact))


def seed_for(*, rule_id: int, period_start: date) -> str:
    return f"callback-rule-{rule_id}:{period_start.isoformat()}"


def draw(ids, *, seed: str, percent, onsite_percent) -> Draw:
    """Pick the sample from `ids` (order ids; their order does not matter)."""
    population = sorted(set(ids))
    k = sample_size(len(population), percent)
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
    selected = rng.sample(population, k)
    m = sample_size(k, onsite_percent)
    return Draw(selected=selected, onsite=frozenset(selected[:m]), population=len(population))


def period_bounds(period: str, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the week (Monday 00:00) or month containing `day`, in the site's zone."""
    if period == "month":
        start_day = day.replace(day=1)
        end_day = (start_day + timedelta(days=32)).replace(day=1)
    else:
        start_day = day - timedelta(days=day.weekday())
        end_day = start_day + timedelta(days=7)
    return (datetime.combine(start_day, time.min, tzinfo=tz), datetime.combine(end_day, time.min, tzinfo=tz))


def previous_period_start(period: str, today: date) -> date:
    """The first day of the last period that has fully ended before `today`."""
    if period == "month":
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    this_week = today - timedelta(days=today.weekday())
    return this_week - timedelta(days=7)
