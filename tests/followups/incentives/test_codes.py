"""The codes customers type: every symbol equally likely, from one read of the
system's random source."""

from __future__ import annotations

import re
import secrets

from followups.models import incentives
from followups.models.incentives import CODE_ALPHABET, new_code


def test_a_code_is_three_groups_of_four_symbols_after_its_prefix():
    code = new_code("spring")
    assert re.fullmatch(rf"SPRING(-[{CODE_ALPHABET}]{{4}}){{3}}", code)
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{2}}", new_code())


def test_bytes_map_evenly_onto_the_alphabet_and_the_uneven_rest_is_dropped(monkeypatch):
    # 248 = 8 x 31: bytes 0..247 fold onto the 31 symbols eight times each;
    # 248..255 would make the first eight symbols likelier and are dropped.
    reads = iter([bytes([248, 0, 30, 255, 31, 247, 62, 252]), bytes([93, 124, 200, 1, 2, 3, 4, 5])])
    asked = []

    def token_bytes(count):
        asked.append(count)
        return next(reads)

    monkeypatch.setattr(secrets, "token_bytes", token_bytes)
    symbols = incentives._random_symbols(8)

    expected = [CODE_ALPHABET[b % 31] for b in (0, 30, 31, 247, 62, 93, 124, 200)]
    assert symbols == expected
    assert expected[:2] == ["2", "Z"] and expected[2] == "2"
    # One read for the count asked (and a few spare), another for what the
    # dropped bytes left missing.
    assert asked == [12, 7]


def test_each_symbol_comes_up_about_equally_often():
    counts = dict.fromkeys(CODE_ALPHABET, 0)
    for _ in range(4000):
        for symbol in incentives._random_symbols(12):
            counts[symbol] += 1
    expected = 4000 * 12 / len(CODE_ALPHABET)  # 1548
    # Six standard deviations (sqrt(1548 * 30/31) = 38.7): a biased symbol
    # (a fold of the uneven rest would add an eighth, 194) cannot hide in it.
    assert all(abs(count - expected) < 6 * 38.7 for count in counts.values()), counts
