"""One typed settings object, read once from the environment.

Every setting is documented in the README (a test keeps the two in step).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    #: PostgreSQL DSN. Unset: 127.0.0.1:5432 if it answers, else an embedded server.
    database_url: str | None = None
    #: Read-only PostgreSQL replica (streaming). Set: public reads that need not see the
    #: viewer's own writes go there; everything else stays on `database_url`.
    database_replica_url: str | None = None
    #: Redis URL. Unset: 127.0.0.1:6379 if it answers, else an embedded server.
    redis_url: str | None = None
    #: `redis_url` is one node of a Redis Cluster: fan-out uses sharded pub/sub
    #: (SSUBSCRIBE/SPUBLISH, Redis >= 7) over channels spread across the shards.
    redis_cluster: bool = False
    #: Prefix of every Redis key and channel: deployments sharing a Redis stay apart.
    redis_namespace: str = "salon"
    #: Database created and used when `database_url` is unset.
    database_name: str = "salon"
    #: Where embedded PostgreSQL/Redis keep their data.
    data_dir: Path = REPO_ROOT / ".salon"
    host: str = "127.0.0.1"
    port: int = 8000
    #: "As if it were" this instant (ISO-8601); time then flows from there.
    now: str | None = None
    log_level: str = "INFO"
    #: Connections per process in the asyncpg pool.
    db_pool_min: int = 2
    db_pool_max: int = 10
    #: Cached GraphQL responses per process (0 turns the response cache off).
    response_cache_size: int = 2048
    max_query_depth: int = 10
    max_query_tokens: int = 2_000
    max_query_aliases: int = 30
    #: Most a document may cost (fields, lists multiplied by their page sizes; schema/cost.py).
    max_query_cost: int = 100_000
    #: Largest GraphQL document accepted, in bytes (before it is even parsed).
    max_query_bytes: int = 32_768
    #: Largest HTTP request body accepted, in bytes (413 beyond, before reading it whole).
    max_body_bytes: int = 262_144
    #: Bytes the response cache may hold per process (bodies and keys together).
    response_cache_bytes: int = 64 * 1024 * 1024
    #: Base URL clients reach this server at (used in calendar feed URLs).
    public_url: str = "http://127.0.0.1:8000"
    #: Web Push: who runs this server, for the push services (RFC 8292 `sub`): a real
    #: `mailto:` or `https:` URL (Apple refuses placeholders). Unset: the public URL
    #: when it is https, else a local address fit only for development.
    vapid_subject: str | None = None
    #: Allow http:// and local push endpoints (tests, a push service on this machine).
    push_allow_insecure: bool = False
    #: Devices one person may receive notifications on.
    push_max_devices: int = 10
    #: Pushes in flight at once per worker.
    push_concurrency: int = 100
    #: Tries per push before it is given up (429 and 5xx answers, network errors).
    push_max_attempts: int = 5
    #: Seconds a claimed push stays with its worker before another may send it.
    push_lease_seconds: float = 60.0
    #: Seconds between two push rounds when nothing wakes the worker.
    push_poll_seconds: float = 1.0
    #: Days a bearer token stays valid.
    token_days: int = 30
    #: SMTP server for sign-in codes; unset: codes are written to the server log.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "Salon SISTEP <no-reply@salon.example>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    #: Minutes before a bookmarked or registered session starts that its REMINDER goes out.
    reminder_minutes: int = 10
    #: Minutes before a demo starts that the exhibitor's followers get DEMO_STARTING.
    demo_reminder_minutes: int = 10
    #: Seconds between two rounds of the reminder jobs.
    reminder_poll_seconds: float = 15.0
    #: Seconds between two relay rounds when no NOTIFY wakes it.
    relay_poll_seconds: float = 1.0
    #: Days a removed session, exhibitor or speaker is remembered for offline copies to
    #: patch (`agendaChanges`); a phone whose copy is older gets a complete one.
    agenda_tombstone_days: int = 30
    #: Notices a subscriber may have waiting before it is cut off as too slow.
    subscriber_queue_size: int = 256
    #: Live subscriptions one websocket may hold.
    max_subscriptions_per_connection: int = 5
    #: Seconds a websocket has to send connection_init.
    connection_init_timeout: float = 5.0
    #: Seconds between websocket pings (dead phones are noticed after two).
    ws_ping_seconds: float = 20.0
    #: Freeze start-up objects out of the garbage collector and raise its thresholds.
    gc_tuning: bool = True
    #: Show GraphiQL at GET /graphql.
    graphiql: bool = True
    #: Count SQL statements per process (used by the N+1 tests).
    count_statements: bool = False
    #: Wrong badge codes one client address may try per 15 minutes (a venue's Wi-Fi is one
    #: address for thousands of phones: keep it generous).
    wrong_badges_per_client: int = 100
    #: Sign-in code guesses one client address may make per 15 minutes, over all
    #: addresses (each code also dies after five): bounds guessing across many mailboxes.
    code_guesses_per_client: int = 200
    #: Sign-in codes mailed to one mailbox (lowercased, without its +tag) per 15 minutes.
    sign_in_mails_per_mailbox: int = 5
    #: Sign-in codes one client address may have mailed per 15 minutes (generous: see above).
    sign_in_mails_per_client: int = 500
    #: Sign-in codes mailed per minute overall (keeps the mail server and its reputation).
    sign_in_mails_per_minute: int = 300
    #: Comma-separated IPs or CIDR networks of reverse proxies whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; empty: proxy headers are ignored.
    trusted_proxies: str = ""
    #: Largest websocket message accepted, in bytes: a bigger subscribe gets an `error`
    #: (BAD_USER_INPUT), any other message closes the socket with 4400.
    ws_max_message_bytes: int = 32_768
    #: Websockets one person may hold at once, over every server process (0: no cap).
    ws_max_sockets_per_person: int = 10
    #: Websockets one client address may hold at once, over every server process (0: no
    #: cap). Generous: a venue's Wi-Fi puts thousands of phones behind one address.
    ws_max_sockets_per_address: int = 10_000
    #: Comma-separated origins (scheme://host[:port], exactly) whose pages may open
    #: websockets besides the server's own; empty: same-origin pages only. Clients that
    #: send no Origin (apps, `salon watch`) are always let in; others get HTTP 403.
    allowed_origins: str = ""
    #: The attendee app's built files (`make web` writes them), served at `/`.
    web_root: Path = REPO_ROOT / "web" / "dist"

    @property
    def push_subject(self) -> str:
        """The VAPID `sub` claim (see `vapid_subject`)."""
        if self.vapid_subject:
            if not self.vapid_subject.startswith(("mailto:", "https:")):
                raise ValueError("SALON_VAPID_SUBJECT must be a mailto: or https: URL")
            return self.vapid_subject
        if self.public_url.startswith("https://"):
            return self.public_url
        return "mailto:salon@localhost"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = env.get(env_name(field.name))
            if raw is None or raw == "":
                continue
            values[field.name] = _parse(field.type, raw, field.name)
        return cls(**values)  # type: ignore[arg-type]


def env_name(field_name: str) -> str:
    """DATABASE_URL, DATABASE_REPLICA_URL and REDIS_URL keep their customary names; the
    rest are SALON_*."""
    if field_name in ("database_url", "database_replica_url", "redis_url"):
        return field_name.upper()
    return "SALON_" + field_name.upper()


def _parse(type_name: object, raw: str, name: str) -> object:
    text = str(type_name)
    if text.startswith("int"):
        return int(raw)
    if text.startswith("float"):
        return float(raw)
    if text.startswith("bool"):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{env_name(name)} must be true or false, not {raw!r}")
    if text.startswith("Path"):
        return Path(raw)
    return raw
