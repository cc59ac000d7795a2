"""The model bundle and the streaming scoring engine (CSV in, xlsx with predictions out)."""
