-- School periods in the school calendar (issue 6): a JSON list of {name, first, last},
-- ascending and non-overlapping (checked by SchoolCalendar::with_periods before saving).
-- Empty: the school gave none; the standard four periods are derived from the lesweken.
ALTER TABLE calendars ADD COLUMN periods TEXT NOT NULL DEFAULT '[]';
