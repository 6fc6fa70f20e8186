"""The complaint views counted in the database (pages, totals, overdue, figures with their median,
triage without a category) give the same answers on PostgreSQL as on SQLite: the unit tests of
those views, run again on a fresh PostgreSQL database."""
import os
import uuid

import psycopg
import pytest
from tests.unit.complaints_unit_support import city_store
from tests.unit.test_complaints_views import (  # noqa: F401  (collected here again, with this store)
    test_a_complaint_without_category_waits_in_the_coordinators_triage,
    test_a_page_loads_only_its_own_complaints,
    test_every_agency_id_a_person_reads_comes_with_its_name,
    test_figures_counted_in_the_database_match_the_complaints,
    test_filters_and_overdue_are_applied_before_the_page_is_cut,
    test_no_complaints_no_figures,
    test_overdue_in_sql_is_the_rule_of_overdue_stages,
)

SERVER = os.environ.get("BAKOHUMAS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def store(tmp_path):
    name = f"bakohumas_test_complaints_views_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = city_store(tmp_path, f"{SERVER.rsplit('/', 1)[0]}/{name}")
    try:
        yield store
    finally:
        store.engine.dispose()
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
