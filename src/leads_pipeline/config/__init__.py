"""What the pipeline is told: settings, the source registry, the errors it reports, the names of its tables."""
