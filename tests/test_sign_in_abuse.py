"""Sign-in under attack: concurrent guesses, mail bombing, forged client addresses.

Every burst is fired at once (asyncio.gather) at the real app served over HTTP.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from typing import Any

import asyncpg

from server.auth.signin import CODE_GUESSES, NO_LIVE_CODE, wrong_code
from tests.conftest import GraphQLClient, Mailbox

REQUEST = "mutation($e: String!) { requestSignInCode(email: $e) }"
SIGN_IN = """mutation($e: String!, $c: String!) {
  signIn(email: $e, code: $c) { token me { email } } }"""


def new_email() -> str:
    return f"target-{secrets.token_hex(4)}@mail.example"


def outcome(body: dict[str, Any]) -> tuple[str, str]:
    """("OK", email) for a sign-in, else (extensions.code, message) of its one error."""
    if body.get("errors"):
        [error] = body["errors"]
        return error["extensions"]["code"], error["message"]
    return "OK", body["data"]["signIn"]["me"]["email"]


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
