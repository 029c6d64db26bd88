from reading_time.reading_time import minutes, word_count


def test_word_count_ignores_markup_and_counts_accented_words():
    html = '<p>Één <a href="/x/">café</a> op het <strong>Dorpsplein</strong>.</p>'
    assert word_count(html) == 5


def test_minutes_round_up_and_never_show_zero():
    assert minutes(0, 200) == 1
    assert minutes(200, 200) == 1
    assert minutes(201, 200) == 2
    assert minutes(1000, 200) == 5
