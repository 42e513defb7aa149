"""How an indicator's value becomes points and how points add up, pure Python (no database).

Values are percent (92.5 for 92.5 %) or points (0–100); every result has two decimals, rounded
half up, so a hand calculation in a test matches to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal

from kefu.kpi.choices import Rule

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")


def q2(value) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def points(*, rule: str, value, floor=None, target=None) -> Decimal | None:
    """0–100 points for `value` under `rule` (None when there is no value):

    linear — 0 at or below `floor`, 100 at or above `target`, proportional between;
    threshold — 100 at or above `target`, else 0;
    manual — the value itself (already 0–100).
    """
    if value is None:
        return None
    value = Decimal(value)
    if rule == Rule.MANUAL:
        return q2(min(max(value, Decimal(0)), HUNDRED))
    target = Decimal(target)
    if rule == Rule.THRESHOLD:
        return q2(HUNDRED if value >= target else 0)
    floor = Decimal(floor)
    if value >= target:
        return q2(HUNDRED)
    if value <= floor:
        return q2(0)
    return q2(HUNDRED * (value - floor) / (target - floor))


def weighted(*, score, weight) -> Decimal | None:
    """The line's contribution to the total: points × weight %."""
    if score is None:
        return None
    return q2(Decimal(score) * Decimal(weight) / HUNDRED)


def total(contributions) -> Decimal:
    """Σ of the lines' weighted points; a line without a value contributes nothing."""
    return q2(sum((Decimal(c) for c in contributions if c is not None), Decimal(0)))


def weights_error(weights) -> str | None:
    """None when the weights sum to exactly 100 %, else the sum (for the message)."""
    s = sum((Decimal(w) for w in weights), Decimal(0))
    return None if s == HUNDRED else f"{q2(s)}"
