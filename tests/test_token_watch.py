"""The tokens of a process's sockets: each socket told once when its token ends, and
the expiry swept against the fair's clock (tests/test_websocket_auth.py closes a real
socket when its token expires)."""

from datetime import UTC, datetime, timedelta

from server.live.token_watch import TokenEnd, TokenWatch

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Socket:
    def __init__(self) -> None:
        self.ended: list[TokenEnd] = []

    def on_end(self, how: TokenEnd) -> None:
        self.ended.append(how)


def test_a_token_expires_on_the_fairs_clock_and_a_clock_moved_back_waits() -> None:
    now = [NOON]
    watch = TokenWatch(lambda: now[0])
    first, second, other = Socket(), Socket(), Socket()
    for socket, token in ((first, b"a"), (second, b"a"), (other, b"b")):
        watch.watch(token, socket.on_end)
    watch.expires(b"a", NOON + timedelta(minutes=5))
    watch.expires(b"b", NOON + timedelta(hours=1))
    watch.expire_due()
    assert (first.ended, second.ended) == ([], [])
    now[0] = NOON + timedelta(minutes=5)
    watch.expire_due()
    watch.expire_due()  # once only
    assert (first.ended, second.ended, other.ended) == (["expired"], ["expired"], [])
    now[0] = NOON  # the organisers moved the fair's clock back
    watch.expire_due()
    assert other.ended == []
    now[0] = NOON + timedelta(hours=2)
    watch.expire_due()
    assert other.ended == ["expired"]
    assert watch.watched() == []


def test_a_revoked_token_ends_its_sockets_once_and_its_expiry_is_forgotten() -> None:
    now = [NOON]
    watch = TokenWatch(lambda: now[0])
    socket = Socket()
    watch.watch(b"a", socket.on_end)
    watch.expires(b"a", NOON + timedelta(minutes=1))
    watch.end([b"a"], "revoked")
    watch.end([b"a"], "revoked")  # heard twice (its own process, then Redis)
    now[0] = NOON + timedelta(minutes=2)
    watch.expire_due()
    assert socket.ended == ["revoked"]


def test_a_socket_that_left_is_not_told_and_its_tokens_expiry_goes_with_it() -> None:
    now = [NOON]
    watch = TokenWatch(lambda: now[0])
    gone, staying = Socket(), Socket()
    watch.watch(b"a", gone.on_end)
    watch.expires(b"a", NOON + timedelta(minutes=1))
    watch.unwatch(b"a", gone.on_end)
    watch.expires(b"a", NOON)  # not watched any more: nothing to expire
    watch.watch(b"a", staying.on_end)  # the same token on a new socket, not yet known
    now[0] = NOON + timedelta(minutes=2)
    watch.expire_due()
    assert (gone.ended, staying.ended) == ([], [])


def test_one_sockets_failure_spares_the_others() -> None:
    watch = TokenWatch(lambda: NOON)
    told = Socket()

    def broken(how: TokenEnd) -> None:
        raise RuntimeError("a bug in one socket")

    watch.watch(b"a", broken)
    watch.watch(b"a", told.on_end)
    watch.end([b"a"], "revoked")
    assert told.ended == ["revoked"]
