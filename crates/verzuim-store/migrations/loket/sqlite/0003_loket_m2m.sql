-- Loket: the machine coupling (issue 5). Registered client certificates with their history,
-- the log of accepted M2M messages (idempotency on wsa:MessageID) and the change sequence
-- schools poll (AanvraagGewijzigdeMeldingRelatiefVerzuim).
-- SQLite dialect; keep in step with postgres/0003_loket_m2m.sql.

-- A school's client certificates. A new registration does not delete or end the old one:
-- renewal overlaps, so the old certificate stays valid until it expires or is revoked
-- (replaced_at / replaced_by_id only record the succession). Registered by upload (with the
-- certificate itself) or by the site administrator (subject + issuer only).
-- subject_key / issuer_key: verzuim_edukoppeling::dn_key of the DNs, what a TLS peer is
-- matched on.
CREATE TABLE loket_certificates (
    id INTEGER PRIMARY KEY,
    brin TEXT NOT NULL REFERENCES loket_schools (brin),
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    serial TEXT,
    not_before TIMESTAMP,
    not_after TIMESTAMP,
    sha256 TEXT,
    der BLOB,
    source TEXT NOT NULL CHECK (source IN ('upload', 'admin')),
    registered_at TIMESTAMP NOT NULL,
    registered_by TEXT NOT NULL,
    replaced_at TIMESTAMP,
    replaced_by_id INTEGER,
    revoked_at TIMESTAMP,
    revoked_by TEXT
);
CREATE INDEX loket_certificates_by_brin ON loket_certificates (brin, registered_at);
CREATE INDEX loket_certificates_by_name ON loket_certificates (subject_key, issuer_key);

-- Every accepted M2M exchange (a request that passed the envelope and certificate checks),
-- with the answer sent. A repeated wsa:MessageID gets the stored answer. Refused messages
-- (faults) store nothing here.
CREATE TABLE loket_m2m_messages (
    id INTEGER PRIMARY KEY,
    brin TEXT,
    message_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    request_body TEXT,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    nummer TEXT,
    UNIQUE (message_id)
);
CREATE INDEX loket_m2m_messages_by_brin ON loket_m2m_messages (brin, received_at);

-- The change sequence: every new melding, status change, terugmelding and withdrawal takes
-- the next value(s) in its own transaction and writes it to loket_meldingen.change_seq.
-- One row; a counter (not MAX(change_seq)) so that retention deleting the newest melding
-- cannot hand a value out twice.
CREATE TABLE loket_change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);

ALTER TABLE loket_meldingen ADD COLUMN change_seq INTEGER;
UPDATE loket_meldingen SET change_seq = id;
INSERT INTO loket_change_counter (id, value)
    SELECT 1, COALESCE(MAX(id), 0) FROM loket_meldingen;
CREATE INDEX loket_meldingen_changes ON loket_meldingen (brin, change_seq);
