"""The download's Content-Disposition is ASCII whatever the file is called."""

from __future__ import annotations

import pytest

from batchscore_core.storage import content_disposition


def test_a_plain_name_is_kept_as_it_is():
    assert content_disposition("march.xlsx") == 'attachment; filename="march.xlsx"'


@pytest.mark.parametrize(
    "name", ["résumé 📈.xlsx", 'a"b\\c.xlsx', "tab\there.xlsx", "\u202egnp.xlsx"]
)
def test_any_other_name_gives_an_ascii_header_with_the_utf8_name_encoded(name):
    # When
    value = content_disposition(name)

    # Then
    assert value.isascii()
    assert value.isprintable()
    assert value.count('"') == 2
    if not name.isascii():
        assert "filename*=UTF-8''" in value
