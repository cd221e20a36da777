"""leads-pipeline: agency licensing files to de-duplicated sales leads."""
