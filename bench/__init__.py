"""`make bench`: the scoring engine against the naive pandas -> openpyxl baseline."""
