"""Dagster orchestration of lvsocial: assets, checks, sensors, jobs and the `lvsocial` command line."""
