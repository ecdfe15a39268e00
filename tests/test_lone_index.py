"""The hub's person and token index: a lone member without a set, a set from two."""

from server.live.index import LoneIndex


def test_members_come_and_go_whether_one_or_many() -> None:
    index: LoneIndex[int, str] = LoneIndex()
    assert (index.members(1), index.count(1), len(index)) == ((), 0, 0)
    index.add(1, "a")
    index.add(1, "a")  # already there
    assert (index.members(1), index.count(1)) == (("a",), 1)
    index.add(1, "b")
    assert (sorted(index.members(1)), index.count(1)) == (["a", "b"], 2)
    index.discard(1, "a")
    assert (index.members(1), index.count(1)) == (("b",), 1)
    index.discard(1, "zz")  # never there
    index.discard(2, "b")  # another key
    assert index.members(1) == ("b",)
    index.discard(1, "b")
    assert (index.members(1), len(index), list(index)) == ((), 0, [])


def test_pop_hands_over_every_member_once() -> None:
    index: LoneIndex[bytes, str] = LoneIndex()
    for member in ("x", "y", "z"):
        index.add(b"t", member)
    index.add(b"u", "w")
    assert sorted(index.pop(b"t")) == ["x", "y", "z"]
    assert (index.pop(b"t"), list(index)) == ((), [b"u"])
    assert index.pop(b"u") == ("w",)


def test_members_are_a_copy_the_caller_may_change_the_index_under() -> None:
    index: LoneIndex[int, str] = LoneIndex()
    index.add(1, "a")
    index.add(1, "b")
    for member in index.members(1):
        index.discard(1, member)
    assert len(index) == 0
