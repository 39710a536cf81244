"""Rate limits in the database: exact under races, per window, and returned on success."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import Session

from service import ratelimit

WINDOW = timedelta(minutes=15)


def hit_in_own_request(engine, key: str, limit: int) -> bool:
    """As a request does it: count, commit at once."""
    with Session(engine) as session:
        allowed = ratelimit.hit(session, key=key, limit=limit, window=WINDOW)
        session.commit()
        return allowed


def test_forty_parallel_hits_let_exactly_the_limit_through(engine):
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: hit_in_own_request(engine, "k", 5), range(40)))
    assert answers.count(True) == 5
    with Session(engine) as session:
        assert ratelimit.count(session, key="k", window=WINDOW) == 41


def test_a_new_window_starts_from_one(engine):
    with Session(engine) as session:
        for _ in range(3):
            ratelimit.hit(session, key="k", limit=2, window=WINDOW, now=1000.0)
        assert not ratelimit.hit(session, key="k", limit=2, window=WINDOW, now=1000.0)
        assert ratelimit.hit(session, key="k", limit=2, window=WINDOW, now=1000.0 + 900)


def test_a_hit_given_back_frees_its_slot_and_keys_are_separate(engine):
    with Session(engine) as session:
        assert ratelimit.hit(session, key="a", limit=1, window=WINDOW, now=0.0)
        ratelimit.give_back(session, key="a", window=WINDOW, now=0.0)
        assert ratelimit.hit(session, key="a", limit=1, window=WINDOW, now=0.0)
        assert ratelimit.hit(session, key="b", limit=1, window=WINDOW, now=0.0)
        assert not ratelimit.hit(session, key="a", limit=1, window=WINDOW, now=0.0)


def test_an_overlong_key_is_cut_not_refused(engine):
    with Session(engine) as session:
        assert ratelimit.hit(session, key="x" * 5000, limit=1, window=WINDOW)
        assert not ratelimit.hit(session, key="x" * 5000, limit=1, window=WINDOW)


# --- moving windows ---------------------------------------------------------------------------

MINUTE_LIMIT = ratelimit.Moving("m", 5, timedelta(minutes=1))


def take_at(engine, moment: float, limit: ratelimit.Moving = MINUTE_LIMIT) -> bool:
    with Session(engine) as session:
        slot = ratelimit.take(session, limit, now=moment)
        session.commit()
        return slot is not None


def test_bursts_straddling_a_window_boundary_never_exceed_the_limit(engine):
    # A fixed window of a minute starts at 60.0: ten hits just before it and ten just after
    # would see 5 + 5 admitted within two seconds. A moving window admits 5 in any minute.
    admitted = [t for t in (59.0,) * 10 + (61.0,) * 10 if take_at(engine, t)]
    assert len(admitted) == 5
    assert not take_at(engine, 118.9)  # still within a minute of the first five
    assert take_at(engine, 119.0)  # a minute after them: the slots are free again
    # At every instant the hits admitted in the minute before it are at most the limit.
    moments = [*admitted, 119.0]
    assert all(sum(m - 60 < t <= m for t in moments) <= 5 for m in moments)


def test_the_fixed_window_lets_twice_the_limit_through_at_its_edge(engine):
    """Why the moving window: the same straddling burst on a fixed window."""
    with Session(engine) as session:
        answers = [
            ratelimit.hit(session, key="f", limit=5, window=timedelta(minutes=1), now=t)
            for t in (59.0,) * 10 + (61.0,) * 10
        ]
    assert answers.count(True) == 10


def test_forty_parallel_takes_straddling_a_boundary_admit_exactly_the_limit(engine):
    moments = [59.9] * 20 + [60.1] * 20
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda t: take_at(engine, t), moments))
    assert answers.count(True) == 5


def test_a_refused_take_uses_nothing_and_a_released_slot_is_free_at_once(engine):
    with Session(engine) as session:
        one = ratelimit.Moving("one", 1, timedelta(minutes=1))
        other = ratelimit.Moving("other", 1, timedelta(minutes=1))
        slot = ratelimit.take(session, one, now=10.0)
        assert slot is not None and ratelimit.take(session, one, now=11.0) is None
        # all or none: `one` refuses, so the slot just taken on `other` is given back
        assert ratelimit.take_all(session, [other, one], now=12.0) == []
        assert ratelimit.take(session, other, now=12.0) is not None
        ratelimit.release(session, slot)
        assert ratelimit.take(session, one, now=13.0) is not None


def test_delays_grow_after_the_free_attempts_and_a_success_clears_them(engine):
    hour, day = timedelta(hours=1), timedelta(days=1)

    def claim(session, moment: float) -> bool:
        return ratelimit.delay_claim(
            session, key="d", free=2, max_delay=hour, forget_after=day, now=moment
        )

    with Session(engine) as session:
        assert claim(session, 0.0) and claim(session, 1.0)  # the 2nd opens a minute's delay
        assert not claim(session, 60.0)
        assert claim(session, 61.0)  # the 3rd opens two minutes
        assert not claim(session, 61.0 + 119)
        assert claim(session, 61.0 + 120)  # then four minutes …
        assert not claim(session, 181.0 + 239)
        ratelimit.delay_clear(session, key="d")
        assert claim(session, 182.0)
    assert ratelimit.growing_delay(40, hour) == hour  # capped: never a lock
