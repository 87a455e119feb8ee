-- verzuim schema, SQLite dialect. Keep in step with migrations/postgres/0001_initial.sql.
-- Dates are ISO TEXT (DATE), clock times TEXT (TIME), timestamps RFC 3339 TEXT (TIMESTAMP),
-- flags 0/1 (BOOLEAN); sqlx maps them to chrono types and bool.
-- Every table with school data carries school_id; references to rows of a school go through
-- (school_id, id) so that a row can never point into another school.

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    brin TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    region TEXT NOT NULL
);

CREATE TABLE locations (
    school_id INTEGER NOT NULL REFERENCES schools (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (school_id, code)
);

-- holidays and extra_free_days are JSON (serde) texts.
CREATE TABLE calendars (
    school_id INTEGER NOT NULL REFERENCES schools (id),
    school_year INTEGER NOT NULL,
    region TEXT NOT NULL,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    holidays TEXT NOT NULL,
    extra_free_days TEXT NOT NULL,
    PRIMARY KEY (school_id, school_year)
);

CREATE TABLE absence_codes (
    school_id INTEGER NOT NULL REFERENCES schools (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    authorized BOOLEAN NOT NULL,
    kind TEXT NOT NULL,
    counts_toward_legal_hours BOOLEAN NOT NULL,
    needs_follow_up BOOLEAN NOT NULL,
    PRIMARY KEY (school_id, code)
);

CREATE TABLE class_groups (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    code TEXT NOT NULL,
    year_level INTEGER NOT NULL,
    location TEXT NOT NULL,
    UNIQUE (school_id, code),
    UNIQUE (school_id, id)
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    password_hash TEXT,
    UNIQUE (school_id, code),
    UNIQUE (school_id, id)
);

CREATE TABLE staff_roles (
    school_id INTEGER NOT NULL,
    staff_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (staff_id, role),
    FOREIGN KEY (school_id, staff_id) REFERENCES staff (school_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_roles_by_school ON staff_roles (school_id, role);

CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    student_number TEXT NOT NULL,
    personal_number TEXT NOT NULL,
    first_name TEXT NOT NULL,
    name_prefix TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    residence TEXT,
    enrolled_from DATE NOT NULL,
    enrolled_until DATE,
    start_qualification BOOLEAN NOT NULL,
    group_id INTEGER,
    mentor_id INTEGER,
    UNIQUE (school_id, student_number),
    UNIQUE (school_id, id),
    FOREIGN KEY (school_id, group_id) REFERENCES class_groups (school_id, id),
    FOREIGN KEY (school_id, mentor_id) REFERENCES staff (school_id, id)
);
CREATE INDEX students_by_name ON students (school_id, last_name, first_name);
CREATE INDEX students_by_group ON students (school_id, group_id);

-- No plain reference to schools: the (school_id, group_id) reference implies it, and every
-- reference checked costs time in a bulk import of a year's timetable.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    date DATE NOT NULL,
    period INTEGER NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    group_id INTEGER NOT NULL,
    teacher_id INTEGER,
    subject TEXT NOT NULL,
    UNIQUE (school_id, group_id, date, start_time),
    UNIQUE (school_id, id),
    FOREIGN KEY (school_id, group_id) REFERENCES class_groups (school_id, id),
    FOREIGN KEY (school_id, teacher_id) REFERENCES staff (school_id, id)
);
CREATE INDEX lessons_by_teacher ON lessons (school_id, teacher_id, date);
CREATE INDEX lessons_by_date ON lessons (school_id, date);

-- A registration covers a lesson (lesson_id set) or a span; date/start/end are stored on
-- every row (copied from the lesson) so range queries need no join.
--
-- registrations and registration_history are the big tables (tens of millions of rows) and
-- carry no foreign keys: the store checks a registration's student, lesson, code and staff
-- member in the transaction that writes it (in memory for an import). Foreign-key checks
-- doubled the time of a bulk import on PostgreSQL (100 000 registrations with history:
-- 5.0 s with them, 2.4 s without; measured, see write_batch).
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    lesson_id INTEGER,
    date DATE NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    code TEXT NOT NULL,
    note TEXT NOT NULL,
    minutes_late INTEGER,
    registered_by INTEGER,
    registered_at TIMESTAMP NOT NULL,
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX registrations_by_student ON registrations (school_id, student_id, date);
CREATE INDEX registrations_by_lesson ON registrations (lesson_id);
-- A student has at most one standing (not withdrawn) registration per lesson: a re-import
-- or a second form cannot double it. Withdrawn rows, kept for history, are outside the
-- index and may repeat. SQLite stores the flag as 0/1 and reads FALSE as 0, so the
-- predicate is the same text in both dialects. lesson_id first: a bulk import writes in
-- lesson order, and (student_id, lesson_id) made 1 000 000 imported registrations 38 %
-- slower on SQLite and 20 % on PostgreSQL (this order: within noise). It does not replace
-- registrations_by_lesson: without statistics SQLite's planner passes over a partial
-- index for "the registrations of this lesson" and scans the school's instead.
CREATE UNIQUE INDEX registrations_one_standing_per_lesson ON registrations (lesson_id, student_id)
    WHERE lesson_id IS NOT NULL AND withdrawn = FALSE;
CREATE INDEX registrations_by_date ON registrations (school_id, date);

-- Append-only: one row per creation or change of a registration.
CREATE TABLE registration_history (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by INTEGER,
    old_code TEXT,
    new_code TEXT,
    old_note TEXT NOT NULL,
    new_note TEXT NOT NULL,
    -- Who changed it as the audit log names them: the username, or the label of an import.
    changed_by_label TEXT NOT NULL
);
CREATE INDEX registration_history_by_registration ON registration_history (registration_id);

-- Append-only: who read or changed which student's data. No reference to students, so that
-- the log outlives the data it describes (retention removes students, not their log).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools (id),
    at TIMESTAMP NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    student_id INTEGER,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_student ON audit_log (school_id, student_id, at);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed logins per username, shared by all instances, for throttling. No school_id: a login
-- attempt is made before anyone knows the school.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures (username, at);
