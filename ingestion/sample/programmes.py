"""The sample's regional development programmes' result indicators (docs/inputs.md#programme-result-indicators):
Zemgale's 2021–2027 priority "Sociālā iekļaušana un veselības veicināšana" with targets due in 2024–2027, and
2013–2015 targets of the 2007–2013 programmes beside the EU projects of that period, in the programmes' own words.
Baselines and targets are modelled (the programmes' tables are not machine-readable); the report measures them."""

from __future__ import annotations

from pathlib import Path

from ingestion.sample.municipal import _write_rows
from ingestion.sources import PROGRAMME_TARGETS, WHOLE_KEY

HEADER = ["Plānošanas reģions", "Programma", "Periods", "Prioritāte", "Rādītājs", "Pakalpojuma veids",
          "Bāzes vērtība", "Bāzes gads", "Mērķa vērtība", "Mērķa gads", "Mērvienība"]
ZEMGALE, LATGALE, KURZEME = ("Zemgales plānošanas reģions", "Latgales plānošanas reģions",
                             "Kurzemes plānošanas reģions")
ZEMGALE_2021 = ("Zemgales plānošanas reģiona attīstības programma 2021.–2027. gadam", "2021–2027",
                "Sociālā iekļaušana un veselības veicināšana")
ZEMGALE_2007 = ("Zemgales plānošanas reģiona attīstības programma 2007.–2013. gadam", "2007–2013",
                "Sociālo pakalpojumu pieejamība")
LATGALE_2010 = ("Latgales plānošanas reģiona attīstības programma 2010.–2017. gadam", "2010–2017",
                "Sociālie pakalpojumi dzīvesvietā")
KURZEME_2007 = ("Kurzemes plānošanas reģiona attīstības programma 2007.–2013. gadam", "2007–2013",
                "Sociālā infrastruktūra un pakalpojumi")
# (region, programme, indicator, service type as the seed names it, baseline, its year, target, its year, unit)
ROWS = [
    (ZEMGALE, ZEMGALE_2021, "Dienas aprūpes centri reģionā", "Dienas aprūpes centrs", "9", "2021", "14", "2027",
     "pakalpojumu sniedzēji"),
    (ZEMGALE, ZEMGALE_2021, "Aprūpes mājās klienti", "Aprūpe mājās", "1 450", "2021", "1 600", "2024", "klienti"),
    (ZEMGALE, ZEMGALE_2021, "Vietas grupu mājās (dzīvokļos)", "Grupu māja (dzīvoklis)", "20", "2021", "40", "2025",
     "vietas"),
    (ZEMGALE, ZEMGALE_2007, "Dienas aprūpes centri", "Dienas aprūpes centrs", "5", "2009", "8", "2013",
     "pakalpojumu sniedzēji"),
    (ZEMGALE, ZEMGALE_2007, "ES fondu projekti sociālajai rehabilitācijai institūcijās",
     "Sociālā rehabilitācija institūcijā", "0", "2008", "3", "2013", "projekti"),
    (ZEMGALE, ZEMGALE_2007, "ES fondu projekti atelpas brīža pakalpojumam", "Atelpas brīža pakalpojums", "0", "2008",
     "3", "2015", "projekti"),
    (LATGALE, LATGALE_2010, "Dienas aprūpes centri", "Dienas aprūpes centrs", "12", "2010", "16", "2015",
     "pakalpojumu sniedzēji"),
    (LATGALE, LATGALE_2010, "ES fondu projekti grupu mājām (dzīvokļiem)", "Grupu māja (dzīvoklis)", "0", "2010",
     "2", "2015", "projekti"),
    (KURZEME, KURZEME_2007, "Aprūpes mājās klienti", "Aprūpe mājās", "900", "2009", "1 100", "2013", "klienti"),
]


def write_programme_targets(landing: Path) -> int:
    rows = [[region, *programme[:2], programme[2], *rest] for region, programme, *rest in ROWS]
    return _write_rows(PROGRAMME_TARGETS.path(landing, WHOLE_KEY), HEADER, rows)
