"""The sample's municipal money and people: budget execution, social-service statistics and staffing, one file
per year and kind, LVL to 2013 and EUR from 2014 (the seed's rule), with the published figures of issue 4 (Rīga home
care, Jēkabpils novads) planted and bad rows injected."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from ingestion import reference
from ingestion.sample.world import (
    NBSP,
    REFORM,
    RIGA_PRE_REFORM_ATVK,
    SEEDS,
    Municipality,
    World,
    format_number,
    municipalities_for_year,
)
from ingestion.sources import BUDGET_EXPENDITURE, SOCIAL_SERVICE_STAFFING, SOCIAL_SERVICE_STATISTICS

BUDGET_YEARS = range(2009, 2026)
# --- Published figures (issue 4) ------------------------------------------------------------------------------
JEKABPILS_NOVADS_ATVK = "0031000"
RIGA_HOME_CARE_CLIENTS = {2009: 3941, 2010: 4144, 2011: 4678, 2012: 5203, 2013: 5748, 2014: 6602, 2015: 7457,
                          2016: 8151}

# Service names written in `Pakalpojums` of soc_pakalpojumi_YYYY.csv -> (canonical service code, provision).
# Provision says who delivers it (own staff / purchased from another provider); None where the form does not split.
# Up to 2016 the old form has one line per service; from 2017 (MK 2017 Nr.324) home care and long-term care split.
STATISTICS_SERVICES: dict[str, tuple[str, str | None]] = {
    "Aprūpe mājās": ("home_care", None),
    "Aprūpe mājās (pašvaldības darbinieki)": ("home_care", "own"),
    "Aprūpe mājās (pirkts pakalpojums)": ("home_care", "purchased"),
    "Dienas aprūpes centrs": ("day_care_centre", None),
    "Ilgstošās sociālās aprūpes institūcija": ("ltc_institution", None),
    "Ilgstoša sociālā aprūpe pilngadīgām personām (pašvaldības institūcija)": ("ltc_institution", "own"),
    "Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)": ("ltc_institution", "purchased"),
    "Krīzes centrs": ("crisis_centre", None),
    "Grupu dzīvoklis": ("group_home", None),
}
HOME_CARE = "Aprūpe mājās"
HOME_CARE_OWN = "Aprūpe mājās (pašvaldības darbinieki)"
HOME_CARE_PURCHASED = "Aprūpe mājās (pirkts pakalpojums)"
DAY_CARE = "Dienas aprūpes centrs"
LTC_OLD = "Ilgstošās sociālās aprūpes institūcija"
LTC_OWN = "Ilgstoša sociālā aprūpe pilngadīgām personām (pašvaldības institūcija)"
LTC_PURCHASED = "Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)"
CRISIS_CENTRE = "Krīzes centrs"
GROUP_HOME = "Grupu dzīvoklis"
STATISTICS_NEW_FORM_FROM = 2017
# Jēkabpils novads, EUR, (service, year) -> (clients, expenditure). Expenditure is published; clients are modelled.
JEKABPILS_FIGURES: dict[tuple[str, int], tuple[int, int]] = {
    (HOME_CARE_OWN, 2021): (142, 129254), (HOME_CARE_OWN, 2022): (151, 148923), (HOME_CARE_OWN, 2023): (118, 123870),
    (HOME_CARE_PURCHASED, 2021): (38, 34327), (HOME_CARE_PURCHASED, 2022): (104, 118385),
    (HOME_CARE_PURCHASED, 2023): (186, 234371),
    (LTC_PURCHASED, 2021): (98, 910030), (LTC_PURCHASED, 2022): (107, 1084505), (LTC_PURCHASED, 2023): (112, 1231014),
    (CRISIS_CENTRE, 2021): (64, 125621), (CRISIS_CENTRE, 2022): (71, 148011), (CRISIS_CENTRE, 2023): (86, 200545),
}

# Functional codes kept in the budget sample; 10.000 is the group total line, the sum of the others, as the
# Treasury prints it (so never sum 10.000 with its subcodes).
FUNCTION_TOTAL_CODE = "10.000"
FUNCTION_PER_CAPITA_EUR_2014 = {"10.100": 9.0, "10.200": 24.0, "10.400": 38.0, "10.700": 31.0, "10.900": 44.0}

BUDGET_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Funkcijas kods", "Funkcijas nosaukums", "Plāns", "Izpilde",
                 "Valūta"]
STATISTICS_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Pakalpojums", "Klientu skaits", "Izdevumi", "Valūta"]
STAFFING_HEADER = ["Gads", "ATVK kods", "Pašvaldība", "Sociālā darba speciālisti", "Citi darbinieki"]


# --- Municipal budgets, social-service statistics, staffing -----------------------------------------------------
# The 2021 budget file holds both classifiers: pre-reform rows carry 1 January–30 June, post-reform rows
# 1 July–31 December. The 2021 statistics and staffing files are filed once a year by the municipality existing at
# year end, so they hold only post-reform rows, for the whole year (headcount at 31 December).

def _currency(year: int) -> str:
    return reference.currency_of_year(year)


def _to_currency(eur: float, year: int) -> float:
    """An amount drawn in euro, as the file of `year` writes it (lats at the seed's fixed rate before the euro)."""
    return eur * reference.lvl_per_eur() if _currency(year) == "LVL" else eur


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _function_names() -> dict[str, str]:
    with (SEEDS / "functional_codes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r["name_lv"] for r in csv.DictReader(fh)}


def _budget_rows(world: World, year: int, rng: random.Random, factors: dict[str, dict[str, float]],
                 names: dict[str, str]) -> list[list[str]]:
    rows = []
    for m in municipalities_for_year(world.munis, year):
        share = 0.5 if year == REFORM.year else 1.0
        population = world.population_in(m, year)
        sep = rng.choice([" ", NBSP])
        lines: list[tuple[str, float, float]] = []
        for code, per_capita in FUNCTION_PER_CAPITA_EUR_2014.items():
            eur = population * per_capita * factors[m.atvk][code] * 1.045 ** (year - 2014) * share
            executed = _to_currency(eur * rng.uniform(0.93, 1.07), year)
            planned = executed / rng.uniform(0.88, 0.995)
            lines.append((code, round(planned, 2), round(executed, 2)))
        total = (FUNCTION_TOTAL_CODE, round(sum(p for _, p, _ in lines), 2), round(sum(e for _, _, e in lines), 2))
        for code, planned, executed in [total, *lines]:
            rows.append([str(year), m.atvk, m.name, code, names.get(code, ""), format_number(planned, sep),
                         format_number(executed, sep), _currency(year)])
    return rows


@dataclass(frozen=True)
class _ServiceProfile:
    day_care: bool
    crisis: bool
    group_home: bool
    home_care: str  # own / purchased / both
    ltc: str


def _service_profile(world: World, m: Municipality) -> _ServiceProfile:
    rng = world.rng(f"profile:{world.lineage(m)}")
    if m.atvk == JEKABPILS_NOVADS_ATVK:
        # Published lines only, so that every canonical service sums to the published figure.
        return _ServiceProfile(day_care=rng.random() < 0.7, crisis=True, group_home=False, home_care="both",
                               ltc="purchased")
    big = m.is_city or world.population_in(m, 2015) > 20_000
    # Every draw is made whatever the size, so a municipality keeps its profile across the reform.
    day_care, crisis, group_home = rng.random(), rng.random(), rng.random()
    return _ServiceProfile(
        day_care=big or day_care < 0.55,
        crisis=m.is_city or crisis < 0.15,
        group_home=group_home < (0.5 if big else 0.08),
        home_care=rng.choice(["own", "own", "purchased", "both"]),
        ltc=rng.choice(["own", "purchased", "purchased", "both"]),
    )


# Clients per inhabitant and EUR per client in 2014, per canonical service.
SERVICE_MODEL = {
    "home_care": ((0.004, 0.012), (650, 1300)),
    "day_care_centre": ((0.0008, 0.003), (1800, 3800)),
    "ltc_institution": ((0.0015, 0.005), (5500, 9000)),
    "crisis_centre": ((0.0002, 0.0008), (900, 2200)),
    "group_home": ((0.0001, 0.0005), (2500, 5000)),
}


def _statistics_rows(world: World, year: int, rng: random.Random) -> list[list[str]]:
    rows = []
    munis = [m for m in world.munis if m.valid_on(dt.date(year, 12, 31))]
    for m in munis:
        profile = _service_profile(world, m)
        lines = _statistics_lines(profile, year)
        population = world.population_in(m, year)
        sep = rng.choice([" ", NBSP])
        for service in lines:
            code, provision = STATISTICS_SERVICES[service]
            (clients_lo, clients_hi), (cost_lo, cost_hi) = SERVICE_MODEL[code]
            # Rates drawn once per municipality lineage and service keep each series smooth across the 2017 form
            # change and the 2021 reform.
            stable = world.rng(f"service:{world.lineage(m)}:{code}")
            rate, unit_cost, own_share = (stable.uniform(clients_lo, clients_hi), stable.uniform(cost_lo, cost_hi),
                                          stable.uniform(0.3, 0.7))
            if world.lineage(m) == RIGA_PRE_REFORM_ATVK and code == "home_care":
                rate = RIGA_HOME_CARE_CLIENTS[2016] / world.population[RIGA_PRE_REFORM_ATVK][2016]
            if sum(STATISTICS_SERVICES[other][0] == code for other in lines) > 1:
                rate *= own_share if provision == "own" else 1 - own_share
            clients = max(1, round(population * rate * rng.uniform(0.95, 1.05)))
            eur = clients * unit_cost * 1.05 ** (year - 2014) * rng.uniform(0.95, 1.05)
            if m.atvk == RIGA_PRE_REFORM_ATVK and service == HOME_CARE and year in RIGA_HOME_CARE_CLIENTS:
                clients = RIGA_HOME_CARE_CLIENTS[year]
                eur = clients * unit_cost * 1.05 ** (year - 2014) * rng.uniform(0.97, 1.03)
            if m.atvk == JEKABPILS_NOVADS_ATVK and (service, year) in JEKABPILS_FIGURES:
                clients, eur = JEKABPILS_FIGURES[(service, year)]
            elif m.atvk == JEKABPILS_NOVADS_ATVK and (service, 2023) in JEKABPILS_FIGURES:
                last_clients, last_eur = JEKABPILS_FIGURES[(service, 2023)]
                clients = round(last_clients * rng.uniform(0.95, 1.08))
                eur = last_eur * 1.04 ** (year - 2023) * rng.uniform(0.97, 1.05)
            amount = _to_currency(eur, year)
            rows.append([str(year), m.atvk, m.name, service, format_number(clients, sep, 0),
                         format_number(round(amount, 2), sep), _currency(year)])
    return rows


def _statistics_lines(profile: _ServiceProfile, year: int) -> list[str]:
    if year < STATISTICS_NEW_FORM_FROM:
        lines = [HOME_CARE, LTC_OLD]
    else:
        lines = {"own": [HOME_CARE_OWN], "purchased": [HOME_CARE_PURCHASED],
                 "both": [HOME_CARE_OWN, HOME_CARE_PURCHASED]}[profile.home_care]
        lines = lines + {"own": [LTC_OWN], "purchased": [LTC_PURCHASED], "both": [LTC_OWN, LTC_PURCHASED]}[profile.ltc]
    if profile.day_care:
        lines.append(DAY_CARE)
    if profile.crisis:
        lines.append(CRISIS_CENTRE)
    if profile.group_home:
        lines.append(GROUP_HOME)
    return lines


def _staffing_rows(world: World, year: int, rng: random.Random) -> list[list[str]]:
    rows = []
    for m in (m for m in world.munis if m.valid_on(dt.date(year, 12, 31))):
        population = world.population_in(m, year)
        # About a quarter of the municipalities stay below the norm of one specialist per 1,000 inhabitants.
        ratio = world.rng(f"staffing:{world.lineage(m)}").uniform(0.7, 1.6) * rng.uniform(0.95, 1.05)
        specialists = max(1, round(population / 1000 * ratio))
        others = max(0, round(specialists * rng.uniform(0.4, 1.8)))
        rows.append([str(year), m.atvk, m.name, str(specialists), str(others)])
    return rows


def write_budgets(world: World, landing: Path) -> dict[str, int]:
    written: dict[str, int] = {}
    names = _function_names()
    factor_rng = world.rng("budget:factors")
    factors = {m.atvk: {code: math.exp(factor_rng.gauss(0, 0.25)) for code in FUNCTION_PER_CAPITA_EUR_2014}
               for m in world.munis}
    for year in BUDGET_YEARS:
        rng = world.rng(f"budgets:{year}")
        budget = _budget_rows(world, year, rng, factors, names)
        statistics = _statistics_rows(world, year, rng)
        staffing = _staffing_rows(world, year, rng)
        _inject_budget_errors(year, budget, statistics, staffing, rng)
        for source, header, rows in ((BUDGET_EXPENDITURE, BUDGET_HEADER, budget),
                                     (SOCIAL_SERVICE_STATISTICS, STATISTICS_HEADER, statistics),
                                     (SOCIAL_SERVICE_STAFFING, STAFFING_HEADER, staffing)):
            path = source.path(landing, str(year))
            written[f"{source.subfolder}/{path.name}"] = _write_rows(path, header, rows)
    return written


PROTECTED_ATVK = {RIGA_PRE_REFORM_ATVK, JEKABPILS_NOVADS_ATVK, "0001000"}


def _inject_budget_errors(year: int, budget: list[list[str]], statistics: list[list[str]],
                          staffing: list[list[str]], rng: random.Random) -> None:
    """A few rows the ingestion must reject; never on the rows that carry published figures."""
    if year == 2012:  # a letter O typed for a zero
        row = rng.choice([r for r in budget if r[3] == "10.900" and r[1] not in PROTECTED_ATVK])
        row[6] = "12O 345,67"
    if year == 2016:  # a code that is in no classifier
        row = ["2016", "0999999", "Neidentificēta pašvaldība", "10.200", "Atbalsts gados veciem cilvēkiem",
               "15 000,00", "14 250,00", "EUR"]
        budget.insert(rng.randint(1, len(budget) - 1), row)
    if year == 2018:  # a negative amount
        row = rng.choice([r for r in statistics if r[3] == DAY_CARE and r[1] not in PROTECTED_ATVK])
        row[5] = "-" + row[5]
    if year == 2023:  # a code that looks plausible but was never issued
        staffing.insert(rng.randint(1, len(staffing) - 1), ["2023", "0057000", "Nezināms novads", "4", "3"])
