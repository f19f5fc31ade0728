"""The county server: its schema (one ordered migration set of its own) and its roles.

`kiosk server init` applies every migration not yet applied, each in its own
transaction under an advisory lock, and creates two group roles for this database:
  <db>_kiosk   what every kiosk role is a member of: INSERT its own rows only
               (row-level security), no SELECT, UPDATE or DELETE on any table, and a
               few SECURITY DEFINER functions that each answer one narrow question;
  <db>_report  SELECT on everything, limited by row-level security to one centre
               when the reporting role was created with --centre.
Role names carry the database's name because PostgreSQL roles belong to the whole
cluster, and one cluster may hold several counties (or a test suite's databases).
The administrator's own role owns the tables and is not limited by row-level security.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from kiosk.errors import KioskError, ValidationError

DATA_TABLES = ("people", "attempts", "attempt_answers", "access_log", "reading", "contacts")

# Never edit a shipped entry: add a new one at the end. {kiosk} and {report} are the
# quoted group roles.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("c001_initial", """
CREATE TABLE county.kiosks (
    kiosk_id text PRIMARY KEY,
    centre text NOT NULL DEFAULT '',
    role_name text NOT NULL UNIQUE,
    joined_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE county.report_scopes (
    role_name text PRIMARY KEY,
    centre text            -- NULL: the whole county
);

-- People: every version a kiosk recorded, never overwritten. A person is one
-- person_uid; each kiosk's latest version (highest local_seq) is its current record.
CREATE TABLE county.people (
    event_id uuid PRIMARY KEY,
    kiosk_id text NOT NULL,
    local_seq bigint NOT NULL,
    person_uid uuid NOT NULL,
    local_id bigint NOT NULL,
    username text NOT NULL,
    full_name text NOT NULL,
    role text NOT NULL,
    job_title text NOT NULL,
    disabled boolean NOT NULL,
    changed_at text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_kiosk_local ON county.people (kiosk_id, local_id, local_seq DESC);
CREATE INDEX people_uid ON county.people (person_uid);

CREATE TABLE county.attempts (
    attempt_id uuid PRIMARY KEY,
    kiosk_id text NOT NULL,
    person_uid uuid,
    local_user_id bigint NOT NULL,
    username text NOT NULL,
    full_name text NOT NULL,
    course_id text NOT NULL,
    course_version text NOT NULL,
    content_version text NOT NULL,
    started_at text NOT NULL,
    finished_at text NOT NULL,
    duration_seconds integer,
    score double precision,
    max_score double precision,
    percent double precision,
    pass_mark integer,
    passed boolean NOT NULL,
    expires_on text,
    certificate_code text,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attempts_person ON county.attempts (person_uid, course_id, finished_at DESC);
CREATE INDEX attempts_code ON county.attempts (certificate_code);
CREATE INDEX attempts_kiosk ON county.attempts (kiosk_id, finished_at);

CREATE TABLE county.attempt_answers (
    attempt_id uuid NOT NULL,
    position integer NOT NULL,
    kiosk_id text NOT NULL,
    question_id text NOT NULL,
    section_id text NOT NULL,
    answer text,
    answered_at text,
    correct boolean,
    points double precision,
    PRIMARY KEY (attempt_id, position)
);

-- Each kiosk's access log and hash chain, exactly as written (row_kiosk_id is the
-- row's own kiosk_id column, part of its hash).
CREATE TABLE county.access_log (
    kiosk_id text NOT NULL,
    row_id bigint NOT NULL,
    occurred_at text NOT NULL,
    row_kiosk_id text NOT NULL,
    event text NOT NULL,
    username_entered text NOT NULL,
    user_id bigint,
    user_matched text NOT NULL,
    reason text NOT NULL,
    prev_hash text NOT NULL,
    row_hash text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kiosk_id, row_id)
);
CREATE INDEX access_log_time ON county.access_log (occurred_at);

CREATE TABLE county.reading (
    event_id uuid PRIMARY KEY,
    kiosk_id text NOT NULL,
    local_seq bigint NOT NULL,
    view_id bigint NOT NULL,
    person_uid uuid,
    course_id text NOT NULL,
    content_version text NOT NULL,
    section_id text NOT NULL,
    opened_at text NOT NULL,
    seconds double precision NOT NULL
);
CREATE INDEX reading_person ON county.reading (person_uid, course_id);

CREATE TABLE county.contacts (
    event_id uuid PRIMARY KEY,
    kiosk_id text NOT NULL,
    local_seq bigint NOT NULL,
    op text NOT NULL,
    contact_id bigint NOT NULL,
    course_id text NOT NULL,
    position integer,
    name text,
    role text,
    phone text,
    web text,
    area text,
    last_verified text,
    updated_at text
);

-- Who is asking. session_user, not current_user: inside these SECURITY DEFINER
-- functions current_user is the owner.
CREATE FUNCTION county.my_kiosk() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT kiosk_id FROM county.kiosks WHERE role_name = session_user
$$;
CREATE FUNCTION county.may_report(k text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM county.report_scopes s
        WHERE s.role_name = session_user
          AND (s.centre IS NULL
               OR EXISTS (SELECT 1 FROM county.kiosks k2
                          WHERE k2.kiosk_id = k AND k2.centre = s.centre)))
$$;
-- May the caller read kiosk k's records: the kiosk itself (its own log's hashes
-- only, through log_hashes), a reporting role in scope, or the owner.
CREATE FUNCTION county.may_read_kiosk(k text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT CASE
        WHEN county.my_kiosk() IS NOT NULL THEN county.my_kiosk() = k
        WHEN EXISTS (SELECT 1 FROM county.report_scopes WHERE role_name = session_user)
            THEN county.may_report(k)
        ELSE pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                                         WHERE schemaname = 'county'
                                           AND tablename = 'kiosks'), 'USAGE')
    END
$$;

CREATE FUNCTION county.log_hashes(p_kiosk text, p_after bigint, p_limit integer)
RETURNS TABLE (row_id bigint, prev_hash text, row_hash text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
BEGIN
    IF NOT county.may_read_kiosk(p_kiosk) THEN
        RAISE EXCEPTION 'this role may not read the log of kiosk %', p_kiosk
            USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT a.row_id, a.prev_hash, a.row_hash FROM county.access_log a
        WHERE a.kiosk_id = p_kiosk AND a.row_id > p_after ORDER BY a.row_id LIMIT p_limit;
END $$;

-- A certificate from any kiosk: only the facts printed on it.
CREATE FUNCTION county.verify_certificate(p_code text)
RETURNS TABLE (certificate_code text, full_name text, username text, course_id text,
               course_version text, finished_at text, expires_on text, score double precision,
               max_score double precision, percent double precision, centre text,
               kiosk_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT a.certificate_code, a.full_name, a.username, a.course_id, a.course_version,
           a.finished_at, a.expires_on, a.score, a.max_score, a.percent, k.centre, a.kiosk_id
    FROM county.attempts a LEFT JOIN county.kiosks k ON k.kiosk_id = a.kiosk_id
    WHERE a.certificate_code = p_code AND a.passed
    ORDER BY a.finished_at DESC
$$;

-- The county id of the person holding certificate p_code, when the name given
-- matches the name on it: how a manager at a second centre links a newcomer to the
-- person trained elsewhere (the person shows their certificate; nothing else about
-- anyone is revealed).
CREATE FUNCTION county.claim_person(p_code text, p_full_name text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT a.person_uid FROM county.attempts a
    WHERE county.my_kiosk() IS NOT NULL AND a.certificate_code = p_code AND a.passed
      AND lower(regexp_replace(a.full_name, '\\s+', ' ', 'g'))
          = lower(regexp_replace(trim(p_full_name), '\\s+', ' ', 'g'))
    ORDER BY a.finished_at DESC LIMIT 1
$$;

-- The caller's roster: the people whose latest version at this kiosk is not disabled.
CREATE FUNCTION county.my_roster() RETURNS TABLE (person_uid uuid, full_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT DISTINCT ON (p.local_id) p.person_uid, p.full_name FROM county.people p
    WHERE p.kiosk_id = county.my_kiosk()
    ORDER BY p.local_id, p.local_seq DESC
$$;

-- The latest pass per course of each person on the caller's roster, wherever earned.
CREATE FUNCTION county.roster_certificates()
RETURNS TABLE (attempt_id uuid, person_uid uuid, course_id text, finished_at text,
               expires_on text, percent double precision, certificate_code text,
               centre text, kiosk_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    SELECT DISTINCT ON (a.person_uid, a.course_id) a.attempt_id, a.person_uid, a.course_id,
           a.finished_at, a.expires_on, a.percent, a.certificate_code, k.centre, a.kiosk_id
    FROM county.attempts a JOIN county.my_roster() r ON r.person_uid = a.person_uid
    LEFT JOIN county.kiosks k ON k.kiosk_id = a.kiosk_id
    WHERE a.passed AND a.expires_on IS NOT NULL
    ORDER BY a.person_uid, a.course_id, a.finished_at DESC
$$;

-- People on the caller's roster whose name another centre records differently.
CREATE FUNCTION county.roster_conflicts()
RETURNS TABLE (person_uid uuid, field text, here text, there text, centre text,
               kiosk_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = county, pg_temp AS $$
    WITH latest AS (
        SELECT DISTINCT ON (p.kiosk_id, p.local_id) p.kiosk_id, p.person_uid, p.full_name
        FROM county.people p ORDER BY p.kiosk_id, p.local_id, p.local_seq DESC
    )
    SELECT r.person_uid, 'full_name', r.full_name, o.full_name, k.centre, o.kiosk_id
    FROM county.my_roster() r
    JOIN latest o ON o.person_uid = r.person_uid AND o.kiosk_id <> county.my_kiosk()
    LEFT JOIN county.kiosks k ON k.kiosk_id = o.kiosk_id
    WHERE o.full_name <> r.full_name
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA county FROM PUBLIC;
GRANT USAGE ON SCHEMA county TO {kiosk}, {report};
GRANT EXECUTE ON FUNCTION county.my_kiosk(), county.may_report(text),
    county.may_read_kiosk(text), county.log_hashes(text, bigint, integer),
    county.verify_certificate(text) TO {kiosk}, {report};
GRANT EXECUTE ON FUNCTION county.claim_person(text, text), county.my_roster(),
    county.roster_certificates(), county.roster_conflicts() TO {kiosk};
GRANT SELECT ON county.kiosks TO {report};
ALTER TABLE county.kiosks ENABLE ROW LEVEL SECURITY;
CREATE POLICY kiosks_report ON county.kiosks FOR SELECT TO {report}
    USING (county.may_report(kiosk_id));
"""),
)

# Row-level security for every data table: kiosks insert their own rows, reporters
# read the rows in their scope. `(SELECT county.my_kiosk())` is evaluated once per
# statement, not once per row. Appended to c001 (part of it, so never edited either).
_RLS = """
ALTER TABLE county.{t} ENABLE ROW LEVEL SECURITY;
GRANT INSERT ON county.{t} TO {kiosk};
GRANT SELECT ON county.{t} TO {report};
CREATE POLICY {t}_kiosk_insert ON county.{t} FOR INSERT TO {kiosk}
    WITH CHECK (kiosk_id = (SELECT county.my_kiosk()));
CREATE POLICY {t}_report_read ON county.{t} FOR SELECT TO {report}
    USING (county.may_report(kiosk_id));
"""
MIGRATIONS = ((MIGRATIONS[0][0], MIGRATIONS[0][1] + "".join(
    _RLS.replace("{t}", t) for t in DATA_TABLES)),)

KNOWN = tuple(name for name, _ in MIGRATIONS)


def connect(url: str, **kwargs: Any) -> Any:
    """A psycopg connection, with failures as one plain KioskError (password redacted)."""
    import psycopg

    from kiosk.county.credentials import password_of, redact

    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.Error as exc:
        raise KioskError("cannot reach the county server: "
                         + redact(_first_line(exc), password_of(url))) from None
    except ValueError as exc:  # a malformed URL / conninfo string
        raise ValidationError("the server URL is not valid: "
                              + redact(str(exc), password_of(url))) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def group_roles(dbname: str) -> tuple[str, str]:
    return role_name(dbname, "kiosk"), role_name(dbname, "report")


def role_name(dbname: str, suffix: str) -> str:
    name = f"{dbname}_{suffix}"
    if len(name.encode()) > 63:  # PostgreSQL's limit: keep names distinct when cut
        digest = hashlib.sha256(name.encode()).hexdigest()[:10]
        name = name.encode()[:52].decode("utf-8", "ignore") + "_" + digest
    return name


@dataclass(frozen=True)
class InitResult:
    applied: tuple[str, ...]
    kiosk_role: str
    report_role: str


def init_server(admin_url: str) -> InitResult:
    """Create or upgrade the county schema and its group roles; safe to run again."""
    from psycopg import sql

    conn = connect(admin_url, autocommit=True)
    try:
        dbname = conn.info.dbname
        kiosk, report = group_roles(dbname)
        applied: list[str] = []
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('kiosk county schema'))")
            for role in (kiosk, report):
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                    [role]).fetchone():
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            conn.execute("CREATE SCHEMA IF NOT EXISTS county")
            conn.execute("CREATE TABLE IF NOT EXISTS county.schema_migrations ("
                         "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            done = {r[0] for r in conn.execute("SELECT name FROM county.schema_migrations")}
            unknown = done - set(KNOWN)
            if unknown:
                raise KioskError("the county server's schema is newer than this kiosk "
                                 f"({sorted(unknown)[0]}); upgrade the kiosk first")
            for name, body in MIGRATIONS:
                if name in done:
                    continue
                text = (body.replace("{kiosk}", sql.Identifier(kiosk).as_string(conn))
                        .replace("{report}", sql.Identifier(report).as_string(conn)))
                conn.execute(text.encode())  # our own fixed DDL, no values in it
                conn.execute("INSERT INTO county.schema_migrations (name) VALUES (%s)", [name])
                applied.append(name)
            # A push stages its batch in a temporary table (COPY is the fast way in).
            conn.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(
                sql.Identifier(dbname), sql.Identifier(kiosk)))
        return InitResult(tuple(applied), kiosk, report)
    except KioskError:
        raise
    except Exception as exc:
        raise _server_error(exc, admin_url) from None
    finally:
        conn.close()


def _server_error(exc: BaseException, url: str) -> KioskError:
    import psycopg

    from kiosk.county.credentials import password_of, redact

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return KioskError("the server refused: this role lacks the right "
                          f"({redact(_first_line(exc), password_of(url))}); use the "
                          "administrator's URL (a role that owns the database and may "
                          "create roles)")
    if isinstance(exc, psycopg.Error):
        return KioskError("the county server reported a problem: "
                          + redact(_first_line(exc), password_of(url)))
    return KioskError(redact(str(exc), password_of(url)))


def check_kiosk_id(kiosk_id: str) -> str:
    from kiosk.settings import parse

    return str(parse("kiosk_id", kiosk_id))


def _url_for(admin_url: str, user: str, password: str) -> str:
    """The admin URL's host, port, database and TLS options with another role."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(admin_url)
    host = str(params.pop("host", "localhost"))
    port = params.pop("port", None)
    dbname = str(params.pop("dbname", ""))
    for key in ("user", "password", "passfile"):
        params.pop(key, None)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@"
    netloc += f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    query = urlencode({k: str(v) for k, v in params.items()})
    return f"postgresql://{netloc}/{quote(dbname, safe='')}" + (f"?{query}" if query else "")


def _create_login(conn: Any, role: str, member_of: str) -> str:
    """Create (or re-key) a login role; the password reaches the server SCRAM-hashed."""
    from psycopg import sql

    password = secrets.token_urlsafe(24)
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(),
                                            b"scram-sha-256").decode()
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(verifier)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of),
                                                  sql.Identifier(role)))
    return password


def add_kiosk(admin_url: str, kiosk_id: str, centre: str = "") -> str:
    """Create the kiosk's role (or issue it a new password); return the kiosk's URL."""
    kiosk_id = check_kiosk_id(kiosk_id)
    centre = " ".join((centre or "").split())[:120]
    conn = connect(admin_url, autocommit=True)
    try:
        with conn.transaction():
            _require_schema(conn)
            kiosk_group, _report = group_roles(conn.info.dbname)
            row = conn.execute("SELECT role_name, centre FROM county.kiosks WHERE kiosk_id = %s",
                               [kiosk_id]).fetchone()
            role = row[0] if row else role_name(conn.info.dbname, f"k_{kiosk_id}")
            password = _create_login(conn, role, kiosk_group)
            if row:
                if centre:
                    conn.execute("UPDATE county.kiosks SET centre = %s WHERE kiosk_id = %s",
                                 [centre, kiosk_id])
            else:
                conn.execute("INSERT INTO county.kiosks (kiosk_id, centre, role_name) "
                             "VALUES (%s, %s, %s)", [kiosk_id, centre, role])
        return _url_for(admin_url, role, password)
    except KioskError:
        raise
    except Exception as exc:
        raise _server_error(exc, admin_url) from None
    finally:
        conn.close()


def add_reporter(admin_url: str, name: str, centre: str | None = None) -> str:
    """A reporting role for the whole county, or one centre; return its URL."""
    name = check_kiosk_id(name)
    conn = connect(admin_url, autocommit=True)
    try:
        with conn.transaction():
            _require_schema(conn)
            _kiosk, report_group = group_roles(conn.info.dbname)
            role = role_name(conn.info.dbname, f"r_{name}")
            password = _create_login(conn, role, report_group)
            conn.execute("INSERT INTO county.report_scopes (role_name, centre) VALUES (%s, %s) "
                         "ON CONFLICT (role_name) DO UPDATE SET centre = EXCLUDED.centre",
                         [role, centre or None])
        return _url_for(admin_url, role, password)
    except KioskError:
        raise
    except Exception as exc:
        raise _server_error(exc, admin_url) from None
    finally:
        conn.close()


def _require_schema(conn: Any) -> None:
    if not conn.execute("SELECT to_regclass('county.kiosks')").fetchone()[0]:
        raise KioskError("this server has no county schema yet: run "
                         "`kiosk server init --server ADMIN_URL` first")
