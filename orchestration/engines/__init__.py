"""Where the models are built: one engine per target (DuckDB, PostgreSQL, Spark) behind one interface (base.py),
each with its type map and SQL dialect; targets.py names the targets and picks the engine."""
