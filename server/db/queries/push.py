"""SQL of Web Push: the VAPID key, people's devices, and each notice's deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.db.queries.common import Executor


@dataclass(frozen=True, slots=True)
class KeyRow:
    private_pem: str
    public_key: str


@dataclass(frozen=True, slots=True)
class DeviceDraft:
    endpoint: str
    p256dh: str
    auth: str
    lang: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery: the device it goes to (its notice is read once per batch)."""

    notice_id: int
    subscription_id: int
    attempts: int
    endpoint: str
    p256dh: str
    auth: str
    lang: str


@dataclass(frozen=True, slots=True)
class PushNotice:
    """What a notice's pushes say and until when they matter."""

    id: int
    seq: int
    kind: str
    priority: str
    title_fr: str
    title_en: str | None
    body_fr: str
    body_en: str | None
    session_id: str | None
    exhibitor_id: str | None
    send_at: datetime
    session_starts_at: datetime | None
    session_ends_at: datetime | None
    meeting_id: int | None = None
    meeting_starts_at: datetime | None = None
    meeting_ends_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnplannedNotice:
    id: int
    priority: str
    everyone: bool
    roles: list[str]


async def key(db: Executor) -> KeyRow | None:
    row = await db.fetchrow("SELECT private_pem, public_key FROM push_key WHERE id = 1")
    return KeyRow(row["private_pem"], row["public_key"]) if row else None


async def insert_key_once(db: Executor, private_pem: str, public_key: str, now: datetime) -> None:
    """Keeps the first key written: processes starting together agree on one."""
    await db.execute(
        """INSERT INTO push_key (id, private_pem, public_key, created_at) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO NOTHING""",
        private_pem,
        public_key,
        now,
    )


async def save_device(
    db: Executor, person_id: int, device: DeviceDraft, now: datetime, *, max_devices: int
) -> bool:
    """Insert or update (by endpoint) a device of this person; False when the person
    already has `max_devices` others. Call inside a transaction: the person's row is
    locked while the devices are counted, so concurrent registrations cannot pass the cap."""
    await db.execute("SELECT 1 FROM person WHERE id = $1 FOR UPDATE", person_id)
    others = await db.fetchval(
        "SELECT count(*) FROM push_subscription WHERE person_id = $1 AND endpoint <> $2",
        person_id,
        device.endpoint,
    )
    if others >= max_devices:
        return False
    await db.execute(
        """INSERT INTO push_subscription
             (person_id, endpoint, p256dh, auth, lang, expires_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
           ON CONFLICT (endpoint) DO UPDATE SET
             person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth,
             lang = excluded.lang, expires_at = excluded.expires_at,
             updated_at = excluded.updated_at""",
        person_id,
        device.endpoint,
        device.p256dh,
        device.auth,
        device.lang,
        device.expires_at,
        now,
    )
    return True


async def delete_device(db: Executor, person_id: int, endpoint: str) -> bool:
    status = await db.execute(
        "DELETE FROM push_subscription WHERE person_id = $1 AND endpoint = $2", person_id, endpoint
    )
    return status != "DELETE 0"


async def owner_by_secret(db: Executor, endpoint: str, auth: str) -> int | None:
    """The person whose device this is, when `auth` is its secret (a proof of possession)."""
    row = await db.fetchrow(
        "SELECT person_id, auth FROM push_subscription WHERE endpoint = $1", endpoint
    )
    if row is None or row["auth"] != auth:
        return None
    person_id: int = row["person_id"]
    return person_id


async def forget_device(db: Executor, subscription_id: int) -> None:
    await db.execute("DELETE FROM push_subscription WHERE id = $1", subscription_id)


async def device_count(db: Executor, person_id: int) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM push_subscription WHERE person_id = $1", person_id
    )
    return count


# --- the worker: planning --------------------------------------------------------


async def unplanned(db: Executor, limit: int) -> list[UnplannedNotice]:
    rows = await db.fetch(
        """SELECT id, priority, everyone, roles FROM notice
            WHERE published_at IS NOT NULL AND push_planned_at IS NULL
            ORDER BY seq LIMIT $1""",
        limit,
    )
    return [UnplannedNotice(r["id"], r["priority"], r["everyone"], list(r["roles"])) for r in rows]


_AUDIENCE_DEVICES = """
    SELECT s.id, s.person_id FROM push_subscription s, notice n
     WHERE n.id = $1
       AND (n.everyone
            OR EXISTS (SELECT 1 FROM person_role r
                        WHERE r.person_id = s.person_id AND r.role = any(n.roles))
            OR EXISTS (SELECT 1 FROM notice_recipient nr
                        WHERE nr.notice_id = n.id AND nr.person_id = s.person_id))"""


async def audience_people(db: Executor, notice_id: int) -> list[int]:
    """The people with a device among this notice's audience."""
    rows = await db.fetch(f"SELECT DISTINCT person_id FROM ({_AUDIENCE_DEVICES}) d", notice_id)
    return [r[0] for r in rows]


async def plan_deliveries(
    db: Executor,
    notice_id: int,
    skipped_people: Sequence[int],
    now: datetime,
    *,
    after: int,
    limit: int,
) -> tuple[int, int | None]:
    """One delivery per device of the audience whose id is above `after`, at most
    `limit` of them (PENDING, or SKIPPED for the people given); returns how many devices
    the chunk covered and the last one's id (None: no device left). Idempotent: a second
    run adds nothing."""
    rows = await db.fetch(
        f"""WITH chunk AS (
              SELECT d.id, d.person_id FROM ({_AUDIENCE_DEVICES}) d
               WHERE d.id > $4 ORDER BY d.id LIMIT $5),
            written AS (
              INSERT INTO push_delivery (notice_id, subscription_id, state, due_at)
              SELECT $1, c.id,
                     CASE WHEN c.person_id = any($2::bigint[]) THEN 'SKIPPED' ELSE 'PENDING' END,
                     $3
                FROM chunk c
              ON CONFLICT DO NOTHING)
            SELECT count(*) AS covered, max(id) AS last_id FROM chunk""",
        notice_id,
        list(skipped_people),
        now,
        after,
        limit,
    )
    return int(rows[0]["covered"]), rows[0]["last_id"]  # an aggregate: always one row


async def mark_planned(db: Executor, notice_id: int, now: datetime) -> None:
    await db.execute("UPDATE notice SET push_planned_at = $2 WHERE id = $1", notice_id, now)


# --- the worker: sending ---------------------------------------------------------


async def claim_due(db: Executor, now: datetime, lease: timedelta, limit: int) -> list[DueDelivery]:
    """Take up to `limit` due deliveries for `lease`: another sender skips them, and if
    this one dies they are due again when the lease ends. Only the devices: a broadcast's
    thousands of rows would each repeat the same notice."""
    rows = await db.fetch(
        """WITH claimed AS (
             UPDATE push_delivery d SET due_at = $1::timestamptz + $2::interval,
                                        attempts = d.attempts + 1
              WHERE (d.notice_id, d.subscription_id) IN (
                    SELECT notice_id, subscription_id FROM push_delivery
                     WHERE state = 'PENDING' AND due_at <= $1
                     ORDER BY due_at, notice_id LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING d.notice_id, d.subscription_id, d.attempts)
           SELECT c.notice_id, c.subscription_id, c.attempts,
                  s.endpoint, s.p256dh, s.auth, s.lang
             FROM claimed c JOIN push_subscription s ON s.id = c.subscription_id""",
        now,
        lease,
        limit,
    )
    return [DueDelivery(*r) for r in rows]  # the columns in the dataclass's order


async def push_notices(db: Executor, ids: Sequence[int]) -> list[PushNotice]:
    rows = await db.fetch(
        """SELECT n.id, n.seq, n.kind, n.priority, n.title_fr, n.title_en, n.body_fr, n.body_en,
                  n.session_id, n.exhibitor_id, n.send_at,
                  x.starts_at AS session_starts_at, x.ends_at AS session_ends_at,
                  n.meeting_id, lower(m.during) AS meeting_starts_at,
                  upper(m.during) AS meeting_ends_at
             FROM notice n LEFT JOIN session x ON x.id = n.session_id
             LEFT JOIN meeting m ON m.id = n.meeting_id
            WHERE n.id = any($1::bigint[])""",
        list(ids),
    )
    return [PushNotice(*r) for r in rows]  # the columns in the dataclass's order


async def mark_sent(
    db: Executor, keys: Sequence[tuple[int, int]], status: int, now: datetime
) -> None:
    """One statement for a whole flush (not one per push)."""
    await db.execute(
        """UPDATE push_delivery d SET state = 'SENT', sent_at = $3, last_status = $4
             FROM unnest($1::bigint[], $2::bigint[]) AS k (notice_id, subscription_id)
            WHERE d.notice_id = k.notice_id AND d.subscription_id = k.subscription_id""",
        [n for n, _ in keys],
        [s for _, s in keys],
        now,
        status,
    )


async def mark_retry(
    db: Executor, notice_id: int, subscription_id: int, due_at: datetime, status: int | None
) -> None:
    await db.execute(
        """UPDATE push_delivery SET due_at = $3, last_status = $4
            WHERE notice_id = $1 AND subscription_id = $2""",
        notice_id,
        subscription_id,
        due_at,
        status,
    )


async def mark_final(
    db: Executor, notice_id: int, subscription_id: int, state: str, status: int | None
) -> None:
    """FAILED (refused, or out of attempts) or EXPIRED (no longer worth sending)."""
    await db.execute(
        """UPDATE push_delivery SET state = $3, last_status = $4
            WHERE notice_id = $1 AND subscription_id = $2""",
        notice_id,
        subscription_id,
        state,
        status,
    )


async def delivery_states(db: Executor, notice_id: int) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT state, count(*) FROM push_delivery WHERE notice_id = $1 GROUP BY state",
        notice_id,
    )
    return {r[0]: r[1] for r in rows}
