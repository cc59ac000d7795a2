from __future__ import annotations

import re

from bench.drift_bench import main


def test_the_drift_bench_prints_the_monitor_time_as_a_share_of_the_engine(capsys) -> None:
    # Given / When
    code = main(["--rows", "3000", "--chunk-rows", "1000"])
    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"^wall +\d+\.\d+ +\d+\.\d+ +\d+\.\d%$", out, re.MULTILINE)
    assert "drift status of the file: ok" in out
