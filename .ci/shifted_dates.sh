#!/usr/bin/env bash
# Runs every test that touches dates, CLI subprocesses or the GUI under libfaketime, at
# dates that stress the calendar. Each run starts a minute before midnight, so the day
# (and at the 31 December, the year) changes while the tests run. No test may notice.
set -euo pipefail
cd "$(dirname "$0")/.."

LIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime.so.1$' | head -n 1 || true)
[ -n "$LIB" ] || { echo ".ci: libfaketime is not installed" >&2; exit 1; }

DATES=(
    "2028-02-29 23:59:00"   # a leap day, rolling into 1 March
    "2026-12-31 23:59:00"   # new year's eve, rolling into a new year
    "2041-06-15 23:59:00"   # years ahead (and past 2038)
)
# Every test file whose outcome involves a date: status words and expiry, certificates,
# lockouts and throttles, retention, review dates, the access log's ranges, backups named
# by day, county reports, and the commands that a test starts with its clock. (The rest
# of the suite never reads a date; running all of it three more times would take CI past
# its time budget.)
FILES=(
    tests/test_test_clock.py tests/test_quiz.py tests/test_quiz_ui.py tests/test_manager_core.py
    tests/test_cli.py tests/test_urgent.py tests/test_export.py tests/test_auth.py
    tests/test_login_screens.py tests/test_demo.py tests/test_journey.py
    tests/test_course_pack.py tests/test_item_analysis.py tests/test_evidence.py
    tests/test_backup.py tests/test_access_log.py tests/test_county_cli.py
    tests/test_evidence_gaps.py tests/test_printing.py
)
SELECT=(-m "not slow" -p no:cacheprovider -q -n auto "${FILES[@]}")

for when in "${DATES[@]}"; do
    echo ".ci: the suite with the system date at $when"
    # "@" starts the clock at that instant and lets it run at the real rate (monotonic
    # clocks too: FAKETIME_DONT_FAKE_MONOTONIC=1 makes libfaketime 0.9.10 break
    # time.sleep with EINVAL). A smaller crash suite keeps three runs quick.
    LD_PRELOAD="$LIB" FAKETIME="@$when" KIOSK_CRASH_KILLS=12 \
        .venv/bin/python -m pytest "${SELECT[@]}"
done
