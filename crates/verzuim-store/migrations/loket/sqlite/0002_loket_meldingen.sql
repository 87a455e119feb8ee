-- Loket: meldingen, their history, attachments, and the gemeenten's vrijstellingen.
-- SQLite dialect; keep in step with postgres/0002_loket_meldingen.sql.
-- Dates ISO TEXT (DATE), timestamps RFC 3339 TEXT (TIMESTAMP), flags 0/1 (BOOLEAN).
-- Codes are stored as their DUO code (verzuim_loket::codes). No foreign keys to the people
-- tables: a melding keeps its snapshot of the school's contact person, and the audit log
-- outlives the melding.

-- AUTOINCREMENT: the meldingsnummer comes from the id and must never be handed out twice,
-- not even after retention deleted the newest melding.
CREATE TABLE loket_meldingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nummer TEXT UNIQUE,
    brin TEXT NOT NULL,
    -- the reporting contact person, as at filing
    reporter_name TEXT NOT NULL,
    reporter_function TEXT NOT NULL,
    reporter_phone TEXT NOT NULL,
    reporter_email TEXT NOT NULL,
    -- the student
    student_number TEXT NOT NULL,
    first_names TEXT NOT NULL,
    prefix TEXT,
    surname TEXT NOT NULL,
    birth_date DATE NOT NULL,
    gender TEXT NOT NULL,
    residence_gemeente TEXT NOT NULL,
    start_qualification BOOLEAN NOT NULL,
    -- the absence
    kind TEXT NOT NULL,
    begin_date DATE NOT NULL,
    end_date DATE,
    suspected_reason TEXT NOT NULL,
    all_lessons_missed BOOLEAN NOT NULL,
    school_actions TEXT NOT NULL,
    action_wanted BOOLEAN NOT NULL,
    priority TEXT,
    no_action_explanation TEXT,
    location TEXT NOT NULL,
    parent_phone TEXT NOT NULL,
    -- afwijkend adres (all NULL when none)
    address_street TEXT,
    address_number INTEGER,
    address_letter TEXT,
    address_addition TEXT,
    address_postcode TEXT,
    address_location TEXT,
    address_city TEXT,
    absence_days INTEGER,
    absence_hours INTEGER,
    -- verzuimdagspecificatie in its text form; NULL until filled
    day_spec TEXT,
    -- routing
    gemeente TEXT NOT NULL,
    routing_source TEXT NOT NULL,
    -- life cycle
    status TEXT NOT NULL,
    withdraw_reason TEXT,
    -- terugmelding (NULL until the gemeente answers); its status is the one the gemeente
    -- set last (the melding's status may move on, e.g. withdrawn by the school)
    terugmelding_status TEXT,
    closing_reason TEXT,
    explanation TEXT,
    gemeente_contact_name TEXT,
    gemeente_contact_function TEXT,
    gemeente_contact_phone TEXT,
    gemeente_contact_email TEXT,
    terugmelding_at TIMESTAMP,
    filed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    final_at TIMESTAMP,
    cloned_from TEXT,
    client_melding_id TEXT,
    UNIQUE (brin, client_melding_id)
);
CREATE INDEX loket_meldingen_inbox ON loket_meldingen (gemeente, status, filed_at);
CREATE INDEX loket_meldingen_school ON loket_meldingen (brin, filed_at);
CREATE INDEX loket_meldingen_student ON loket_meldingen (gemeente, student_number);
CREATE INDEX loket_meldingen_final ON loket_meldingen (final_at);

CREATE TABLE loket_melding_events (
    id INTEGER PRIMARY KEY,
    melding_id INTEGER NOT NULL REFERENCES loket_meldingen (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    party TEXT NOT NULL,
    username TEXT,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX loket_melding_events_by_melding ON loket_melding_events (melding_id, at);

CREATE TABLE loket_attachments (
    id INTEGER PRIMARY KEY,
    melding_id INTEGER NOT NULL REFERENCES loket_meldingen (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX loket_attachments_by_melding ON loket_attachments (melding_id);

CREATE TABLE loket_vrijstellingen (
    id INTEGER PRIMARY KEY,
    gemeente TEXT NOT NULL,
    student_number TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE,
    article TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX loket_vrijstellingen_by_student ON loket_vrijstellingen (gemeente, student_number);
