"""The report's figures from the marts are kept with the build they come from: a page written
while that build is the last (a run that loaded nothing and skipped the transform) reads them back
instead of scanning the marts, and a page after a new build reads the marts again."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.observe import report as report_module
from leads_pipeline.observe.report import collect_report
from leads_pipeline.stages.transform import state as transform_state
from leads_pipeline.warehouse import Warehouse


def test_the_page_reads_the_marts_once_per_build(real_run, tmp_path, monkeypatch):
    database = tmp_path / "leads.duckdb"
    shutil.copy(real_run.settings.database, database)
    settings = Settings.load(bucket_url=str(tmp_path), database=database, target="duckdb")
    with Warehouse.open(settings) as warehouse:
        warehouse.execute("DROP TABLE IF EXISTS main_audit.report_marts")
    fresh = collect_report(settings)

    def marts_read(*_args):
        raise AssertionError("the marts were read again")

    monkeypatch.setattr(report_module, "_mart_section", marts_read)
    kept = collect_report(settings)
    assert fresh.summary["leads"], "the real files make leads"
    assert kept.summary == fresh.summary
    assert [asdict(section) for section in kept.sections] == [asdict(section) for section in fresh.sections]

    with Warehouse.open(settings) as warehouse:
        transform_state.record_build(warehouse, settings, "a-later-build")
    with pytest.raises(AssertionError, match="read again"):
        collect_report(settings)
