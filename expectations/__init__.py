"""Great Expectations 1.x suites for lvsocial's raw tables and key marts, and the runner that validates a pandas
frame read from DuckDB (GX cannot validate a DuckDB table through SQLAlchemy here)."""
