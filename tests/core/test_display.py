import pytest

from core.display import duration_short, duration_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (119, "1 minute"),
        (25 * 60, "25 minutes"),
        (3600, "1 hour"),
        (3660, "1 hour 1 minute"),
        (2 * 3600 + 5 * 60, "2 hours 5 minutes"),
        (None, "less than a minute"),
    ],
)
def test_duration_words_say_units_in_the_right_number(seconds, words):
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("seconds", "short"),
    [(0, ""), (30, "<1m"), (60, "1m"), (45 * 60, "45m"), (3600, "1h"), (9000, "2.5h")],
)
def test_duration_short_never_rounds_a_minute_to_nothing(seconds, short):
    assert duration_short(seconds) == short
