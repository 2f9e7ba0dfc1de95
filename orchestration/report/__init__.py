"""The report for decision makers: its drawing (matplotlib) and its page (HTML, Markdown); the series and
the tables they read are orchestration/charts.py."""
