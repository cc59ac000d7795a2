"""Training of the default model (not shipped in any Lambda layer)."""
