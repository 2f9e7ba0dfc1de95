"""Expectations on the coverage and programme reports (issue 19) and on the population by age they read: each
report checked against the marts it is built from — the grid of every current municipality × service group ×
snapshot, territories listed as without a service really without one, ratios and statuses as their rule says,
population by age groups adding up to the total. Registered as in expectations/marts.py (`<schema>_<table>`,
portable SQL) and run the same way, as blocking asset checks of their tables."""

from __future__ import annotations

from expectations.runner import suite_registry
from ingestion import reference

SUITES, _suite = suite_registry()


# Two doubles equal up to rounding noise (the ratios are rounded to 3 places, shares and gaps are not).
_EPS = 1e-6


@_suite("intermediate_int_population_by_age", """
    select year, municipality_key, area_level, territorial_unit, population, population_0_17, population_18_64,
           population_65plus, population_0_17 + population_18_64 + population_65plus - population as groups_minus_total
    from intermediate.int_population_by_age
""")
def int_population_by_age() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "municipality_key", "area_level", "territorial_unit"]),
        gxe.ExpectColumnValuesToBeInSet(column="area_level", value_set=["municipality", "unit"]),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0),
        # 0–17 + 18–64 + 65+ = total wherever all four are given (the raw suite's rule, after the map's changes).
        gxe.ExpectColumnValuesToBeBetween(column="groups_minus_total", min_value=0, max_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="population", column_B="population_65plus",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
    ]


@_suite("reporting_rpt_service_coverage", """
    with coverage as (
        select c.*,
               coalesce(c.providers > 0 or c.territorial_units_with_service = 0, false) as units_only_with_providers,
               coalesce(case when c.population_65plus > 0
                             then abs(c.places_per_1000_65plus - 1000.0 * c.places / c.population_65plus) <= 0.005
                             else c.places_per_1000_65plus is null end, false) as places_per_1000_consistent,
               -- a novads lists each unit without the group in rpt_territories_without_services; a state city,
               -- its own only unit, lists none
               coalesce(coalesce(t.listed, 0) = case when m.municipality_type = 'novads'
                                                     then c.territorial_units - c.territorial_units_with_service
                                                     else 0 end, false) as units_without_service_listed
        from reporting.rpt_service_coverage c
        left join marts.dim_municipality m on m.municipality_key = c.current_municipality_key
        left join (
            select snapshot_date, current_municipality_key, service_group, count(*) as listed
            from reporting.rpt_territories_without_services
            group by snapshot_date, current_municipality_key, service_group
        ) t on t.snapshot_date = c.snapshot_date and t.current_municipality_key = c.current_municipality_key
            and t.service_group = c.service_group
    ),
    expected as (
        select s.snapshot_date, m.municipality_key as current_municipality_key, g.service_group
        from (select distinct snapshot_date from marts.fct_provider_services) s
        cross join (select municipality_key from marts.dim_municipality where is_current) m
        cross join (select distinct report_group as service_group from marts.dim_service) g
    )
    select coalesce(c.snapshot_date, e.snapshot_date) as snapshot_date,
           coalesce(c.current_municipality_key, e.current_municipality_key) as current_municipality_key,
           coalesce(c.service_group, e.service_group) as service_group,
           c.providers, c.places, c.population, c.population_65plus, c.territorial_units,
           c.territorial_units_with_service, c.rural_population_without_service,
           c.snapshot_date is not null as in_report, e.snapshot_date is not null as in_grid,
           coalesce(c.units_only_with_providers, true) as units_only_with_providers,
           coalesce(c.places_per_1000_consistent, true) as places_per_1000_consistent,
           coalesce(c.units_without_service_listed, true) as units_without_service_listed
    from coverage c
    full outer join expected e
        on e.snapshot_date = c.snapshot_date and e.current_municipality_key = c.current_municipality_key
        and e.service_group = c.service_group
""")
def rpt_service_coverage() -> list:
    import great_expectations.expectations as gxe

    return [
        # Every current municipality × service group × snapshot has its row (in_report), and no other row is there.
        gxe.ExpectColumnValuesToBeInSet(column="in_report", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="in_grid", value_set=[True]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_date", "current_municipality_key", "service_group"]),
        gxe.ExpectColumnValuesToBeBetween(column="providers", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="places", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="population", column_B="population_65plus",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="population", column_B="rural_population_without_service",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="territorial_units",
                                                    column_B="territorial_units_with_service", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="units_only_with_providers", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="places_per_1000_consistent", value_set=[True]),
        # The two reports agree: the units without the group are the ones the planner's list names.
        gxe.ExpectColumnValuesToBeInSet(column="units_without_service_listed", value_set=[True]),
    ]


@_suite("reporting_rpt_territories_without_services", """
    select t.snapshot_date, t.current_municipality_key, t.territorial_unit, t.territorial_unit_type, t.service_group,
           t.population, t.population_65plus, coalesce(p.providing, false) as has_provider
    from reporting.rpt_territories_without_services t
    left join (
        select distinct f.snapshot_date, f.current_municipality_key, f.territorial_unit,
               s.report_group as service_group, true as providing
        from marts.fct_provider_services f
        inner join marts.dim_service s on s.service_key = f.service_key
        where f.status = 'providing' and f.territorial_unit is not null
    ) p on p.snapshot_date = t.snapshot_date and p.current_municipality_key = t.current_municipality_key
        and p.territorial_unit = t.territorial_unit and p.service_group = t.service_group
""")
def rpt_territories_without_services() -> list:
    import great_expectations.expectations as gxe

    return [
        # A territory listed as without a service has no record of that group providing there (fct_provider_services).
        gxe.ExpectColumnValuesToBeInSet(column="has_provider", value_set=[False]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_date", "current_municipality_key",
                                                         "territorial_unit", "service_group"]),
        gxe.ExpectColumnValuesToBeInSet(column="territorial_unit_type", value_set=["city", "town", "parish"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="population", column_B="population_65plus",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
    ]


def _ratio_consistent(ratio: str, numerator: str, denominator: str) -> str:
    """SQL: `ratio` is numerator / denominator (rounded to 3 places) where the denominator is positive, else NULL."""
    return (f"coalesce(case when {denominator} > 0 then abs({ratio} - 1.0 * {numerator} / {denominator}) <= 0.0005 "
            f"+ {_EPS} else {ratio} is null end, false)")


def _change_consistent(change: str, ratio: str) -> str:
    """SQL: `change` is the ratio minus the region's previous year's (`previous_<ratio>`), NULL without either."""
    return (f"coalesce(case when {ratio} is null or previous_{ratio} is null then {change} is null "
            f"else abs({change} - ({ratio} - previous_{ratio})) <= {_EPS} end, false)")


@_suite("reporting_rpt_care_balance", f"""
    select b.*,
           {_ratio_consistent('places_ratio', 'institutional_places', 'community_places')} as places_ratio_consistent,
           {_ratio_consistent('clients_ratio', 'institutional_clients', 'community_clients')}
               as clients_ratio_consistent,
           {_change_consistent('places_ratio_change', 'places_ratio')} as places_ratio_change_consistent,
           {_change_consistent('clients_ratio_change', 'clients_ratio')} as clients_ratio_change_consistent,
           coalesce(b.regions_in_year = (select count(distinct planning_region) from marts.dim_municipality
                                         where is_current), false) as every_region_in_year
    from (
        select r.*,
               lag(r.places_ratio) over (partition by r.planning_region order by r.year) as previous_places_ratio,
               lag(r.clients_ratio) over (partition by r.planning_region order by r.year) as previous_clients_ratio,
               count(*) over (partition by r.year) as regions_in_year
        from reporting.rpt_care_balance r
    ) b
""")
def rpt_care_balance() -> list:
    import great_expectations.expectations as gxe

    counts = ("institutional_records", "community_records", "institutional_places", "community_places",
              "institutional_clients", "community_clients")
    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "planning_region"]),
        gxe.ExpectColumnValuesToBeInSet(column="planning_region", value_set=sorted(reference.planning_regions())),
        gxe.ExpectColumnValuesToBeInSet(column="every_region_in_year", value_set=[True]),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in counts),
        # The ratio is institutional / community where community is positive, NULL where it is not.
        gxe.ExpectColumnValuesToBeInSet(column="places_ratio_consistent", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="clients_ratio_consistent", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="places_ratio_change_consistent", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="clients_ratio_change_consistent", value_set=[True]),
    ]


@_suite("reporting_rpt_programme_targets_vs_results", f"""
    select coalesce(r.target_key, t.target_key) as target_key, r.unit, r.target_value, r.target_year, r.achieved,
           r.achieved_year, r.gap, r.status,
           r.target_key is not null as in_report, t.target_key is not null as in_targets,
           coalesce(r.status = case when r.achieved_year is null or r.achieved_year < r.target_year then 'not_due'
                                    when r.achieved >= r.target_value then 'met'
                                    else 'not_met' end, r.target_key is null) as status_consistent,
           coalesce(case when r.achieved is null then r.gap is null
                         else abs(r.gap - (r.target_value - r.achieved)) <= {_EPS} end, r.target_key is null)
               as gap_consistent
    from reporting.rpt_programme_targets_vs_results r
    full outer join marts.fct_programme_targets t on t.target_key = r.target_key
""")
def rpt_programme_targets_vs_results() -> list:
    import great_expectations.expectations as gxe

    return [
        # One row per result indicator of fct_programme_targets, and none besides.
        gxe.ExpectColumnValuesToBeInSet(column="in_report", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="in_targets", value_set=[True]),
        gxe.ExpectColumnValuesToBeUnique(column="target_key"),
        gxe.ExpectColumnValuesToNotBeNull(column="status"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["met", "not_met", "not_due"]),
        # not_due when the data measured are of a year before the target's; else met when achieved reaches it.
        gxe.ExpectColumnValuesToBeInSet(column="status_consistent", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="gap_consistent", value_set=[True]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="target_year", column_B="achieved_year",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnValuesToBeBetween(column="achieved", min_value=0),
    ]


@_suite("reporting_rpt_long_term_care_new_clients_by_age", """
    select r.*, coalesce(y.clients_year_end = m.clients_year_end and y.new_clients is not distinct from m.new_clients,
                         false) as totals_match_the_mart
    from reporting.rpt_long_term_care_new_clients_by_age r
    left join (
        select year, sum(clients_year_end) as clients_year_end, sum(new_clients) as new_clients
        from reporting.rpt_long_term_care_new_clients_by_age group by year
    ) y on y.year = r.year
    left join (
        select year, sum(clients_year_end) as clients_year_end, sum(new_clients) as new_clients
        from marts.fct_long_term_care_clients group by year
    ) m on m.year = r.year
""")
def rpt_long_term_care_new_clients_by_age() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "planning_region"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="new_clients", column_B="new_clients_65plus",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="new_clients_65plus", column_B="new_clients_80plus",
                                                    or_equal=True, ignore_row_if="either_value_is_missing"),
        # Mean age from the groups' midpoints (41, 72, 85, 92) lies between the lowest and the highest.
        gxe.ExpectColumnValuesToBeBetween(column="mean_age_new_clients", min_value=41, max_value=92),
        # The regions of a year add up to the year's clients in the mart: no municipality lost to the region map.
        gxe.ExpectColumnValuesToBeInSet(column="totals_match_the_mart", value_set=[True]),
    ]
