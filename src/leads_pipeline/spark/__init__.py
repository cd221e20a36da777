"""The Spark target: one Spark session per process (shared with dbt-spark), the raw tables dlt
lands on the lake, and the `Warehouse` the Python steps use on it. Needs the `spark` extra."""
