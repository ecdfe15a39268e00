"""Sign-in under attack: concurrent guesses, mail bombing, forged client addresses.

Every burst is fired at once (asyncio.gather) at the real app served over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.auth.signin import CODE_GUESSES, NO_LIVE_CODE, wrong_code
from server.client_address import uvicorn_proxy_options
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import GraphQLClient, LiveServer, Mailbox, start_server, stop_server
from tests.processes import free_port, serving, spawn

REQUEST = "mutation($e: String!) { requestSignInCode(email: $e) }"
SIGN_IN = """mutation($e: String!, $c: String!) {
  signIn(email: $e, code: $c) { token me { email } } }"""
BADGE = "mutation($b: String!) { signInWithBadge(badgeCode: $b) { token me { name } } }"

NO_BADGE = ("UNAUTHENTICATED", "No badge has that code.")
BADGES_LIMITED = (
    "RATE_LIMITED",
    "Too many wrong badge codes from your network. Try again in 15 minutes.",
)
MAILBOX_LIMITED = (
    "RATE_LIMITED",
    "Too many codes were asked for this address. Try again in 15 minutes.",
)


class CountingMailbox(Mailbox):
    """conftest's real SMTP server, also counting the mails each address got.

    A mail is counted before the server answers 250 to the app, and the app answers
    requestSignInCode only after that: once the responses are in, so are the counts.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._lock = threading.Lock()
        self._received: Counter[str] = Counter()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        with self._lock:
            self._received.update(envelope.rcpt_tos)
        return await super().handle_DATA(server, session, envelope)

    def received(self) -> Counter[str]:
        with self._lock:
            return Counter(self._received)


@pytest.fixture(scope="module")
async def box() -> AsyncIterator[CountingMailbox]:
    mailbox = CountingMailbox(asyncio.get_running_loop())
    mailbox.controller.start()
    yield mailbox
    mailbox.controller.stop()


@contextlib.asynccontextmanager
async def served(
    settings: Settings, box: CountingMailbox, **changes: Any
) -> AsyncIterator[tuple[LiveServer, GraphQLClient]]:
    """A server of its own: fresh Redis counters, mailing to `box`, with `changes`."""
    own = replace(
        settings,
        smtp_port=box.port,
        redis_namespace=f"{settings.redis_namespace}-{secrets.token_hex(3)}",
        **changes,
    )
    live, server, task = await start_server(own)
    try:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            yield live, GraphQLClient(http)
    finally:
        await stop_server(server, task)


def new_email() -> str:
    return f"target-{secrets.token_hex(4)}@mail.example"


def outcome(body: dict[str, Any]) -> tuple[str, str]:
    """(extensions.code, message) of the one error, or ("OK", what was signed in as)."""
    if body.get("errors"):
        [error] = body["errors"]
        return error["extensions"]["code"], error["message"]
    data = body["data"]
    if "signIn" in data:
        return "OK", data["signIn"]["me"]["email"]
    if "signInWithBadge" in data:
        return "OK", data["signInWithBadge"]["me"]["name"]
    return "OK", str(data["requestSignInCode"])


def wrong_codes(right: str, count: int) -> list[str]:
    return [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, count + 1)]


async def ask_code(gql: GraphQLClient, mailbox: Mailbox, email: str) -> str:
    assert await gql.data(REQUEST, {"e": email}) == {"requestSignInCode": True}
    return await mailbox.sign_in_code(email)


async def attempts_on_codes(db: asyncpg.Connection[Any], email: str) -> list[tuple[int, bool]]:
    """(attempts, used) of each code of `email`, oldest first."""
    rows = await db.fetch(
        "SELECT attempts, used_at IS NOT NULL AS used FROM sign_in_code"
        " WHERE email = $1 ORDER BY id",
        email,
    )
    return [(r["attempts"], r["used"]) for r in rows]


# --- 1. concurrent guessing of an e-mailed code -------------------------------------------


async def test_sixty_concurrent_wrong_codes_compare_five_then_the_code_is_dead(
    gql_http: GraphQLClient, mailbox: Mailbox, db: asyncpg.Connection[Any]
) -> None:
    email = new_email()
    right = await ask_code(gql_http, mailbox, email)
    bodies = await asyncio.gather(
        *(gql_http(SIGN_IN, {"e": email, "c": wrong}) for wrong in wrong_codes(right, 60))
    )
    # Exactly five guesses were compared (each says how many tries it left); the other
    # 55 found a dead code and compared nothing.
    assert Counter(outcome(b) for b in bodies) == Counter(
        {("UNAUTHENTICATED", wrong_code(left)): 1 for left in range(CODE_GUESSES)}
        | {("UNAUTHENTICATED", NO_LIVE_CODE): 60 - CODE_GUESSES}
    )
    assert await attempts_on_codes(db, email) == [(CODE_GUESSES, False)]
    # Even the right code is now refused, and compared no more.
    assert outcome(await gql_http(SIGN_IN, {"e": email, "c": right})) == (
        "UNAUTHENTICATED",
        NO_LIVE_CODE,
    )
    assert await attempts_on_codes(db, email) == [(CODE_GUESSES, False)]
    # A new code works (the address was never locked).
    fresh = await ask_code(gql_http, mailbox, email)
    assert outcome(await gql_http(SIGN_IN, {"e": email, "c": fresh})) == ("OK", email)
    assert await attempts_on_codes(db, email) == [(CODE_GUESSES, False), (1, True)]


async def test_the_right_code_in_a_burst_of_wrong_ones_counts_as_one_of_the_five(
    gql_http: GraphQLClient, mailbox: Mailbox, db: asyncpg.Connection[Any]
) -> None:
    email = new_email()
    right = await ask_code(gql_http, mailbox, email)
    guesses = wrong_codes(right, 59)
    guesses.insert(30, right)
    bodies = await asyncio.gather(*(gql_http(SIGN_IN, {"e": email, "c": c}) for c in guesses))
    [(attempts, used)] = await attempts_on_codes(db, email)
    # Whether the right code came among the first five compared depends on arrival;
    # either way no more than five were compared, and only a compared one could win.
    expected: dict[tuple[str, str], int]
    if used:  # it was compared k-th (k = attempts): k-1 wrong ones before it, none after
        assert attempts in range(1, CODE_GUESSES + 1)
        expected = {("OK", email): 1} | {
            ("UNAUTHENTICATED", wrong_code(CODE_GUESSES - n)): 1 for n in range(1, attempts)
        }
    else:  # it came after the fifth: refused like the rest, without being compared
        assert attempts == CODE_GUESSES
        expected = {("UNAUTHENTICATED", wrong_code(left)): 1 for left in range(CODE_GUESSES)}
    expected[("UNAUTHENTICATED", NO_LIVE_CODE)] = 60 - len(expected)
    assert Counter(outcome(b) for b in bodies) == Counter(expected)


# --- 2. the same race in badge sign-in and in requestSignInCode -----------------------------


async def test_sixty_concurrent_wrong_badges_check_no_more_than_the_quota(
    settings: Settings, box: CountingMailbox, db: asyncpg.Connection[Any]
) -> None:
    badge = await db.fetchval(
        "SELECT badge_code FROM person WHERE badge_code LIKE 'SIS26-%' LIMIT 1"
    )
    async with served(settings, box, wrong_badges_per_client=10) as (_, gql):
        bodies = await asyncio.gather(
            *(gql(BADGE, {"b": f"SIS26-NOPE-{n:04d}"}) for n in range(60))
        )
        assert Counter(outcome(b) for b in bodies) == Counter({NO_BADGE: 10, BADGES_LIMITED: 50})
        # refused before it is looked up: even a right badge, from this address, for now
        assert outcome(await gql(BADGE, {"b": badge})) == BADGES_LIMITED


async def test_right_badges_do_not_use_up_the_quota(
    settings: Settings, box: CountingMailbox, db: asyncpg.Connection[Any]
) -> None:
    rows = await db.fetch(
        "SELECT badge_code, name FROM person WHERE badge_code LIKE 'SIS26-%' ORDER BY id LIMIT 4"
    )
    async with served(settings, box, wrong_badges_per_client=3) as (_, gql):
        assert [
            outcome(await gql(BADGE, {"b": b})) for b in ("SIS26-NOPE-0001", "SIS26-NOPE-0002")
        ] == [
            NO_BADGE,
            NO_BADGE,
        ]
        signed = [outcome(await gql(BADGE, {"b": r["badge_code"]})) for r in rows]
        assert signed == [("OK", r["name"]) for r in rows]
        assert [
            outcome(await gql(BADGE, {"b": b})) for b in ("SIS26-NOPE-0003", "SIS26-NOPE-0004")
        ] == [
            NO_BADGE,
            BADGES_LIMITED,
        ]


async def test_thirty_concurrent_code_requests_mail_no_more_than_the_mailbox_quota(
    settings: Settings, box: CountingMailbox
) -> None:
    email = new_email()
    async with served(settings, box) as (_, gql):
        bodies = await asyncio.gather(*(gql(REQUEST, {"e": email}) for _ in range(30)))
    assert Counter(outcome(b) for b in bodies) == Counter({("OK", "True"): 5, MAILBOX_LIMITED: 25})
    assert box.received()[email] == 5


# --- 3. caps on sign-in mails: per mailbox, per client address, overall ---------------------

CLIENT_LIMITED = (
    "RATE_LIMITED",
    "Too many codes were asked from your network. Try again in 15 minutes.",
)
OVERALL_LIMITED = (
    "RATE_LIMITED",
    "Too many sign-in codes are being sent right now. Try again in 1 minute.",
)


async def test_sixty_tagged_variants_of_one_mailbox_get_no_more_than_its_quota(
    settings: Settings, box: CountingMailbox
) -> None:
    local = f"bombed-{secrets.token_hex(4)}"
    variants = [f"{local}+{n}@Mail.Example" for n in range(59)] + [f"{local.upper()}@mail.example"]
    async with served(settings, box) as (_, gql):
        bodies = await asyncio.gather(*(gql(REQUEST, {"e": email}) for email in variants))
    assert Counter(outcome(b) for b in bodies) == Counter({("OK", "True"): 5, MAILBOX_LIMITED: 55})
    received = box.received()
    assert sum(received[v.lower()] for v in variants) == 5


async def test_one_client_mails_no_more_than_its_quota_of_mailboxes(
    settings: Settings, box: CountingMailbox
) -> None:
    mailboxes = [new_email() for _ in range(30)]
    async with served(settings, box, sign_in_mails_per_client=12) as (_, gql):
        bodies = await asyncio.gather(*(gql(REQUEST, {"e": email}) for email in mailboxes))
    assert Counter(outcome(b) for b in bodies) == Counter({("OK", "True"): 12, CLIENT_LIMITED: 18})
    received = box.received()
    assert sum(received[m] for m in mailboxes) == 12


async def test_no_more_than_the_overall_quota_of_mails_goes_out_per_minute(
    settings: Settings, box: CountingMailbox
) -> None:
    mailboxes = [new_email() for _ in range(20)]
    async with served(settings, box, sign_in_mails_per_minute=8) as (_, gql):
        bodies = await asyncio.gather(*(gql(REQUEST, {"e": email}) for email in mailboxes))
    assert Counter(outcome(b) for b in bodies) == Counter({("OK", "True"): 8, OVERALL_LIMITED: 12})
    received = box.received()
    assert sum(received[m] for m in mailboxes) == 8


async def test_known_and_unknown_addresses_get_the_same_answers_limited_or_not(
    settings: Settings, box: CountingMailbox, db: asyncpg.Connection[Any]
) -> None:
    known = await db.fetchval(
        "SELECT email FROM person WHERE email IS NOT NULL ORDER BY id LIMIT 1"
    )
    unknown = new_email()
    assert await db.fetchval("SELECT count(*) FROM person WHERE email = $1", unknown) == 0
    async with served(settings, box) as (_, gql):
        answers = {
            email: [await gql(REQUEST, {"e": email}) for _ in range(7)]
            for email in (known, unknown)
        }
    assert answers[known] == answers[unknown]
    assert [outcome(b) for b in answers[known]] == [("OK", "True")] * 5 + [MAILBOX_LIMITED] * 2
    received = box.received()
    assert (received[known], received[unknown]) == (5, 5)


# --- 5. the client address: proxy headers only from trusted proxies -----------------------


def forged(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def wrong_badge(gql: GraphQLClient, n: int, **headers: str) -> tuple[str, str]:
    return outcome(await gql(BADGE, {"b": f"SIS26-NOPE-{n:04d}"}, **headers))


async def test_by_default_forged_forwarded_for_headers_do_not_change_the_client(
    settings: Settings, box: CountingMailbox
) -> None:
    async with served(settings, box, wrong_badges_per_client=3) as (_, gql):
        tries = [await wrong_badge(gql, n, **forged(f"203.0.113.{n}")) for n in range(6)]
        assert tries == [NO_BADGE] * 3 + [BADGES_LIMITED] * 3
        # all of them were counted against the real peer, 127.0.0.1
        assert await wrong_badge(gql, 7) == BADGES_LIMITED


async def test_a_trusted_proxy_s_forwarded_for_is_the_client(
    settings: Settings, box: CountingMailbox
) -> None:
    changes = {"wrong_badges_per_client": 3, "trusted_proxies": "10.9.8.7, 127.0.0.1"}
    async with served(settings, box, **changes) as (_, gql):
        assert [await wrong_badge(gql, n, **forged("203.0.113.7")) for n in range(4)] == [
            NO_BADGE,
            NO_BADGE,
            NO_BADGE,
            BADGES_LIMITED,
        ]
        # the client's own X-Forwarded-For entries, left of what the proxy appended, are
        # not believed: the address is the last one the proxies did not add themselves
        chain = forged("198.51.100.1, 203.0.113.7, 10.9.8.7")
        assert await wrong_badge(gql, 5, **chain) == BADGES_LIMITED
        # other clients behind the proxy, and the proxy itself, are not limited
        assert await wrong_badge(gql, 6, **forged("203.0.113.8")) == NO_BADGE
        assert await wrong_badge(gql, 7) == NO_BADGE


async def test_ipv6_clients_are_counted_by_their_slash_64(
    settings: Settings, box: CountingMailbox
) -> None:
    changes = {"wrong_badges_per_client": 3, "trusted_proxies": "127.0.0.0/8"}
    async with served(settings, box, **changes) as (_, gql):
        hosts = ["2001:db8:0:1::1", "2001:db8:0:1::2", "2001:db8:0:1:ab::3", "2001:db8:0:1::4"]
        tries = [await wrong_badge(gql, n, **forged(h)) for n, h in enumerate(hosts)]
        assert tries == [NO_BADGE, NO_BADGE, NO_BADGE, BADGES_LIMITED]
        assert await wrong_badge(gql, 5, **forged("2001:db8:0:2::1")) == NO_BADGE


def test_the_uvicorn_options_come_from_the_setting() -> None:
    assert uvicorn_proxy_options(Settings()) == {"proxy_headers": False}
    assert uvicorn_proxy_options(
        Settings(trusted_proxies=" 10.0.0.1, 10.1.2.3/8 ,2001:DB8::1,, fd00::/8")
    ) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.1", "10.0.0.0/8", "2001:db8::1", "fd00::/8"],
    }
    for bad in ("10.0.0.1,proxy.local", "*"):
        with pytest.raises(ValueError, match="SALON_TRUSTED_PROXIES") as refused:
            uvicorn_proxy_options(Settings(trusted_proxies=bad))
        entry = bad.rpartition(",")[2]
        assert str(refused.value) == (
            f"SALON_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
        )


async def test_salon_serve_ignores_forwarded_for_by_default(
    database_url: str, service_urls: ServiceUrls, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": service_urls.redis_url,
        "SALON_REDIS_NAMESPACE": f"salon-xff-{secrets.token_hex(3)}",
        "SALON_WRONG_BADGES_PER_CLIENT": "1",
        "SALON_LOG_LEVEL": "WARNING",
    }
    async with (
        serving(env, tmp_path) as (url, _),
        httpx.AsyncClient(base_url=url, timeout=10) as http,
    ):
        gql = GraphQLClient(http)
        tries = [await wrong_badge(gql, n, **forged(f"203.0.113.{n}")) for n in range(2)]
    assert tries == [NO_BADGE, BADGES_LIMITED]


async def test_salon_serve_refuses_a_malformed_trusted_proxies_setting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["SALON_TRUSTED_PROXIES"] = "10.0.0.0/8,proxy.local"
    server = await spawn("serve", ["serve", "--port", str(free_port())], env, tmp_path)
    async with asyncio.timeout(20):
        assert await server.process.wait() == 1
    assert server.output().splitlines()[-1] == (
        "salon: SALON_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network"
    )


async def test_one_client_guesses_codes_of_many_mailboxes_no_more_than_its_quota(
    settings: Settings, box: CountingMailbox, db: asyncpg.Connection[Any]
) -> None:
    async with served(settings, box, code_guesses_per_client=12) as (_, gql):
        targets = [new_email() for _ in range(4)]
        codes = {email: await ask_code(gql, box, email) for email in targets}
        guesses = [(email, wrong) for email in targets for wrong in wrong_codes(codes[email], 5)]
        bodies = await asyncio.gather(*(gql(SIGN_IN, {"e": e, "c": c}) for e, c in guesses))
        refused = [outcome(b)[0] for b in bodies].count("RATE_LIMITED")
        compared = sum([a for email in targets for a, _ in await attempts_on_codes(db, email)])
        assert (refused, compared) == (20 - 12, 12)
        # Limited before the guess: even a right code from this address waits.
        fifth = new_email()
        code = await ask_code(gql, box, fifth)
        assert outcome(await gql(SIGN_IN, {"e": fifth, "c": code}))[0] == "RATE_LIMITED"
