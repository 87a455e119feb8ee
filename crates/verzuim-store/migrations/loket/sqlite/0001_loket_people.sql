-- Verzuimloket schema, part 1 (SQLite dialect): organisations, users, roles, TOTP,
-- sessions, login throttling, locations and contact persons per BRIN, the resident
-- register and the audit log. Keep in step with migrations/loket/postgres/0001_loket_people.sql.
-- Timestamps are RFC 3339 TEXT (TIMESTAMP), flags 0/1 (BOOLEAN); sqlx maps them to chrono and bool.

CREATE TABLE loket_schools (
    brin TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL
);

CREATE TABLE loket_gemeenten (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- totp_secret: base32 of the enrolled token's secret (needed to check codes, so not hashed);
-- totp_pending_secret: the secret shown during enrolment until a code confirms it;
-- totp_last_step: the last RFC 6238 time step accepted (a code is accepted once).
CREATE TABLE loket_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step INTEGER,
    totp_enrolled_at TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

-- organisation: the BRIN or gemeentecode the role is for; '' for the site admin (a NULL would
-- let the same role be granted twice, since NULLs never collide in a unique key).
CREATE TABLE loket_user_roles (
    user_id INTEGER NOT NULL REFERENCES loket_users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role, organisation)
);
CREATE INDEX loket_user_roles_by_organisation ON loket_user_roles (organisation, role);

-- One-time recovery codes, stored as SHA-256 hex.
CREATE TABLE loket_recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES loket_users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    UNIQUE (user_id, code_hash)
);

-- stage 'enrol': logged in with the password only, may do nothing but enrol a token.
CREATE TABLE loket_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES loket_users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('full', 'enrol')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX loket_sessions_by_expiry ON loket_sessions (expires_at);
CREATE INDEX loket_sessions_by_user ON loket_sessions (user_id);

-- Failed logins per username, shared by all instances, for throttling.
CREATE TABLE loket_login_failures (
    username TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX loket_login_failures_by_username ON loket_login_failures (username, at);

-- "Beheer locaties": a school's teaching locations. Meldingen keep the location's name, so a
-- location can be deleted without touching them.
CREATE TABLE loket_locations (
    id INTEGER PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES loket_schools (brin),
    name TEXT NOT NULL,
    street TEXT NOT NULL,
    number TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX loket_locations_name ON loket_locations (brin, LOWER(name));

-- "Beheer contactpersonen". user_id links a contact person to the loket user who files
-- meldingen as them ("Alleen contactpersonen kunnen verzuimmeldingen doen"): at most one
-- contact person per user and school.
CREATE TABLE loket_contacts (
    id INTEGER PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES loket_schools (brin),
    name TEXT NOT NULL,
    function TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES loket_users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX loket_contacts_by_brin ON loket_contacts (brin);
CREATE UNIQUE INDEX loket_contacts_one_per_user ON loket_contacts (brin, user_id)
    WHERE user_id IS NOT NULL;

-- The resident register: which gemeente a student (BSN or onderwijsnummer) lives in.
CREATE TABLE loket_residents (
    student_number TEXT PRIMARY KEY,
    gemeente TEXT NOT NULL REFERENCES loket_gemeenten (code),
    imported_at TIMESTAMP NOT NULL
);

-- Append-only: who viewed or changed what. No reference to meldingen, so that the log
-- outlives the meldingen that retention deletes.
CREATE TABLE loket_audit (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    organisation TEXT,
    melding_id INTEGER,
    detail TEXT NOT NULL
);
CREATE INDEX loket_audit_by_melding ON loket_audit (melding_id);
