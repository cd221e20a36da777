"""Dagster definitions over the pipeline's own steps: `definitions.defs` is the code location."""
