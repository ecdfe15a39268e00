"""Passwordless sign-in: e-mailed codes, badge codes, bearer tokens, sign-out."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from server.auth.mailer import Mailer
from server.auth.rate_limit import Limiter, Quota, Refused
from server.auth.tokens import (
    hash_secret,
    hash_sign_in_code,
    new_bearer_token,
    new_sign_in_code,
)
from server.db.queries import accounts as sql
from server.db.queries.accounts import PersonRow
from server.db.queries.common import Executor
from server.domain.errors import DomainError, ErrorCode, bad_input
from server.domain.people import check_email, new_calendar_token
from server.domain.viewer import Viewer
from server.settings import Settings

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
#: Guesses compared with one code; then the code is dead (the address is never locked).
CODE_GUESSES = 5
#: The window of the per-address and per-mailbox quotas.
WINDOW_SECONDS = 15 * 60

NO_LIVE_CODE = (
    "No code is waiting for this address: it was used, it expired, a newer one was sent,"
    f" or it had {CODE_GUESSES} wrong tries. Ask for a new one."
)


def wrong_code(tries_left: int) -> str:
    if tries_left <= 0:
        return "That code is wrong, and that was its last try: ask for a new one."
    return f"That code is wrong; {tries_left} more {'try' if tries_left == 1 else 'tries'}."


_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    person: PersonRow


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """The quotas of sign-in, from the settings."""

    wrong_badges: Quota
    code_guesses: Quota
    mails_per_mailbox: Quota
    mails_per_client: Quota
    mails_overall: Quota

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInLimits:
        return cls(
            wrong_badges=Quota("badge", settings.wrong_badges_per_client, WINDOW_SECONDS),
            code_guesses=Quota("code-client", settings.code_guesses_per_client, WINDOW_SECONDS),
            mails_per_mailbox=Quota(
                "mail-mailbox", settings.sign_in_mails_per_mailbox, WINDOW_SECONDS
            ),
            mails_per_client=Quota(
                "mail-client", settings.sign_in_mails_per_client, WINDOW_SECONDS
            ),
            mails_overall=Quota("mail-all", settings.sign_in_mails_per_minute, 60),
        )


@dataclass(frozen=True, slots=True)
class Auth:
    """What sign-in needs from the process."""

    pool: asyncpg.Pool[asyncpg.Record]
    limiter: Limiter
    mailer: Mailer
    token_lifetime: timedelta


def mailbox_of(email: str) -> str:
    """The mailbox a (checked) address delivers to: `local+tag@domain` is `local@domain`."""
    local, _, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


def _rate_limited(refused: Refused, what: str) -> DomainError:
    return DomainError(ErrorCode.RATE_LIMITED, f"{what} {refused.retry_after_text}")


async def request_sign_in_code(
    auth: Auth, limits: SignInLimits, email: str, client: str, now: datetime
) -> None:
    """Mail a 6-digit code, within the quotas of the mailbox, the client and overall.

    Known and unknown addresses take the same path and get the same answer, limited
    or not: nothing here says whether someone has the address.
    """
    email = check_email(email)
    refused = await auth.limiter.take(  # counted before mailing, all three or none
        (limits.mails_per_mailbox, mailbox_of(email)),
        (limits.mails_per_client, client),
        (limits.mails_overall, "all"),
    )
    if refused is not None:
        if refused.quota == limits.mails_per_mailbox:
            raise _rate_limited(refused, "Too many codes were asked for this address.")
        if refused.quota == limits.mails_per_client:
            raise _rate_limited(refused, "Too many codes were asked from your network.")
        raise _rate_limited(refused, "Too many sign-in codes are being sent right now.")
    code = new_sign_in_code()
    await sql.insert_sign_in_code(
        auth.pool, email, hash_sign_in_code(email, code), now, now + CODE_LIFETIME
    )
    try:
        await auth.mailer.send(
            email,
            f"Votre code Salon : {code} / Your Salon code: {code}",
            f"Votre code de connexion est {code}. Il expire dans 10 minutes.\n"
            f"Your sign-in code is {code}. It expires in 10 minutes.\n",
        )
    except Exception:  # a failing mail server must not tell anything to the asker
        log.exception("could not send the sign-in code", extra={"to": email})


async def sign_in(
    auth: Auth, limits: SignInLimits, email: str, code: str, client: str, now: datetime
) -> SignedIn:
    """Each code takes five guesses; `client` (the caller's address) is also counted,
    before the guess, so that guessing across many mailboxes is bounded too. A right
    code gives its count back."""
    email = check_email(email)
    code = code.strip()
    if not _CODE.match(code):
        raise bad_input("The code is the 6 digits from the e-mail.")
    refused = await auth.limiter.take((limits.code_guesses, client))
    if refused is not None:
        raise _rate_limited(refused, "Too many sign-in code guesses from your network.")
    guess = await sql.guess_sign_in_code(
        auth.pool, email, hash_sign_in_code(email, code), now, CODE_GUESSES
    )
    if guess is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, NO_LIVE_CODE)
    if not guess.matched:
        raise DomainError(ErrorCode.UNAUTHENTICATED, wrong_code(CODE_GUESSES - guess.attempts))
    await auth.limiter.give_back(limits.code_guesses, client)
    async with auth.pool.acquire() as conn, conn.transaction():
        person = await sql.person_by_email(conn, email)
        if person is None:
            person_id = await sql.upsert_person(
                conn,
                email=email,
                name=None,
                badge_code=None,
                speaker_id=None,
                exhibitor_id=None,
                calendar_token=new_calendar_token(),
            )
            await sql.add_roles(conn, person_id, ["ATTENDEE"])
        return await _issue_token(conn, email_or_id=email, now=now, lifetime=auth.token_lifetime)


async def sign_in_with_badge(
    auth: Auth, limits: SignInLimits, badge_code: str, client: str, now: datetime
) -> SignedIn:
    """`client` (the caller's address) is what guesses are counted against.

    Each guess is counted before the badge is looked up, so a burst gets no more than
    the quota compared; a right badge gives its hit back (only wrong ones use it up).
    """
    badge_code = badge_code.strip()
    if not badge_code or len(badge_code) > 64:
        raise bad_input("Type the code printed under the QR code of your badge.")
    refused = await auth.limiter.take((limits.wrong_badges, client))
    if refused is not None:
        raise _rate_limited(refused, "Too many wrong badge codes from your network.")
    async with auth.pool.acquire() as conn, conn.transaction():
        person = await sql.person_by_badge(conn, badge_code)
        if person is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "No badge has that code.")
        signed_in = await _issue_token(
            conn, email_or_id=person.id, now=now, lifetime=auth.token_lifetime
        )
    await auth.limiter.give_back(limits.wrong_badges, client)
    return signed_in


async def issue_token(
    db: Executor,
    person_id: int,
    now: datetime,
    lifetime: timedelta,
) -> str:
    token = new_bearer_token()
    await sql.insert_token(db, hash_secret(token), person_id, now, now + lifetime)
    return token


async def _issue_token(
    conn: Executor,
    *,
    email_or_id: str | int,
    now: datetime,
    lifetime: timedelta,
) -> SignedIn:
    person = (
        await sql.person_by_email(conn, email_or_id)
        if isinstance(email_or_id, str)
        else await sql.person_by_id(conn, email_or_id)
    )
    if person is None:  # created or found in this same transaction
        raise LookupError(f"person {email_or_id} vanished")
    return SignedIn(token=await issue_token(conn, person.id, now, lifetime), person=person)


async def sign_out(auth: Auth, viewer: Viewer, now: datetime) -> None:
    await sql.revoke_token(auth.pool, viewer.token_hash, now)
