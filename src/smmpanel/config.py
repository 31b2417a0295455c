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
    # the website (smmpanel.web)
    public_url: str = ""  # e.g. https://panel.example.com: links on the API page; https → Secure cookies
    signup: str = "open"  # "closed": /signup refuses new customers


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
