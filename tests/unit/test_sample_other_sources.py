"""The sample of the non-register sources: deterministic, in the formats of docs/inputs.md, and carrying the published
figures of issues 3 (APIA round 1) and 4 (Rīga home care, Jēkabpils novads), read back with plain pandas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from ingestion.sample.esf_apia import (
    APIA_INNOVATIVE_METHODS,
    APIA_PRESENTATION_CATEGORY,
    APIA_ROUND1_FIGURES,
    APIA_ROUND1_SERVICES,
    APIA_ROUND2_SERVICES,
)
from ingestion.sample.esf_cfla import CFLA_COLUMNS
from ingestion.sample.municipal import JEKABPILS_FIGURES, RIGA_HOME_CARE_CLIENTS, STATISTICS_SERVICES
from ingestion.sample.other_sources import write_other_sources

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    write_other_sources(folder)
    return folder


def number(text: str) -> float:
    """Parse `1 234 567,89` with either a space or a no-break space as thousands separator."""
    return float(str(text).replace("\u00a0", "").replace(" ", "").replace(",", "."))


def read_budget_file(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def seed_codes() -> set[str]:
    return set(pd.read_csv(SEEDS / "municipalities.csv", dtype=str)["atvk_code"])


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first = write_other_sources(tmp_path / "a")
    second = write_other_sources(tmp_path / "b")
    assert first == second
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert {p.as_posix() for p in files_a} == set(first)
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_another_seed_gives_other_data_but_the_same_figures(tmp_path: Path) -> None:
    write_other_sources(tmp_path / "a")
    write_other_sources(tmp_path / "b", seed=7)
    rel = "esf/es_fondu_projekti_2014_2020.csv"
    assert (tmp_path / "a" / rel).read_bytes() != (tmp_path / "b" / rel).read_bytes()
    assert apia_round1_counts(tmp_path / "b") == APIA_ROUND1_FIGURES


def test_total_size_is_small(landing: Path) -> None:
    total = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    assert total < 2_100_000  # 2 MB, and five years of long-term care clients by age group (~40 kB)


# --- EU funds -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("period,index", [("2014_2020", 0), ("2021_2027", 1)])
def test_cfla_lists_use_the_column_names_of_their_period(landing: Path, period: str, index: int) -> None:
    path = landing / "esf" / f"es_fondu_projekti_{period}.csv"
    raw = path.read_bytes()
    assert not raw.startswith(BOM)
    df = pd.read_csv(path, sep=",", encoding="utf-8", dtype=str, keep_default_na=False)
    assert list(df.columns) == [names[index] for names in CFLA_COLUMNS.values()]
    assert 150 <= len(df) <= 400
    measures = df["ProjektaNumurs"].str.split("/").str[0]
    assert measures.nunique() >= 8
    social = measures.isin(["9.2.2.1", "9.2.2.2", "9.3.1.1", "4.3.5.1"]).sum()
    assert 20 <= social <= 60
    numbered = df["ProjektaNumurs"][df["ProjektaNumurs"] != ""]
    assert numbered.str.fullmatch(r"\d(\.\d){3}/\d{2}/[IA]/\d{3}").all()
    # Amounts are quoted with a decimal comma; dates come in both forms.
    assert re.search(r',"\d+,\d{2}",', raw.decode())
    start = df[CFLA_COLUMNS["start"][index]]
    assert start.str.fullmatch(r"\d{2}\.\d{2}\.\d{4}").any() and start.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()
    beneficiaries = df[CFLA_COLUMNS["applicant"][index]]
    assert beneficiaries.str.endswith("novada pašvaldība").any()
    assert df[CFLA_COLUMNS["applicant_reg"][index]].str.fullmatch(r"\d{11}").all()


def test_cfla_lists_carry_bad_rows(landing: Path) -> None:
    old = pd.read_csv(landing / "esf/es_fondu_projekti_2014_2020.csv", dtype=str, keep_default_na=False)
    assert (old["ProjektaNumurs"] == "").sum() == 1
    assert (~old["ProjektaKopejasIzmaksas"].str.fullmatch(r"\d+,\d{2}")).sum() == 1
    new = pd.read_csv(landing / "esf/es_fondu_projekti_2021_2027.csv", dtype=str, keep_default_na=False)
    assert (~new["KopejaisFinansejums"].str.fullmatch(r"\d+,\d{2}")).sum() == 1
    assert (new["SakumaDatums"] == "31.02.2023").sum() == 1


# The service code the generator wrote each wording for. That the pipeline's classifier (the dbt macro
# `classified_service_names`) gives the same codes is tested on the marts
# (tests/pipeline/test_esf_published_figures.py):
# this file restates no folding rule.
WRITTEN_FOR = {name: code for name, code, *_ in (*APIA_ROUND1_SERVICES, *APIA_ROUND2_SERVICES)}


def canonical(raw: str) -> str:
    return WRITTEN_FOR[raw]


def apia_round1(landing: Path) -> pd.DataFrame:
    sheets = pd.read_excel(landing / "esf/apia_1_4_1_2_4.xlsx", sheet_name=None, dtype=str)
    projects, services = sheets["Projekti"], sheets["Pakalpojumi"]
    round1 = projects.loc[projects["Kārta"] == "1", "Projekta Nr."]
    return services[services["Projekta Nr."].isin(round1)]


def apia_round1_counts(landing: Path) -> dict[tuple[str, str], int]:
    planned = apia_round1(landing)
    category = planned["Pakalpojums"].map(lambda raw: APIA_PRESENTATION_CATEGORY[canonical(raw)])
    counts = planned.groupby([planned["Jauns vai pilnveidots"], category]).size()
    return {key: int(n) for key, n in counts.items()}


def test_apia_round1_reproduces_the_published_figures(landing: Path) -> None:
    assert apia_round1_counts(landing) == {
        ("jauns", "social_rehabilitation"): 26, ("jauns", "assistant_escort"): 3, ("jauns", "respite"): 2,
        ("jauns", "specialised_workshop"): 1, ("pilnveidots", "social_rehabilitation"): 22,
        ("pilnveidots", "home_care"): 4,
    }
    planned = apia_round1(landing)
    improved_home_care = planned[(planned["Jauns vai pilnveidots"] == "pilnveidots")
                                 & (planned["Pakalpojums"].map(canonical) == "home_care")]
    assert improved_home_care["Pakalpojums"].str.contains("mobil", case=False).sum() == 3
    new_social = planned[(planned["Jauns vai pilnveidots"] == "jauns")
                         & planned["Pakalpojums"].map(lambda r: APIA_PRESENTATION_CATEGORY[canonical(r)]
                                                      == "social_rehabilitation")]
    kinds = new_social["Pakalpojums"].map(canonical).value_counts()
    assert set(kinds.index) == {"day_care_centre", "social_rehabilitation_institution", "crisis_centre"}
    assert kinds["crisis_centre"] == 1
    innovative = planned[planned["Inovatīvs"] == "jā"]
    assert sorted(innovative["Metode"]) == sorted(APIA_INNOVATIVE_METHODS)


def test_apia_workbook_shape(landing: Path) -> None:
    sheets = pd.read_excel(landing / "esf/apia_1_4_1_2_4.xlsx", sheet_name=None, dtype=str)
    assert list(sheets) == ["Projekti", "Pakalpojumi"]
    projects, services = sheets["Projekti"], sheets["Pakalpojumi"]
    assert "Kopējās izmaksas, LVL" in projects.columns and "ESF finansējums, LVL" in projects.columns
    assert set(projects["Kārta"]) == {"1", "2"}
    assert projects["Projekta Nr."].str.fullmatch(r"1DP/1\.4\.1\.2\.4/\d{2}/(APIA|IPIA)/NVA/\d{3}").all()
    assert projects["Projekta Nr."].str.contains("/IPIA/").any()
    assert projects["Pašvaldība"].str.endswith(" nov.").any()
    assert set(services["Jauns vai pilnveidots"]) == {"jauns", "pilnveidots"}
    assert set(services["Inovatīvs"]) == {"jā", "nē"}
    assert services["Projekta Nr."].isna().sum() == 1  # the bad row
    assert services["Pakalpojums"].isin(WRITTEN_FOR).all()
    written = {(name, code) for name, code, *_ in (*APIA_ROUND1_SERVICES, *APIA_ROUND2_SERVICES)}
    assert len(written) == len(WRITTEN_FOR)  # no wording written for two codes


# --- Budgets, statistics, staffing -----------------------------------------------------------------------------

def test_budget_files_format_and_currency(landing: Path) -> None:
    separators = set()
    for year in range(2009, 2026):
        for stem in ("pasvaldibu_izdevumi", "soc_pakalpojumi", "soc_dienesti"):
            path = landing / "budgets" / f"{stem}_{year}.csv"
            raw = path.read_bytes()
            assert raw.startswith(BOM), path
            header = raw[len(BOM):].split(b"\r\n", 1)[0].decode()
            assert header.count(";") >= 4 and header.startswith("Gads;ATVK kods;Pašvaldība;")
        budget = read_budget_file(landing / "budgets" / f"pasvaldibu_izdevumi_{year}.csv")
        statistics = read_budget_file(landing / "budgets" / f"soc_pakalpojumi_{year}.csv")
        expected = "LVL" if year <= 2013 else "EUR"
        assert set(budget["Valūta"]) == {expected}
        assert set(statistics["Valūta"]) == {expected}
        assert (budget["Gads"] == str(year)).all()
        for text in budget["Izpilde"]:
            separators.update(ch for ch in (" ", "\u00a0") if ch in text)
    assert separators == {" ", "\u00a0"}


def test_lvl_and_eur_amounts_are_comparable_across_the_changeover(landing: Path) -> None:
    def social_total(year: int) -> float:
        df = read_budget_file(landing / "budgets" / f"pasvaldibu_izdevumi_{year}.csv")
        return sum(number(v) for v in df.loc[df["Funkcijas kods"] == "10.000", "Izpilde"])

    eur_2013 = social_total(2013) / 0.702804
    assert 0.85 < social_total(2014) / eur_2013 < 1.25


@pytest.mark.parametrize("year,count", [(2009, 119), (2015, 119), (2020, 119), (2022, 43), (2024, 43), (2025, 42)])
def test_municipalities_valid_in_their_year(landing: Path, year: int, count: int) -> None:
    known = seed_codes()
    for stem in ("pasvaldibu_izdevumi", "soc_pakalpojumi", "soc_dienesti"):
        df = read_budget_file(landing / "budgets" / f"{stem}_{year}.csv")
        codes = set(df["ATVK kods"]) & known
        assert len(codes) == count, (stem, year)
    if year == 2025:
        assert "0038001" in codes and not codes & {"0038000", "0055000"}


def test_2021_budget_holds_both_classifiers(landing: Path) -> None:
    budget = read_budget_file(landing / "budgets/pasvaldibu_izdevumi_2021.csv")
    codes = set(budget["ATVK kods"])
    assert len(codes) == 119 + 43
    assert {"0010000", "0001000"} <= codes
    for stem in ("soc_pakalpojumi", "soc_dienesti"):
        df = read_budget_file(landing / "budgets" / f"{stem}_2021.csv")
        assert len(set(df["ATVK kods"])) == 43


def test_functional_codes_come_from_the_seed(landing: Path) -> None:
    seed = set(pd.read_csv(SEEDS / "functional_codes.csv", dtype=str)["code"])
    df = read_budget_file(landing / "budgets/pasvaldibu_izdevumi_2018.csv")
    assert set(df["Funkcijas kods"]) <= seed
    assert "10.000" in set(df["Funkcijas kods"])


def test_riga_home_care_clients(landing: Path) -> None:
    for year, clients in RIGA_HOME_CARE_CLIENTS.items():
        df = read_budget_file(landing / "budgets" / f"soc_pakalpojumi_{year}.csv")
        rows = df[(df["ATVK kods"] == "0010000") & (df["Pakalpojums"] == "Aprūpe mājās")]
        assert len(rows) == 1, year
        assert number(rows["Klientu skaits"].iloc[0]) == clients


def test_jekabpils_novads_figures(landing: Path) -> None:
    published = {
        ("Aprūpe mājās (pašvaldības darbinieki)", 2021): 129254,
        ("Aprūpe mājās (pašvaldības darbinieki)", 2022): 148923,
        ("Aprūpe mājās (pašvaldības darbinieki)", 2023): 123870,
        ("Aprūpe mājās (pirkts pakalpojums)", 2021): 34327,
        ("Aprūpe mājās (pirkts pakalpojums)", 2022): 118385,
        ("Aprūpe mājās (pirkts pakalpojums)", 2023): 234371,
        ("Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)", 2021): 910030,
        ("Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)", 2022): 1084505,
        ("Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)", 2023): 1231014,
        ("Krīzes centrs", 2021): 125621, ("Krīzes centrs", 2022): 148011, ("Krīzes centrs", 2023): 200545,
    }
    assert {key: eur for key, (_, eur) in JEKABPILS_FIGURES.items()} == published
    for year in (2021, 2022, 2023):
        df = read_budget_file(landing / "budgets" / f"soc_pakalpojumi_{year}.csv")
        mine = df[df["ATVK kods"] == "0031000"]
        assert set(mine["Valūta"]) == {"EUR"}
        by_service = {s: number(v) for s, v in zip(mine["Pakalpojums"], mine["Izdevumi"])}
        for (service, figure_year), eur in published.items():
            if figure_year == year:
                assert by_service[service] == eur
        # No other line of the same canonical service, so per-service sums equal the published figures too.
        ltc = [s for s in by_service if STATISTICS_SERVICES[s][0] == "ltc_institution"]
        assert ltc == ["Ilgstoša sociālā aprūpe pilngadīgām personām (pirkts pakalpojums)"]


def test_statistics_service_names_are_listed(landing: Path) -> None:
    names = set()
    for year in range(2009, 2026):
        names |= set(read_budget_file(landing / "budgets" / f"soc_pakalpojumi_{year}.csv")["Pakalpojums"])
    assert names == set(STATISTICS_SERVICES)


def test_budget_bad_rows(landing: Path) -> None:
    b2012 = read_budget_file(landing / "budgets/pasvaldibu_izdevumi_2012.csv")
    assert (b2012["Izpilde"] == "12O 345,67").sum() == 1
    b2016 = read_budget_file(landing / "budgets/pasvaldibu_izdevumi_2016.csv")
    assert (b2016["ATVK kods"] == "0999999").sum() == 1
    s2018 = read_budget_file(landing / "budgets/soc_pakalpojumi_2018.csv")
    assert s2018["Izdevumi"].str.startswith("-").sum() == 1
    d2023 = read_budget_file(landing / "budgets/soc_dienesti_2023.csv")
    assert (d2023["ATVK kods"] == "0057000").sum() == 1


def test_staffing_norm_varies(landing: Path) -> None:
    staffing = read_budget_file(landing / "budgets/soc_dienesti_2019.csv")
    population = read_population(landing)
    pre = population[population["label"].str.endswith("(līdz 01.07.2021.)")]
    names = pre["label"].str.replace(" (līdz 01.07.2021.)", "", regex=False)
    per_name = dict(zip(names, pre["2019"].astype(float)))
    specialists = zip(staffing["Pašvaldība"], staffing["Sociālā darba speciālisti"])
    ratios = [int(s) / per_name[n] * 1000 for n, s in specialists]
    below = sum(r < 1 for r in ratios)
    assert 0 < below < len(ratios)


# --- Population -----------------------------------------------------------------------------------------------

def read_population(landing: Path) -> pd.DataFrame:
    df = pd.read_csv(landing / "reference/iedzivotaji.csv", sep=";", encoding="utf-8-sig", dtype=str,
                     na_values=[".."], keep_default_na=False)
    return df.rename(columns={"Teritoriālā vienība": "label"})


def test_population_file(landing: Path) -> None:
    raw = (landing / "reference/iedzivotaji.csv").read_bytes()
    assert raw.startswith(BOM)
    header = next(csv.reader(io.StringIO(raw[len(BOM):].decode().splitlines()[0]), delimiter=";"))
    assert header == ["Teritoriālā vienība", *[str(y) for y in range(2010, 2026)]]
    assert raw[len(BOM):].startswith('"Teritoriālā vienība";"2010";'.encode())
    assert b'".."' in raw or b";..;" in raw
    df = read_population(landing)
    post = df[df["label"].str.match(r"LV\d{7} ")]
    pre = df[df["label"].str.endswith(" (līdz 01.07.2021.)")]
    assert len(pre) == 119 and len(post) == 44  # 43 of 2021 and Madona of 2025
    assert post["2021"].notna().sum() == 43 and post["2025"].notna().sum() == 42
    assert pre["2020"].notna().all() and pre["2021"].notna().all() and pre["2022"].isna().all()
    assert post["2020"].isna().all()
    riga = float(df.loc[df["label"] == "LV0001000 Rīga", "2021"].iloc[0])
    assert 590_000 <= riga <= 640_000
    novadi = pre[pre["label"].str.contains(" novads")]["2015"].astype(float)
    assert novadi.min() >= 1_500 and novadi.median() < 30_000
    ogre = df.loc[df["label"] == "LV0040000 Ogres novads"]
    assert len(ogre) == 1
