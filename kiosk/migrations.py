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


@migrations()
def product_m001_section_end(db: Database) -> None:
    """When a person reached the end of a section: opening one is not reading it.

    NULL for views that never reached the end (and for every view recorded before
    this rule, which therefore no longer counts as read).
    """
    db.execute("ALTER TABLE section_views ADD COLUMN reached_end_at TEXT")
