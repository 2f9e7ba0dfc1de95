"""Great Expectations 1.x suites for lvsocial's raw tables and key marts, and the runner that validates a pandas
frame read from DuckDB (GX cannot validate a DuckDB table through SQLAlchemy here)."""

import sys as _sys
import warnings as _warnings

# With the [spark] extra, Great Expectations' import of pyspark warns on every run that pyspark does not support
# pandas 3; lvsocial never hands pandas frames to Spark, so the warning only clutters the run's terminal.
_warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


def _keep_pyspark_connect_from_exiting() -> None:
    """With pyspark installed (the [spark] extra), Great Expectations' import pulls in `pyspark.sql.connect`, whose
    dependency check calls `sys.exit(0)` in a process whose `__main__` has neither `__spec__` nor `__file__` (it takes
    that for its own doctests). Dagster's run workers launched by the daemon are such processes: the check step
    vanished with "SystemExit: 0". lvsocial validates pandas frames, never Spark Connect ones, so in such a process
    that one package is made unimportable; Great Expectations then treats Spark Connect as not installed."""
    main = _sys.modules.get("__main__")
    if (main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
            and not hasattr(_sys, "ps1")):
        _sys.modules.setdefault("pyspark.sql.connect", None)


_keep_pyspark_connect_from_exiting()
