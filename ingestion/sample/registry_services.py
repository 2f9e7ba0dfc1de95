"""The register sample's services: the wordings of each canonical service code (legacy 2010–2016 and current
2017–), and the 2012 calibration by report group split over the group's codes. A record's code is drawn once;
only its wording changes, so that the type of a record survives the format switch as in the real register."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# Raw service names per service code: (legacy wordings 2010–2016, current wordings 2017–). Every wording is a name
# of seeds/service_name_map.csv for that code as the pipeline folds it (tests/pipeline/test_marts_contract.py checks the
# whole sample through dbt), so the sample restates no folding rule.
SERVICE_NAMES = {
    "ltc_institution": (["ilgstošas sociālās aprūpes un sociālās rehabilitācijas institūcija", "pansija",
                         "Sociālās aprūpes centrs"],
                        ["ilgstošās sociālās aprūpes un sociālās rehabilitācijas institūcija",
                         "Ilgstoša sociālā aprūpe un sociālā rehabilitācija"]),
    "social_rehabilitation": (["sociālā rehabilitācija"],
                              ["sociālā rehabilitācija", "Sociālā rehabilitācija dzīvesvietā"]),
    "social_rehabilitation_institution": (["Sociālās rehabilitācijas institūcija"],
                                          ["Sociālās rehabilitācijas institūcija",
                                           "sociālā rehabilitācija institūcijā"]),
    "municipal_social_service": (["sociālais dienests", "Pašvaldības sociālais dienests"],
                                 ["sociālais, tai skaitā pašvaldības sociālais dienests"]),
    "day_care_centre": (["dienas aprūpes centrs"], ["Dienas aprūpes centrs", "dienas aprūpes centrs"]),
    "day_centre": (["dienas centrs"], ["cits: dienas centrs", "Dienas centrs"]),
    "support_centre": (["atbalsta centrs"], ["Atbalsta centrs"]),
    "crisis_centre": (["krīzes centrs"], ["Krīzes centrs"]),
    "crisis_line": (["uzticības tālrunis"], ["krīzes tālrunis"]),
    "shelter": (["patversme"], ["Patversme"]),
    "night_shelter": (["naktspatversme"], ["Naktspatversme"]),
    "short_term_care": (["īslaicīgā sociālā aprūpe"], ["citi: īslaicīgā sociālā aprūpe"]),
    "respite": (["atelpas brīdis"], ["atelpas brīdis", "Atelpas brīža pakalpojums"]),
    "assistant_escort": (["asistenta pakalpojums", "pavadoņa pakalpojums"],
                         ["Asistenta pakalpojums", "asistenta un pavadoņa pakalpojumi"]),
    "group_home": (["grupu dzīvoklis"], ["Grupu dzīvoklis", "grupu māja (dzīvoklis)"]),
    "specialised_workshop": (["specializētās darbnīcas"], ["specializētās darbnīcas"]),
    "halfway_house": (["pusceļa māja"], ["Pusceļa māja"]),
    "addiction_prevention": (["atkarību profilakse"], ["cits: atkarību profilakse"]),
    "social_work_service": (["sociālā darba pakalpojums"], ["Sociālā darba pakalpojums"]),
    "professional_rehabilitation": (["profesionālās rehabilitācijas institūcija"],
                                    ["Profesionālā rehabilitācija"]),
    "home_care": (["aprūpe mājās", "sociālā aprūpe mājās"], ["Aprūpe mājās", "aprūpe mājās", "mobilā brigāde"]),
    "charitable_social_work": (["karitatīvais sociālais darbs"], ["cits: karitatīvais sociālais darbs"]),
    "other": (["cits"], ["Cits"]),
}

# Records on 2012-01-02 by report group of seeds/service_types.csv (shares of 893 as in the 2012 presentation).
GROUP_COUNTS_2012 = {
    "long_term_care": 223, "social_rehabilitation": 170, "municipal_social_service": 134, "day_centres": 107,
    "crisis": 54, "shelter": 18, "night_shelter": 12, "short_term_care": 20, "assistant": 16,
    "group_home": 17, "specialised_workshop": 13, "halfway_house": 7, "addiction_prevention": 6,
    "social_work_service": 5, "professional_rehabilitation": 4, "home_care": 60, "other": 27,
}
# Weights of the codes within a report group (1 when not listed): day-care centres are the commonest day centres,
# crisis centres outnumber crisis lines, and so on.
CODE_WEIGHTS = {
    "social_rehabilitation": 5, "social_rehabilitation_institution": 4,
    "day_care_centre": 9, "day_centre": 7, "support_centre": 4,
    "crisis_centre": 3, "crisis_line": 1,
    "short_term_care": 2, "respite": 1,
    "other": 2, "charitable_social_work": 1,
}
# Services whose `PakalpojumaSniegsanasForma` is always with accommodation.
ACCOMMODATION_CODES = frozenset({"ltc_institution", "shelter", "night_shelter", "crisis_centre", "group_home",
                                 "halfway_house"})


@cache
def report_groups() -> dict[str, str]:
    """service_code -> report_group, from seeds/service_types.csv."""
    with open(SEEDS / "service_types.csv", encoding="utf-8") as f:
        return {r["service_code"]: r["report_group"] for r in csv.DictReader(f)}


@cache
def code_counts_2012() -> dict[str, int]:
    """Records on 2012-01-02 per service code: each group's count split over its codes by CODE_WEIGHTS (largest
    remainders), so that the group totals stay exactly GROUP_COUNTS_2012."""
    groups = report_groups()
    unknown = set(SERVICE_NAMES) - set(groups)
    assert not unknown, f"codes not in service_types.csv: {sorted(unknown)}"
    out: dict[str, int] = {}
    for group, n in GROUP_COUNTS_2012.items():
        codes = [c for c in SERVICE_NAMES if groups[c] == group]
        assert codes, f"report group {group} has no code with wordings"
        weights = [CODE_WEIGHTS.get(c, 1) for c in codes]
        quotas = [n * w / sum(weights) for w in weights]
        counts = [int(q) for q in quotas]
        for i in sorted(range(len(codes)), key=lambda i: (counts[i] - quotas[i], i))[:n - sum(counts)]:
            counts[i] += 1
        out.update(zip(codes, counts, strict=True))
    uncalibrated = {c for c in SERVICE_NAMES if groups[c] not in GROUP_COUNTS_2012}
    assert not uncalibrated, f"codes of no calibrated report group: {sorted(uncalibrated)}"
    return out
