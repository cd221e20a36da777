"""The pipeline's stages, in the order a run takes them: ingest, lookups, transform (identity inside)."""
