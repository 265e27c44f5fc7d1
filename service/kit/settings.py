"""The service's settings: one pydantic-settings class read from HARBOR_* variables, built once."""

from __future__ import annotations

import ipaddress
import sys
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.kit.urls import DatabaseUrl, Dialect

# Well known on purpose: `make run`, `make token` and the tests share them, and a server whose
# environment says production refuses to start with either of them.
DEVELOPMENT_JWT_KEY = "harbor-development-signing-key-do-not-use-in-production-0123456789"
DEVELOPMENT_CURSOR_KEY = "harbor-development-cursor-key-do-not-use-in-production"
# A Fernet key (32 bytes, url-safe base64) that seals webhook signing secrets outside production.
DEVELOPMENT_WEBHOOKS_SECRET_KEY = "aGFyYm9yLWRldmVsb3BtZW50LXdlYmhvb2tzLWtleSE="

JwtAlgorithm = Literal[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"
]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class SettingsError(ValueError):
    """A setting combination the service refuses to start with."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _is_fernet_key(value: str) -> bool:
    try:
        Fernet(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def _is_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


class Settings(BaseSettings):
    """Everything the service is configured with; read from the environment once at start-up."""

    model_config = SettingsConfigDict(env_prefix="HARBOR_", frozen=True, extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    # DATABASE_URL without the prefix too: it is the name every platform and `make run` use.
    database_url: str = Field(
        default="sqlite:///var/harbor.db",
        validation_alias=AliasChoices("HARBOR_DATABASE_URL", "DATABASE_URL"),
    )
    db_pool_min: int = Field(default=2, ge=0, le=100)
    db_pool_max: int = Field(default=10, ge=1, le=500)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_seconds: float = Field(default=10.0, gt=0)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)

    jwt_algorithm: JwtAlgorithm = "HS256"
    # The verification key: the shared secret for HS*, a PEM public key otherwise.
    jwt_key: SecretStr = SecretStr(DEVELOPMENT_JWT_KEY)
    jwt_issuer: str = "https://auth.harbor.example"
    jwt_audience: str = "harbor-payments-api"
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwt_cache_size: int = Field(default=10_000, ge=0)
    # The longest a token may live (exp - iat): a stolen token with a far-future exp is refused.
    jwt_max_lifetime_seconds: int = Field(default=86_400, ge=60, le=31_536_000)
    dev_token_ttl_seconds: int = Field(default=86_400, ge=60)

    cursor_key: SecretStr = SecretStr(DEVELOPMENT_CURSOR_KEY)
    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)
    idempotency_cleanup_interval_seconds: float = Field(default=300.0, ge=0)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_allow_credentials: bool = False
    max_body_bytes: int = Field(default=65_536, ge=1)
    ready_timeout_seconds: float = Field(default=2.0, gt=0)

    # Abuse limits (README "Limits"). Rate limits are token buckets per worker process: with
    # N workers a client can get up to N times these. 0 turns every rate limit off.
    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Where the per-customer buckets live: `memory` (each worker its own, no cost) or
    # `database` (one exact limit for every worker and host, one statement per request;
    # PostgreSQL only).
    rate_limit_store: Literal["memory", "database"] = "memory"
    # Requests whose token fails verification, per client address: slows token guessing.
    auth_failure_rate_per_second: float = Field(default=1.0, ge=0)
    auth_failure_burst: int = Field(default=20, ge=1)
    rate_limit_max_keys: int = Field(default=100_000, ge=1)
    # How long each process trusts its copy of a customer's API version pin: a pin moved through
    # the API takes effect in every other process within this time. 0 turns the cache off.
    version_pin_cache_seconds: float = Field(default=30.0, ge=0)
    # How often each process adds its counts of deprecated operations' calls to the database
    # (one statement per flush; also at shutdown). What a killed process counted since is lost.
    usage_flush_seconds: float = Field(default=60.0, gt=0)
    # The whole request, from the first byte the app sees to the response: 503 when exceeded.
    # 0 turns it off.
    request_timeout_seconds: float = Field(default=30.0, ge=0)
    # The request line and all headers together (431 beyond), and how many header lines.
    max_header_bytes: int = Field(default=16_384, ge=1024)
    max_headers: int = Field(default=100, ge=8)
    # uvicorn: requests/connections at once per worker (503 beyond; None: no limit), the listen
    # backlog, idle keep-alive, and how long SIGTERM waits for requests in flight.
    limit_concurrency: int | None = Field(default=None, ge=1)
    # The peers (addresses or networks, comma-separated; "*" any, empty none) whose
    # X-Forwarded-For and X-Forwarded-Proto are believed: the proxy in front. The client address
    # is what the failed-token limit and the access log count.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    backlog: int = Field(default=2048, ge=1)
    keep_alive_seconds: int = Field(default=5, ge=1)
    shutdown_grace_seconds: int = Field(default=20, ge=0)

    # Webhooks (service.webhooks). Private targets: None means allowed unless in production,
    # where True is refused: the worker must not be a way into the internal network.
    webhooks_allow_private: bool | None = None
    webhooks_max_endpoints_per_customer: int = Field(default=16, ge=1, le=1000)
    webhooks_max_attempts: int = Field(default=15, ge=1, le=50)
    webhooks_backoff_base_seconds: float = Field(default=30.0, gt=0)
    webhooks_backoff_max_seconds: float = Field(default=14_400.0, gt=0)
    webhooks_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # The whole attempt (connect, send, answer), however slowly the receiver trickles bytes.
    webhooks_timeout_seconds: float = Field(default=15.0, gt=0)
    # A claimed delivery is the worker's for this long; a worker that dies loses it then.
    webhooks_lease_seconds: float = Field(default=60.0, gt=0)
    webhooks_concurrency: int = Field(default=16, ge=1, le=1000)
    webhooks_dispatch_batch: int = Field(default=100, ge=1, le=10_000)
    webhooks_poll_interval_seconds: float = Field(default=0.5, gt=0)
    webhooks_shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    # Fernet keys (comma-separated) sealing the endpoints' signing secrets in the database: the
    # first seals, every one opens (add a new key first, `rekey`, then drop the old one).
    webhooks_secret_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=lambda: [SecretStr(DEVELOPMENT_WEBHOOKS_SECRET_KEY)]
    )

    access_log: bool = True
    # FastAPI's native OpenTelemetry (spans, metrics, exception logs) once an SDK provider is
    # configured. Off by default: the service ships no SDK, and left on, FastAPI asks on every
    # request whether one has appeared since (about 10 µs a request, measured by make bench).
    opentelemetry: bool = False
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: LogFormat = LogFormat.JSON

    @model_validator(mode="before")
    @classmethod
    def _origins_from_csv(cls, data: object) -> object:
        if isinstance(data, dict):
            for csv in ("cors_origins", "forwarded_allow_ips", "webhooks_secret_keys"):
                if csv in data:
                    data = {**data, csv: _split_csv(data[csv])}
        return data

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if "*" in self.cors_origins and self.cors_allow_credentials:
            raise SettingsError(
                "HARBOR_CORS_ORIGINS contains '*' while HARBOR_CORS_ALLOW_CREDENTIALS is true; "
                "list the origins explicitly"
            )
        for peer in self.forwarded_allow_ips:
            if peer != "*" and not _is_network(peer):
                raise SettingsError(
                    f"HARBOR_FORWARDED_ALLOW_IPS: {peer!r} is not an IP address or network "
                    "(e.g. 10.0.0.5, 10.0.0.0/8) nor '*'"
                )
        if not self.webhooks_secret_keys:
            raise SettingsError("HARBOR_WEBHOOKS_SECRET_KEYS is empty: name at least one key")
        for position, key in enumerate(self.webhooks_secret_keys, start=1):
            if not _is_fernet_key(key.get_secret_value()):
                raise SettingsError(
                    f"HARBOR_WEBHOOKS_SECRET_KEYS: key {position} is not a Fernet key (32 random "
                    "bytes in url-safe base64, 44 characters; `python -m service.webhooks "
                    "new-key` prints one)"
                )
        if self.rate_limit_store == "database" and self.database.dialect is Dialect.SQLITE:
            raise SettingsError(
                "HARBOR_RATE_LIMIT_STORE=database needs PostgreSQL: on SQLite every request "
                "would take the one write lock; use memory (one process serves SQLite anyway)"
            )
        if self.db_pool_min > self.db_pool_max:
            raise SettingsError("HARBOR_DB_POOL_MIN is larger than HARBOR_DB_POOL_MAX")
        if self.webhooks_lease_seconds <= self.webhooks_timeout_seconds:
            raise SettingsError(
                "HARBOR_WEBHOOKS_LEASE_SECONDS must exceed HARBOR_WEBHOOKS_TIMEOUT_SECONDS, or "
                "a slow attempt's delivery is claimed again while it is still being sent"
            )
        if self.webhooks_connect_timeout_seconds > self.webhooks_timeout_seconds:
            raise SettingsError(
                "HARBOR_WEBHOOKS_CONNECT_TIMEOUT_SECONDS is larger than "
                "HARBOR_WEBHOOKS_TIMEOUT_SECONDS"
            )
        if self.environment == Environment.PRODUCTION:
            if self.jwt_key.get_secret_value() == DEVELOPMENT_JWT_KEY:
                raise SettingsError(
                    "production refuses the development JWT key: set HARBOR_JWT_KEY"
                )
            if self.cursor_key.get_secret_value() == DEVELOPMENT_CURSOR_KEY:
                raise SettingsError(
                    "production refuses the development cursor key: set HARBOR_CURSOR_KEY"
                )
            if any(
                key.get_secret_value() == DEVELOPMENT_WEBHOOKS_SECRET_KEY
                for key in self.webhooks_secret_keys
            ):
                raise SettingsError(
                    "production refuses the development webhook secrets key: set "
                    "HARBOR_WEBHOOKS_SECRET_KEYS (`python -m service.webhooks new-key` prints one)"
                )
            if self.webhooks_allow_private:
                raise SettingsError(
                    "production refuses HARBOR_WEBHOOKS_ALLOW_PRIVATE=true: webhooks must not "
                    "reach loopback or private addresses"
                )
        self.database  # noqa: B018 - parse now, so a bad URL fails at start-up
        return self

    @cached_property
    def database(self) -> DatabaseUrl:
        return DatabaseUrl.parse(self.database_url)

    @property
    def webhooks_secret_key_values(self) -> list[str]:
        return [key.get_secret_value() for key in self.webhooks_secret_keys]

    @property
    def webhooks_private_targets_allowed(self) -> bool:
        """Whether webhook URLs may use http:// and loopback/private addresses (tests, make run)."""
        if self.webhooks_allow_private is None:
            return self.environment != Environment.PRODUCTION
        return self.webhooks_allow_private


def settings_for_cli(program: str) -> Settings:
    """The settings, or one line on stderr naming what to fix and exit code 2 (for the CLIs)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'settings'}: {error['msg']}"
            for error in exc.errors()
        )
        sys.stderr.write(f"{program}: the HARBOR_* settings are invalid: {problems}\n")
        raise SystemExit(2) from None
