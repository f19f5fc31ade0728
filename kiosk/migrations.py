"""The one migration set for data.db.

Rules: a migration that has shipped is never edited, only followed by a new one.
Each runs in a transaction with its own record (sqlite-utils `Migrations`), and
db.open_database() copies the file aside before any pending migration runs.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("kiosk")

# The newest schema this code understands; a file with a migration we do not
# know was written by a newer kiosk and must not be opened for writing.
KNOWN = (
    "m001_initial",
    "m002_manager_indexes",
    "m003_access_log_head",
    "county_001_outbox",
    "evidence_seal_records",
    "evidence_username_key",
    "product_m001_section_end",
)


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            full_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('learner', 'manager')),
            job_title TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            must_change_password INTEGER NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0,
            failed_count INTEGER NOT NULL DEFAULT 0,
            last_failed_at TEXT,
            not_before TEXT,
            locked_until TEXT,
            last_login_at TEXT,
            created_at TEXT NOT NULL,
            prefs TEXT NOT NULL DEFAULT '{}'
        );

        -- Evidence: append-only, hash-chained (see access_log.py).
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            occurred_at TEXT NOT NULL,
            kiosk_id TEXT NOT NULL,
            event TEXT NOT NULL,
            username_entered TEXT NOT NULL DEFAULT '',
            user_id INTEGER REFERENCES users(id),
            user_matched TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            row_hash TEXT NOT NULL
        );
        CREATE INDEX access_log_occurred ON access_log (occurred_at);
        CREATE INDEX access_log_event ON access_log (event, occurred_at);
        CREATE INDEX access_log_user ON access_log (user_id, occurred_at);
        CREATE INDEX access_log_kiosk_event ON access_log (kiosk_id, event, occurred_at);

        -- The retention purge is the one way rows leave the log: it opens this gate
        -- inside its own transaction, deletes, and closes it before committing.
        CREATE TABLE access_log_purge_gate (open INTEGER NOT NULL);
        -- Where the chain starts after a purge: the prev_hash the first kept row must carry.
        CREATE TABLE access_log_anchor (
            id INTEGER PRIMARY KEY,
            first_id INTEGER NOT NULL,
            prev_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN
            SELECT RAISE(ABORT, 'access_log is append-only');
        END;
        CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        WHEN NOT EXISTS (SELECT 1 FROM access_log_purge_gate)
        BEGIN
            SELECT RAISE(ABORT, 'access_log is append-only');
        END;

        -- Reading progress: one row per opening of a section.
        CREATE TABLE section_views (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            course_id TEXT NOT NULL,
            content_version TEXT NOT NULL,
            section_id TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0
        );
        CREATE INDEX section_views_user ON section_views (user_id, course_id, content_version);

        CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            kiosk_id TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            course_id TEXT NOT NULL,
            course_version TEXT NOT NULL,
            content_version TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            duration_seconds INTEGER,
            score REAL,
            max_score REAL,
            percent REAL,
            pass_mark INTEGER,
            passed INTEGER,
            expires_on TEXT,
            certificate_code TEXT UNIQUE
        );
        CREATE INDEX attempts_user ON attempts (user_id, course_id, status);
        CREATE INDEX attempts_finished ON attempts (finished_at);
        CREATE INDEX attempts_started ON attempts (started_at);

        CREATE TABLE attempt_questions (
            attempt_id TEXT NOT NULL REFERENCES attempts(id),
            position INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            section_id TEXT NOT NULL,
            option_order TEXT NOT NULL,
            answer TEXT,
            answered_at TEXT,
            correct INTEGER,
            points REAL,
            PRIMARY KEY (attempt_id, position)
        );
        CREATE INDEX attempt_questions_question ON attempt_questions (question_id);

        -- A submitted attempt is evidence: it never changes.
        CREATE TRIGGER attempts_frozen BEFORE UPDATE ON attempts
        WHEN OLD.status = 'submitted'
        BEGIN
            SELECT RAISE(ABORT, 'a submitted attempt cannot be changed');
        END;
        CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
        WHEN NOT EXISTS (SELECT 1 FROM access_log_purge_gate)
        BEGIN
            SELECT RAISE(ABORT, 'attempts are only removed by the retention purge');
        END;
        CREATE TRIGGER attempt_questions_frozen BEFORE UPDATE ON attempt_questions
        WHEN (SELECT status FROM attempts WHERE id = OLD.attempt_id) = 'submitted'
        BEGIN
            SELECT RAISE(ABORT, 'a submitted attempt cannot be changed');
        END;

        -- A manager's grant of one more attempt beyond the limit or cool-down.
        CREATE TABLE attempt_grants (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            course_id TEXT NOT NULL,
            granted_by INTEGER REFERENCES users(id),
            granted_at TEXT NOT NULL,
            used_by_attempt TEXT REFERENCES attempts(id)
        );

        -- Contacts edited by managers; when a course has rows here they replace the pack's list.
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            course_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            web TEXT NOT NULL DEFAULT '',
            area TEXT NOT NULL DEFAULT '',
            last_verified TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id)
        );
        """
    )


@migrations()
def m002_manager_indexes(db: Database) -> None:
    # The subject-access export and the most-tried-usernames report look rows up by what
    # was typed (case-insensitively, as usernames are); per-person history reads a
    # person's attempts newest first.
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS access_log_username
            ON access_log (username_entered COLLATE NOCASE, occurred_at);
        CREATE INDEX IF NOT EXISTS attempts_user_finished ON attempts (user_id, finished_at);
        """
    )


@migrations()
def m003_access_log_head(db: Database) -> None:
    """A second record of the chain's end, so cutting rows off the tail shows.

    The chain alone cannot reveal that its newest rows were deleted: what is left
    is still a valid chain. The head is written by a trigger in the same
    statement as every insert, so it always names the newest row; `kiosk log
    verify` checks that the last row (or the purge anchor) matches it.
    """
    db.executescript(
        """
        CREATE TABLE access_log_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_id INTEGER NOT NULL,
            last_hash TEXT NOT NULL
        );
        INSERT INTO access_log_head (id, last_id, last_hash)
        SELECT 1,
               COALESCE((SELECT id FROM access_log ORDER BY id DESC LIMIT 1),
                        (SELECT first_id - 1 FROM access_log_anchor ORDER BY id DESC LIMIT 1),
                        0),
               COALESCE((SELECT row_hash FROM access_log ORDER BY id DESC LIMIT 1),
                        (SELECT prev_hash FROM access_log_anchor ORDER BY id DESC LIMIT 1),
                        '0000000000000000000000000000000000000000000000000000000000000000');

        CREATE TRIGGER access_log_head_follows AFTER INSERT ON access_log
        BEGIN
            UPDATE access_log_head SET last_id = NEW.id, last_hash = NEW.row_hash
            WHERE id = 1;
        END;
        CREATE TRIGGER access_log_head_no_delete BEFORE DELETE ON access_log_head
        BEGIN
            SELECT RAISE(ABORT, 'access_log_head cannot be removed');
        END;
        """
    )


# ---------------------------------------------------------------- county roll-up (issue 15)
#
# The outbox is filled by triggers, in the same transaction as the write they copy, so
# every write path (today's and any refactored one) queues its record without knowing
# about the county. The triggers only queue once the kiosk has joined a server
# (county_state.enabled = 1); joining backfills what was written before, with the
# same JSON shapes (kiosk/county/outbox.py reuses these templates, `{r}` being the row).
# Frozen with county_001: a change of shape needs a new migration and a new kind.

COUNTY_UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89AB', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
COUNTY_NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
COUNTY_ENABLED_SQL = "(SELECT enabled FROM county_state WHERE id = 1) = 1"

COUNTY_PERSON_JSON = (
    "json_object('event_id', " + COUNTY_UUID_SQL + ", 'person_uid', {r}.person_uid, "
    "'local_id', {r}.id, 'username', {r}.username, 'full_name', {r}.full_name, "
    "'role', {r}.role, 'job_title', {r}.job_title, 'disabled', {r}.disabled, "
    "'changed_at', " + COUNTY_NOW_SQL + ")"
)
COUNTY_ATTEMPT_JSON = (
    "json_object('attempt_id', {r}.id, 'kiosk_id', {r}.kiosk_id, "
    "'person_uid', (SELECT person_uid FROM users WHERE id = {r}.user_id), "
    "'local_user_id', {r}.user_id, "
    "'username', (SELECT username FROM users WHERE id = {r}.user_id), "
    "'full_name', (SELECT full_name FROM users WHERE id = {r}.user_id), "
    "'course_id', {r}.course_id, 'course_version', {r}.course_version, "
    "'content_version', {r}.content_version, 'started_at', {r}.started_at, "
    "'finished_at', {r}.finished_at, 'duration_seconds', {r}.duration_seconds, "
    "'score', {r}.score, 'max_score', {r}.max_score, 'percent', {r}.percent, "
    "'pass_mark', {r}.pass_mark, 'passed', {r}.passed, 'expires_on', {r}.expires_on, "
    "'certificate_code', {r}.certificate_code, "
    "'answers', json((SELECT json_group_array(json_object('position', q.position, "
    "'question_id', q.question_id, 'section_id', q.section_id, 'answer', q.answer, "
    "'answered_at', q.answered_at, 'correct', q.correct, 'points', q.points)) "
    "FROM (SELECT * FROM attempt_questions WHERE attempt_id = {r}.id ORDER BY position) q)))"
)
COUNTY_LOG_JSON = (
    "json_object('row_id', {r}.id, 'occurred_at', {r}.occurred_at, 'kiosk_id', {r}.kiosk_id, "
    "'event', {r}.event, 'username_entered', {r}.username_entered, 'user_id', {r}.user_id, "
    "'user_matched', {r}.user_matched, 'reason', {r}.reason, 'prev_hash', {r}.prev_hash, "
    "'row_hash', {r}.row_hash)"
)
COUNTY_READING_JSON = (
    "json_object('event_id', " + COUNTY_UUID_SQL + ", 'view_id', {r}.id, "  # noqa: S608
    "'person_uid', (SELECT person_uid FROM users WHERE id = {r}.user_id), "
    "'course_id', {r}.course_id, 'content_version', {r}.content_version, "
    "'section_id', {r}.section_id, 'opened_at', {r}.opened_at, 'seconds', {r}.seconds)"
)
COUNTY_CONTACT_JSON = (
    "json_object('event_id', " + COUNTY_UUID_SQL + ", 'op', '{op}', 'contact_id', {r}.id, "
    "'course_id', {r}.course_id, 'position', {r}.position, 'name', {r}.name, "
    "'role', {r}.role, 'phone', {r}.phone, 'web', {r}.web, 'area', {r}.area, "
    "'last_verified', {r}.last_verified, 'updated_at', {r}.updated_at)"
)


def _queue(kind: str, payload: str) -> str:
    return (f"INSERT INTO county_outbox (kind, payload, queued_at) "  # noqa: S608 - fixed
            f"VALUES ('{kind}', {payload}, {COUNTY_NOW_SQL});")


@migrations()
def county_001_outbox(db: Database) -> None:
    """The county outbox, a county-wide id for each person, and the triggers that queue."""
    new = {"r": "NEW"}
    db.executescript(
        f"""
        CREATE TABLE county_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            enabled INTEGER NOT NULL DEFAULT 0,
            kiosk_id TEXT NOT NULL DEFAULT '',
            joined_at TEXT,
            last_attempt_at TEXT,
            last_synced_at TEXT,
            last_pulled_at TEXT,
            last_error TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO county_state (id) VALUES (1);

        -- No constraint here may ever fail: a failing trigger would refuse the person's
        -- own write (a sign-in, a submitted test) because of the county.
        CREATE TABLE county_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            queued_at TEXT NOT NULL
        );

        -- Certificates of people on this kiosk's roster earned at other centres, pulled
        -- from the server, so they count as trained here (status.py).
        CREATE TABLE county_certificates (
            attempt_id TEXT PRIMARY KEY,
            person_uid TEXT NOT NULL,
            course_id TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            expires_on TEXT NOT NULL,
            percent REAL,
            certificate_code TEXT,
            centre TEXT NOT NULL DEFAULT '',
            kiosk_id TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX county_certificates_person ON county_certificates (person_uid, course_id);

        -- The same person recorded differently at another centre: shown to managers,
        -- never merged automatically.
        CREATE TABLE county_conflicts (
            id INTEGER PRIMARY KEY,
            person_uid TEXT NOT NULL,
            field TEXT NOT NULL,
            here TEXT NOT NULL,
            there TEXT NOT NULL,
            centre TEXT NOT NULL,
            kiosk_id TEXT NOT NULL
        );

        ALTER TABLE users ADD COLUMN person_uid TEXT;
        UPDATE users SET person_uid = {COUNTY_UUID_SQL} WHERE person_uid IS NULL;
        CREATE UNIQUE INDEX users_person_uid ON users (person_uid);

        CREATE TRIGGER county_users_uid AFTER INSERT ON users
        WHEN NEW.person_uid IS NULL
        BEGIN
            UPDATE users SET person_uid = {COUNTY_UUID_SQL} WHERE id = NEW.id;
        END;
        CREATE TRIGGER county_users_changed AFTER UPDATE ON users
        WHEN {COUNTY_ENABLED_SQL} AND NEW.person_uid IS NOT NULL AND (
            OLD.person_uid IS NOT NEW.person_uid OR OLD.username IS NOT NEW.username
            OR OLD.full_name IS NOT NEW.full_name OR OLD.role IS NOT NEW.role
            OR OLD.job_title IS NOT NEW.job_title OR OLD.disabled IS NOT NEW.disabled)
        BEGIN
            {_queue("person", COUNTY_PERSON_JSON.format(**new))}
        END;
        CREATE TRIGGER county_attempt_submitted AFTER UPDATE OF status ON attempts
        WHEN {COUNTY_ENABLED_SQL} AND OLD.status = 'in_progress' AND NEW.status = 'submitted'
        BEGIN
            {_queue("attempt", COUNTY_ATTEMPT_JSON.format(**new))}
        END;
        CREATE TRIGGER county_access_log AFTER INSERT ON access_log
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("access_log", COUNTY_LOG_JSON.format(**new))}
        END;
        CREATE TRIGGER county_reading_opened AFTER INSERT ON section_views
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("reading", COUNTY_READING_JSON.format(**new))}
        END;
        CREATE TRIGGER county_reading_seconds AFTER UPDATE OF seconds ON section_views
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("reading", COUNTY_READING_JSON.format(**new))}
        END;
        CREATE TRIGGER county_contact_added AFTER INSERT ON contacts
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("contact", COUNTY_CONTACT_JSON.format(r="NEW", op="insert"))}
        END;
        CREATE TRIGGER county_contact_changed AFTER UPDATE ON contacts
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("contact", COUNTY_CONTACT_JSON.format(r="NEW", op="update"))}
        END;
        CREATE TRIGGER county_contact_removed AFTER DELETE ON contacts
        WHEN {COUNTY_ENABLED_SQL}
        BEGIN
            {_queue("contact", COUNTY_CONTACT_JSON.format(r="OLD", op="delete"))}
        END;
        """  # noqa: S608 - the code's own fixed SQL, no values
    )


@migrations()
def evidence_seal_records(db: Database) -> None:
    """Start sealing training records into the chain (kiosk/evidence.py).

    From here on every submitted attempt and every change to a person's identity
    writes its digest into the access log. Records already in the file are sealed
    as they are now, so later changes to them show; what was changed before this
    upgrade cannot be told apart (SECURITY.md says so).
    """
    from kiosk import evidence  # evidence -> access_log -> migrations: import when run
    from kiosk.clock import Clock

    row = db.execute("SELECT value FROM settings WHERE key = 'kiosk_id'").fetchone()
    evidence.seal_existing(db, Clock(), row[0] if row else "kiosk-1")


@migrations()
def evidence_username_key(db: Database) -> None:
    """Usernames compared under full Unicode case folding and NFKC (users.username_key).

    SQLite's NOCASE folds only A-Z, so `Zoë` and `ZOË` could be two accounts. Where an
    existing file already has such a pair, the later account keeps a key that cannot be
    typed (its own id appended) so the unique index can still be made; the earlier one
    is the one found by name, and a manager can rename the other.
    """
    from kiosk.users import username_key

    db.execute("ALTER TABLE users ADD COLUMN username_key TEXT")
    seen: set[str] = set()
    for user_id, username in db.execute("SELECT id, username FROM users ORDER BY id").fetchall():
        key = username_key(username)
        if key in seen:
            key = f"{key}\x00{user_id}"
        seen.add(key)
        db.execute("UPDATE users SET username_key = ? WHERE id = ?", [key, user_id])
    db.execute("CREATE UNIQUE INDEX users_username_key ON users (username_key)")


@migrations()
def product_m001_section_end(db: Database) -> None:
    """When a person reached the end of a section: opening one is not reading it.

    NULL for views that never reached the end (and for every view recorded before
    this rule, which therefore no longer counts as read).
    """
    db.execute("ALTER TABLE section_views ADD COLUMN reached_end_at TEXT")
