-- The school's absence protocol (issue 6), SQLite dialect. Keep in step with
-- migrations/postgres/0004_protocol.sql.
--
-- school_protocols: the protocol a school chose, one per school. source is the TOML text
-- itself (not only the preset's name), so that a later change of a shipped preset does not
-- alter what the school's history was created under. Steps reached before active_from are
-- stored as history only (their tasks 'vervallen'), so the first run on old data does not
-- flood the inboxes.
CREATE TABLE school_protocols (
    school_id INTEGER PRIMARY KEY REFERENCES schools (id),
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    active_from DATE NOT NULL,
    chosen_at TIMESTAMP NOT NULL,
    chosen_by TEXT NOT NULL
);

-- protocol_steps: every step a student reached, stored once by the run that first saw it
-- (the engine reports every reached step every time; UNIQUE (school_id, student_id,
-- step_key) with ON CONFLICT DO NOTHING makes a rerun, or two runs at once, store it once).
-- step_key is the engine's 'id@instance'. reason, evidence (JSON list of registration ids),
-- sanction (in words), letter (template name) and propose_melding (DUO code) are as the
-- engine gave them on the day the step was stored; they do not drift afterwards.
-- Student references cascade: when a student is removed (retention), their protocol rows
-- go with them; the audit log keeps what was done.
CREATE TABLE protocol_steps (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    step_key TEXT NOT NULL,
    step_id TEXT NOT NULL,
    title TEXT NOT NULL,
    ladder TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    reached_on DATE NOT NULL,
    created_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sanction TEXT,
    letter TEXT,
    propose_melding TEXT,
    UNIQUE (school_id, student_id, step_key),
    UNIQUE (school_id, id),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id) ON DELETE CASCADE
);

-- protocol_tasks: one per action of a stored step; task_key is step_key + '#n'. due is fixed
-- when the task is created (today + N school days on the day of that run). status: 'open',
-- 'gedaan', 'niet_gedaan' (note says why) or 'vervallen' (reached before active_from);
-- closing is guarded by status = 'open', so a task is closed once.
CREATE TABLE protocol_tasks (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    step_row_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    task_key TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    due DATE,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    closed_by INTEGER,
    closed_by_label TEXT,
    closed_at TIMESTAMP,
    UNIQUE (school_id, student_id, task_key),
    FOREIGN KEY (school_id, step_row_id) REFERENCES protocol_steps (school_id, id) ON DELETE CASCADE,
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id) ON DELETE CASCADE
);
CREATE INDEX protocol_tasks_by_status ON protocol_tasks (school_id, status, due);
CREATE INDEX protocol_tasks_by_student ON protocol_tasks (school_id, student_id);
CREATE INDEX protocol_tasks_by_step ON protocol_tasks (school_id, step_row_id);

-- protocol_manual_triggers: a person started a manual step (a row of the protocol that
-- cannot be counted, "gedrag verandert niet") for a student on a date. The engine keys such a
-- step 'id@date', so one trigger per student, step and date.
CREATE TABLE protocol_manual_triggers (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    step_id TEXT NOT NULL,
    date DATE NOT NULL,
    note TEXT NOT NULL,
    by_id INTEGER,
    by_label TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (school_id, student_id, step_id, date),
    FOREIGN KEY (school_id, student_id) REFERENCES students (school_id, id) ON DELETE CASCADE
);
