"""Ingestion: bucket listing, CSV reading and the dlt load into `raw`."""
