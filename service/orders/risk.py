"""The risk score of a new order: a few plain rules, 0 (none) to 100; stored, never shown."""

from __future__ import annotations

from generated import models

_COMMON_CURRENCIES = frozenset({"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN"})


def risk_score(order: models.OrderCreate) -> int:
    score = 0
    if order.amount_cents >= 1_000_000:
        score += 40
    elif order.amount_cents >= 100_000:
        score += 15
    if order.payment_method is None:
        score += 20
    elif order.payment_method.type == "bank_transfer":
        score += 10
    if order.currency not in _COMMON_CURRENCIES:
        score += 15
    if order.statement_descriptor is None:
        score += 5
    return min(score, 100)
