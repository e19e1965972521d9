"""The work journal: the client > project > epic > feature > story > task hierarchy, sprints,
work logs with bullets, links and attachments, enrichment, presets and reports."""
