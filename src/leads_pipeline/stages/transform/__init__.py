"""The transform: the dbt project in phases around the identity resolve step (`phases`), when a
run may skip it (`state`), and the dbt project's view of sources.yml (`registry_files`)."""
