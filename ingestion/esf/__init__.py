"""EU-funds projects (docs/inputs.md#eu-funds-cfla-lists, docs/inputs.md#eu-funds-apia-workbook): the CFLA project
lists of 2014–2020 and 2021–2027 (two column-name variants mapped to one schema, only the social-services measures
kept) and the 2007–2013 APIA workbook of activity 1.4.1.2.4 (projects and their planned services, amounts in LVL).
Amounts, dates and project numbers are parsed here, with the rules of `ingestion.common`, so raw holds them typed;
names and other text stay as written. One module per file family (`cfla`, `apia`) on the tables of `schema`; this
package names what the rest of the project uses."""

from ingestion.esf.apia import (
    APIA_PROJECT_FIELDS,
    APIA_PROJECT_SHEET,
    APIA_SERVICE_FIELDS,
    APIA_SERVICE_SHEET,
    load_apia,
    parse_apia,
    parse_apia_number,
)
from ingestion.esf.cfla import (
    CFLA_FIELDS,
    DEFAULT_SOCIAL_MEASURES,
    MEASURES_ENV,
    CflaFile,
    load_cfla_period,
    parse_cfla,
    parse_cfla_number,
    social_measures,
)
from ingestion.esf.schema import (
    APIA_PERIOD,
    APIA_PROJECT_COLUMNS,
    APIA_SERVICE_COLUMNS,
    CFLA_COLUMNS,
    CFLA_PERIODS,
    DDL,
    PARTITION_COLUMN,
    SOURCE_APIA_PROJECTS,
    SOURCE_APIA_SERVICES,
    SOURCE_CFLA,
    TABLE_APIA_PROJECTS,
    TABLE_APIA_SERVICES,
    TABLE_CFLA,
    ensure_tables,
)

__all__ = [
    "APIA_PERIOD", "APIA_PROJECT_COLUMNS", "APIA_PROJECT_FIELDS", "APIA_PROJECT_SHEET", "APIA_SERVICE_COLUMNS",
    "APIA_SERVICE_FIELDS", "APIA_SERVICE_SHEET", "CFLA_COLUMNS", "CFLA_FIELDS", "CFLA_PERIODS", "DDL",
    "DEFAULT_SOCIAL_MEASURES", "MEASURES_ENV", "PARTITION_COLUMN", "SOURCE_APIA_PROJECTS", "SOURCE_APIA_SERVICES",
    "SOURCE_CFLA", "TABLE_APIA_PROJECTS", "TABLE_APIA_SERVICES", "TABLE_CFLA", "CflaFile", "ensure_tables",
    "load_apia", "load_cfla_period", "parse_apia", "parse_apia_number", "parse_cfla", "parse_cfla_number",
    "social_measures",
]
