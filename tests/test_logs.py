"""kiosk.log rotates at its size limit and keeps three older files."""

from kiosk import logs


def test_kiosk_log_rotates_and_keeps_three(tmp_path, monkeypatch):
    """Past MAX_BYTES the log moves to kiosk.log.1 (then .2, .3); nothing older is kept."""
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    log = logs.setup_logging(tmp_path / "data.db")
    for n in range(500):
        log.info("line %d %s", n, "x" * 40)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert all((tmp_path / n).stat().st_size <= 2100 for n in names)
    assert "line 499" in (tmp_path / "kiosk.log").read_text(encoding="utf-8")
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
