"""The benchmarks fill their tables with hand-written INSERTs, which Django's
defaults do not reach: a NOT NULL column added by a migration breaks them
only when someone runs `make bench`. This reads every INSERT under bench/
and names the columns it leaves out that the database requires."""

import re
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
INSERT = re.compile(r"INSERT INTO (\{\w+\}|\w+)\s*\((.*?)\)", re.S)
# The grants' INSERT is written once for both kinds; its catalogue column is
# offer_id for one and reward_id for the other.
TEMPLATES = {"{table}": ("followups_offergrant", "followups_rewardgrant")}
CATALOGUE = {"followups_offergrant": "offer_id", "followups_rewardgrant": "reward_id"}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def required(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def inserts():
    for path in sorted((ROOT / "bench").glob("*.py")):
        text = path.read_text()
        for match in INSERT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            columns = {column.strip() for column in match.group(2).split(",")}
            for table in TEMPLATES.get(match.group(1), (match.group(1),)):
                if "{catalogue_column}" in columns:
                    columns = columns | {CATALOGUE[table]}
                yield f"{path.name}:{line} {table}", table, columns


def test_the_benchmarks_inserts_give_every_column_the_database_requires():
    found = list(inserts())
    assert len(found) >= 15  # the reader still finds the benchmarks' INSERTs
    missing = [
        f"{where}: {', '.join(sorted(absent))}"
        for where, table, columns in found
        if (absent := required(table) - columns - {"id"})
    ]
    assert missing == [], "\n".join(missing)
