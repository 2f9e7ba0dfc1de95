"""The seed presentation's figures on the 2007–2013 ESF open calls of activity 1.4.1.2.4 (APIA, round 1), queried
from the marts built on the sample data."""

# The presentation's groups of planned services, by canonical service code: its "social rehabilitation services" are
# day-care centres, social rehabilitation institutions and a crisis centre.
PRESENTATION_GROUP = {
    "day_care_centre": "social_rehabilitation", "social_rehabilitation_institution": "social_rehabilitation",
    "crisis_centre": "social_rehabilitation", "social_rehabilitation": "social_rehabilitation",
    "assistant_escort": "assistant_escort", "respite": "respite", "specialised_workshop": "specialised_workshop",
    "home_care": "home_care",
}
ROUND_1 = """
    from marts.fct_esf_planned_services f
    join marts.fct_esf_projects p using (project_number)
    join marts.dim_service s using (service_key)
    where p.programming_period = '2007_2013' and p.measure_code = '1.4.1.2.4' and p.selection_type = 'open'
      and p.round = 1
"""


def round1_counts(sample_run) -> dict[tuple[str, str], int]:
    rows = sample_run.query(f"select f.novelty, s.service_code, count(*) {ROUND_1} group by 1, 2")
    counts: dict[tuple[str, str], int] = {}
    for novelty, code, n in rows:
        key = (novelty, PRESENTATION_GROUP.get(code, code))
        counts[key] = counts.get(key, 0) + n
    return counts


def test_new_services_planned(sample_run):
    counts = round1_counts(sample_run)
    assert {k: n for k, n in counts.items() if k[0] == "new"} == {
        ("new", "social_rehabilitation"): 26, ("new", "assistant_escort"): 3, ("new", "respite"): 2,
        ("new", "specialised_workshop"): 1}


def test_new_social_rehabilitation_is_day_care_institutions_and_one_crisis_centre(sample_run):
    kinds = dict(sample_run.query(f"""select s.service_code, count(*) {ROUND_1} and f.novelty = 'new'
        and s.service_code in ('day_care_centre', 'social_rehabilitation_institution', 'crisis_centre',
                               'social_rehabilitation') group by 1"""))
    assert set(kinds) == {"day_care_centre", "social_rehabilitation_institution", "crisis_centre"}
    assert kinds["crisis_centre"] == 1 and sum(kinds.values()) == 26


def test_improved_services(sample_run):
    counts = round1_counts(sample_run)
    assert {k: n for k, n in counts.items() if k[0] == "improved"} == {
        ("improved", "social_rehabilitation"): 22, ("improved", "home_care"): 4}


def test_three_of_the_improved_home_care_services_are_mobile_brigades(sample_run):
    names = [n for (n,) in sample_run.query(f"""select f.service_name_as_written {ROUND_1}
        and f.novelty = 'improved' and s.service_code = 'home_care'""")]
    assert len(names) == 4
    assert sum("mobil" in n.lower() for n in names) == 3


def test_innovative_methods_named(sample_run):
    methods = sorted(m for (m,) in sample_run.query(f"select f.method {ROUND_1} and f.is_innovative"))
    assert methods == sorted([
        "mākslas terapija", "pasaku terapija", "mūzikas un kustību terapija", "smilšu terapija",
        "sensorais dārzs un sensorā istaba", "telemedicīna paliatīvajā aprūpē",
        "medicīniskās rehabilitācijas elementi", "starppašvaldību sadarbība"])
