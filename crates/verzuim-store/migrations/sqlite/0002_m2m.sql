-- The school side of the machine coupling (issue 5), SQLite dialect. Keep in step with
-- migrations/postgres/0002_m2m.sql.
--
-- m2m_meldingen: every melding the school confirmed, as outbox and local copy. state:
-- 'bevestigd' (waiting to be sent) → 'verzonden' (the loket gave a nummer) or 'geweigerd'
-- (Foutmelding or Client fault; refusal holds the per-field errors as JSON). document_id is
-- identificatiecodeBedrijfsdocument: a resend after a lost answer carries the same one, so
-- the loket answers with the same nummer. input is the confirmed MeldingInput (JSON),
-- day_spec its text form. The loket's status and the gemeente's terugmelding are copied in by
-- the poll. A change (end date, day specification) waits in pending_* until it is sent.
-- attempts/next_attempt_at/last_error: backoff of whatever is waiting (the melding or its
-- change). student_id has no reference: the local copy outlives the student (retention).
CREATE TABLE m2m_meldingen (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    student_id INTEGER,
    proposal_key TEXT NOT NULL,
    document_id TEXT NOT NULL UNIQUE,
    student_number TEXT NOT NULL,
    student_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    begin_date DATE NOT NULL,
    input TEXT NOT NULL,
    day_spec TEXT NOT NULL,
    state TEXT NOT NULL,
    refusal TEXT,
    nummer TEXT,
    loket_status TEXT,
    closing_reason TEXT,
    explanation TEXT,
    withdraw_reason TEXT,
    contact_name TEXT,
    contact_function TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    process_date DATE,
    process_time TEXT,
    terugmelding_at TIMESTAMP,
    pending_document_id TEXT,
    pending_end_date DATE,
    pending_day_spec TEXT,
    mutation_error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    last_error TEXT,
    confirmed_by INTEGER,
    confirmed_by_label TEXT NOT NULL,
    confirmed_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (school_id, proposal_key),
    UNIQUE (school_id, id)
);
CREATE INDEX m2m_meldingen_by_state ON m2m_meldingen (school_id, state, next_attempt_at);
CREATE INDEX m2m_meldingen_by_nummer ON m2m_meldingen (school_id, nummer);

-- Append-only: every message sent to and received from the loket ('uit'/'in'), with the
-- melding it is about (melding_id) or, for a poll answer, the meldingen it updated
-- (m2m_message_links). A failed exchange without an answer is an 'in' row with error set.
CREATE TABLE m2m_messages (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    melding_id INTEGER,
    direction TEXT NOT NULL,
    operation TEXT NOT NULL,
    message_id TEXT,
    relates_to TEXT,
    http_status INTEGER,
    body TEXT NOT NULL,
    error TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX m2m_messages_by_melding ON m2m_messages (school_id, melding_id, id);

CREATE TABLE m2m_message_links (
    message_id INTEGER NOT NULL REFERENCES m2m_messages (id),
    melding_id INTEGER NOT NULL,
    PRIMARY KEY (melding_id, message_id)
);

-- Per school: where the next poll of AanvraagGewijzigdeMeldingRelatiefVerzuim starts.
CREATE TABLE m2m_sync_state (
    school_id INTEGER PRIMARY KEY REFERENCES schools (id),
    cursor TEXT,
    polled_at TIMESTAMP
);
