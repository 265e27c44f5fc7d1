"""`python -m service.auth.devtoken CUSTOMER`: print a development JWT for that customer."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from service.auth.tokens import CUSTOMER_ID, issue_token
from service.kit.clock import SystemClock
from service.kit.settings import Environment, settings_for_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("customer", help="the customer id the token acts for (its sub claim)")
    args = parser.parse_args(argv)
    settings = settings_for_cli("devtoken")
    if settings.environment == Environment.PRODUCTION:
        sys.stderr.write("devtoken: HARBOR_ENVIRONMENT is production; issue tokens elsewhere\n")
        return 2
    if not CUSTOMER_ID.fullmatch(args.customer):
        sys.stderr.write(
            f"devtoken: {args.customer!r} is not a customer id (1-64 of A-Z a-z 0-9 _ -)\n"
        )
        return 2
    try:
        token = issue_token(
            settings,
            args.customer,
            now=SystemClock().now(),
            # No longer than the server accepts, whatever the two settings say.
            ttl=timedelta(
                seconds=min(settings.dev_token_ttl_seconds, settings.jwt_max_lifetime_seconds)
            ),
        )
    except ValueError as exc:
        sys.stderr.write(f"devtoken: {exc}\n")
        return 2
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
