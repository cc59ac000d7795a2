"""`xlsx_cells.shortest_reprs` spells every float64 exactly as `repr` does.

It takes orjson's spelling of a whole array where orjson and repr agree (from 1e-4 up to 1e16,
and zero) and repr's elsewhere; these arrays cover probabilities, rounded inputs, regression
values across twenty orders of magnitude, the edges of that range and random bit patterns
(subnormals, NaN, infinities included)."""

from __future__ import annotations

import numpy as np
import pytest

from batchscore_model.xlsx_cells import Numbers, shortest_reprs

RNG = np.random.default_rng(11)
EDGES = np.array(
    [
        0.0,
        -0.0,
        1e-4,
        -1e-4,
        np.nextafter(1e-4, 0),
        np.nextafter(1e-4, 1),
        9.999999999999999e-05,
        1e16,
        np.nextafter(1e16, 0),
        np.nextafter(1e16, np.inf),
        5e-324,
        np.finfo(np.float64).max,
        np.nan,
        np.inf,
        -np.inf,
        0.1,
        1 / 3,
        2.5,
        100.0,
        -7.0,
    ]
    * 8
)
ARRAYS = {
    "uniform": RNG.random(200_000),
    "probabilities": 1 / (1 + np.exp(-RNG.normal(0, 6, 200_000))),
    "four_decimals": np.round(RNG.normal(10, 5, 100_000), 4),
    "magnitudes": np.copysign(10 ** RNG.uniform(-8, 20, 200_000), RNG.normal(size=200_000)),
    "integers": RNG.integers(-(10**9), 10**9, 50_000).astype(np.float64),
    "bit_patterns": np.frombuffer(RNG.bytes(8 * 200_000), dtype=np.float64),
    "float32": RNG.random(50_000).astype(np.float32).astype(np.float64),
    "edges": EDGES,
}


@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_every_value_is_spelled_as_repr_spells_it(name: str) -> None:
    # Given
    values = ARRAYS[name]
    # When
    written = shortest_reprs(values)
    # Then
    expected = list(map(float.__repr__, values.tolist()))
    different = [(w, e) for w, e in zip(written, expected, strict=True) if w != e]
    assert different == []


def test_a_strided_column_and_a_short_array_are_spelled_the_same() -> None:
    # Given: a probability matrix's second column (not contiguous) and a few values
    matrix = RNG.random((1_000, 2))
    # When
    column, few = shortest_reprs(matrix[:, 1]), shortest_reprs(matrix[:3, 0])
    # Then
    assert column == [repr(v) for v in matrix[:, 1].tolist()]
    assert few == [repr(v) for v in matrix[:3, 0].tolist()]


def test_a_numbers_column_keeps_missing_values_as_empty_cells() -> None:
    # Given
    values = np.array([0.25, np.nan] * 100)
    # When
    opening, cells, closing = Numbers(values).pieces()
    # Then
    assert (opening, closing) == ("", "")
    assert cells[:2] == ["<c><v>0.25</v></c>", "<c/>"]
