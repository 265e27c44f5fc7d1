"""`python -m tests.clients.live -- COMMAND...`: run COMMAND against the real service.

For the TypeScript client's tests (`make test-clients-ts`): serves the service on a free port
(SQLite, then PostgreSQL too when TEST_DATABASE_URL is set) with its webhook delivery worker, and
runs COMMAND once per database with HARBOR_TEST_URL set, and three fresh customers with their tokens: HARBOR_TEST_CUSTOMER
and HARBOR_TEST_TOKEN, HARBOR_TEST_LISTER and HARBOR_TEST_LISTER_TOKEN, HARBOR_TEST_SMOKE and
HARBOR_TEST_SMOKE_TOKEN (the smoke scenario's).
Exits with the first failing status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from harbor_pipeline.fuzz.server import fresh_database, live_server, mint_token
from tests.clients.webhook_worker import webhook_worker


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    postgres = os.environ.get("TEST_DATABASE_URL")
    for database in (None, postgres) if postgres else (None,):
        with (
            fresh_database(database) as url,
            live_server(url) as server,
            webhook_worker(server),
        ):
            env = {**os.environ, "HARBOR_TEST_URL": server.url}
            for name, token in (
                ("CUSTOMER", "TOKEN"),
                ("LISTER", "LISTER_TOKEN"),
                ("SMOKE", "SMOKE_TOKEN"),
            ):
                customer = f"cus_ts_{uuid.uuid4().hex[:10]}"
                env[f"HARBOR_TEST_{name}"] = customer
                env[f"HARBOR_TEST_{token}"] = mint_token(server, customer)
            print(f"{' '.join(command)} against {url.split('://')[0]} at {server.url}", flush=True)
            status = subprocess.run(command, env=env, check=False).returncode
            if status:
                return status
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
