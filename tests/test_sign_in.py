"""Passwordless sign-in: mailed codes, badges, tokens, sign-out, and every way to fail."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from server.auth.signin import CODE_GUESSES, NO_LIVE_CODE, wrong_code
from server.clock import Clock
from tests.conftest import TOKEN_LIFETIME, GraphQLClient, Mailbox, People

REQUEST = "mutation($e: String!) { requestSignInCode(email: $e) }"
SIGN_IN = """mutation($e: String!, $c: String!) {
  signIn(email: $e, code: $c) { token me { id email roles } } }"""
BADGE = "mutation($b: String!) { signInWithBadge(badgeCode: $b) { token me { id name roles } } }"
ME = "{ me { id email roles } }"


def new_email() -> str:
    return f"visitor-{secrets.token_hex(4)}@mail.example"


async def ask_code(gql: GraphQLClient, mailbox: Mailbox, email: str) -> str:
    assert await gql.data(REQUEST, {"e": email}) == {"requestSignInCode": True}
    return await mailbox.sign_in_code(email)


def errors_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["extensions"]["code"], e["message"]) for e in body["errors"]]


async def signed_in_as(gql: GraphQLClient, email: str, code: str) -> str:
    """The e-mail of whom the code signed in (the sign-in must succeed)."""
    email_of_me: str = (await gql.data(SIGN_IN, {"e": email, "c": code}))["signIn"]["me"]["email"]
    return email_of_me


async def me_with(gql: GraphQLClient, token: str) -> dict[str, Any]:
    return await gql(ME, Authorization=f"Bearer {token}")


async def test_code_by_mail_signs_a_new_attendee_in(
    gql_http: GraphQLClient, mailbox: Mailbox, db: asyncpg.Connection[Any]
) -> None:
    email = new_email()
    code = await ask_code(gql_http, mailbox, email)
    payload = (await gql_http.data(SIGN_IN, {"e": email.upper(), "c": code}))["signIn"]
    assert payload["me"]["email"] == email
    assert payload["me"]["roles"] == ["ATTENDEE"]
    assert payload["token"].startswith("salon_")
    assert (await me_with(gql_http, payload["token"]))["data"]["me"] == payload["me"]
    stored = await db.fetchval(
        "SELECT count(*) FROM auth_token WHERE person_id = $1", int(payload["me"]["id"])
    )
    assert stored == 1
    raw = await db.fetchval(
        "SELECT count(*) FROM auth_token WHERE token_hash::text LIKE $1", f"%{payload['token']}%"
    )
    assert raw == 0  # only a hash is kept


async def test_a_code_works_once(gql_http: GraphQLClient, mailbox: Mailbox) -> None:
    email = new_email()
    code = await ask_code(gql_http, mailbox, email)
    await gql_http.data(SIGN_IN, {"e": email, "c": code})
    assert await gql_http.error_codes(SIGN_IN, {"e": email, "c": code}) == ["UNAUTHENTICATED"]


async def test_an_expired_code_is_refused(
    gql_http: GraphQLClient, mailbox: Mailbox, fair_clock: Clock
) -> None:
    email = new_email()
    code = await ask_code(gql_http, mailbox, email)
    fair_clock.reset(timedelta(minutes=11))
    assert await gql_http.error_codes(SIGN_IN, {"e": email, "c": code}) == ["UNAUTHENTICATED"]


async def test_five_wrong_codes_kill_the_code_not_the_address(
    gql_http: GraphQLClient, mailbox: Mailbox
) -> None:
    email = new_email()
    code = await ask_code(gql_http, mailbox, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refusals = [await gql_http(SIGN_IN, {"e": email, "c": wrong}) for _ in range(CODE_GUESSES)]
    assert [errors_of(body) for body in refusals] == [
        [("UNAUTHENTICATED", wrong_code(left))] for left in range(CODE_GUESSES - 1, -1, -1)
    ]
    # the code is dead: even the right one is refused
    body = await gql_http(SIGN_IN, {"e": email, "c": code})
    assert errors_of(body) == [("UNAUTHENTICATED", NO_LIVE_CODE)]
    # but nobody is locked out: a new code can be asked for at once, and works
    fresh = await ask_code(gql_http, mailbox, email)
    assert await signed_in_as(gql_http, email, fresh) == email


async def test_a_new_code_supersedes_the_older_ones(
    gql_http: GraphQLClient, mailbox: Mailbox
) -> None:
    email = new_email()
    older = await ask_code(gql_http, mailbox, email)
    newer = await ask_code(gql_http, mailbox, email)
    if older != newer:  # one chance in a million that they are the same six digits
        body = await gql_http(SIGN_IN, {"e": email, "c": older})
        assert errors_of(body) == [("UNAUTHENTICATED", wrong_code(CODE_GUESSES - 1))]
    assert await signed_in_as(gql_http, email, newer) == email
    # with the newest code used, the older one does not come back to life
    body = await gql_http(SIGN_IN, {"e": email, "c": older})
    assert errors_of(body) == [("UNAUTHENTICATED", NO_LIVE_CODE)]


async def test_asking_for_codes_is_rate_limited_too(
    gql_http: GraphQLClient, mailbox: Mailbox
) -> None:
    email = new_email()
    for _ in range(5):
        await ask_code(gql_http, mailbox, email)
    assert await gql_http.error_codes(REQUEST, {"e": email}) == ["RATE_LIMITED"]


@pytest.mark.parametrize(
    "email", ["", "not-an-email", "a@b", "two@@at.example", "x" * 250 + "@a.example"]
)
async def test_malformed_emails_are_bad_input(
    gql_http: GraphQLClient, email: str, db: asyncpg.Connection[Any]
) -> None:
    codes_before = await db.fetchval("SELECT count(*) FROM sign_in_code")
    assert await gql_http.error_codes(REQUEST, {"e": email}) == ["BAD_USER_INPUT"]
    assert await gql_http.error_codes(SIGN_IN, {"e": email, "c": "123456"}) == ["BAD_USER_INPUT"]
    assert await db.fetchval("SELECT count(*) FROM sign_in_code") == codes_before


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
async def test_malformed_codes_are_bad_input(gql_http: GraphQLClient, code: str) -> None:
    assert await gql_http.error_codes(SIGN_IN, {"e": new_email(), "c": code}) == ["BAD_USER_INPUT"]


async def test_badge_sign_in(gql_http: GraphQLClient, db: asyncpg.Connection[Any]) -> None:
    badge, name = await db.fetchrow(
        "SELECT badge_code, name FROM person WHERE badge_code IS NOT NULL ORDER BY id LIMIT 1"
    )
    payload = (await gql_http.data(BADGE, {"b": badge.lower()}))["signInWithBadge"]
    assert payload["me"]["name"] == name
    assert (await me_with(gql_http, payload["token"]))["data"]["me"]["id"] == payload["me"]["id"]
    assert await gql_http.error_codes(BADGE, {"b": "SIS26-NOPE-NOPE"}) == ["UNAUTHENTICATED"]
    assert await gql_http.error_codes(BADGE, {"b": "  "}) == ["BAD_USER_INPUT"]


async def test_sign_out_revokes_the_token(gql_http: GraphQLClient, people: People) -> None:
    person = await people.make()
    other = await people.make()
    assert (await me_with(gql_http, person.token))["data"]["me"]["id"] == str(person.id)
    assert await gql_http.data("mutation { signOut }", as_=person) == {"signOut": True}
    body = await me_with(gql_http, person.token)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    # other sessions of other people are untouched
    assert (await me_with(gql_http, other.token))["data"]["me"]["id"] == str(other.id)


async def test_an_expired_token_is_unauthenticated(
    gql_http: GraphQLClient, people: People, fair_clock: Clock
) -> None:
    person = await people.make()
    fair_clock.reset(TOKEN_LIFETIME + timedelta(days=1))
    assert await gql_http.error_codes(ME, as_=person) == ["UNAUTHENTICATED"]
    # even a public query is refused: the client must learn its token is dead
    assert await gql_http.error_codes("{ event { id } }", as_=person) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer", "token"])
async def test_bad_authorization_headers(gql_http: GraphQLClient, header: str) -> None:
    body = await gql_http(ME, Authorization=header)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_anonymous_me_is_null(gql_http: GraphQLClient) -> None:
    assert await gql_http.data(ME) == {"me": None}
