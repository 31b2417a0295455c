"""All settings, from `SMMPANEL_*` environment variables (or an optional `.env` file), in one place."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMMPANEL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///smmpanel.db"
    host: str = "127.0.0.1"
    port: int = 8000
    currency: str = "USD"
    refill_cooldown_hours: float = 24
    max_body_bytes: int = 1024 * 1024
    max_ids: int = 100
    run_worker: bool = True  # `serve` runs the fulfilment engine in-process (the embedded set-up)
    worker_interval: float = 5.0  # seconds between engine cycles
    worker_check_every: int = 60  # seconds between status checks of an in-flight order (doubling when quiet)
    worker_max_check_every: int = 900  # … up to this: a quiet order is still checked every 15 minutes
    log_level: str = "info"
    secret_key: str = ""  # seals provider API keys at rest (vault.py); required by serve/worker outside the demo
    # the website (smmpanel.web)
    public_url: str = ""  # e.g. https://panel.example.com: links on the API page; https → Secure cookies
    signup: str = "open"  # "closed": /signup refuses new customers
    # the server in the open (server.py): slow or idle clients are cut off, connections are capped
    header_timeout: float = 10.0  # seconds from connect (or the previous answer) to a complete request head
    body_timeout: float = 30.0  # seconds from the head to the last byte of the body
    keepalive_timeout: float = 5.0  # seconds an idle keep-alive connection stays open
    max_connections: int = 1000  # connections (and requests) in flight per process; more are answered 503
    workers: int = 1  # `serve` processes (PostgreSQL only)
    # rate limits (api/ratelimit.py): requests per second and burst; 0 turns a limit off
    rate_limit_key_rps: float = 20.0
    rate_limit_key_burst: int = 200
    rate_limit_address_rps: float = 100.0
    rate_limit_address_burst: int = 1000
    trusted_proxies: str = ""  # comma-separated addresses/CIDRs whose X-Forwarded-For is believed
    redis_url: str = ""  # shared rate limits across API nodes, e.g. redis://127.0.0.1:6379/0
    # observability (api/health.py, metrics.py)
    metrics_enabled: bool = False  # serve Prometheus metrics at /metrics
    metrics_token: str = ""  # when set, /metrics wants `Authorization: Bearer <token>`


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
