-- Leerplichtwet 1969 art. 21a, "16 uur in 4 weken", as one DuckDB query: the comparison
-- for the law engine's benchmark (`cargo bench -p verzuim-law --bench million`).
--
-- Input tables (loaded by duckdb_16uur.py):
--   reg(student INTEGER, date DATE, code VARCHAR)   one row per registration, every code
--   students(student INTEGER, birth_date DATE, start_qualification BOOLEAN,
--            enrolled_from DATE, enrolled_until DATE, lives_abroad BOOLEAN)
--   lesweek(date DATE, lesweek INTEGER)             every school day and its lesweek index
--                                                   (0, 1, 2, ... over weeks with >= 1 school
--                                                   day; holiday weeks have no index, so they
--                                                   neither count nor break the sequence)
--   codes(code VARCHAR, counts BOOLEAN)             counts = unauthorized AND counts toward
--                                                   the legal hours (ON, SP, SA, IB by default)
--
-- The rule, as the engine implements it (crates/verzuim-law/src/sixteen_hours.rs):
-- - counted: registrations with a counting code, on a day the student is enrolled and under
--   the Leerplichtwet (leerplichtig: from the 1st of the month after the 5th birthday to the
--   end of the school year of the 16th birthday; kwalificatieplichtig: without a
--   startkwalificatie, until the day before the 18th birthday); nothing for a student living
--   abroad. One registration of a 50-minute lesson is one lesuur.
-- - reached on the first day r on which the lesuren counted in the lesweek of r and the 3
--   lesweken before it, from the restart day on, reach 16; begin = the first counted day of
--   that window.
-- - at most one melding per 7 calendar days: end = the first counted day on or after
--   max(r, previous end + 7) (so usually end = r) -- unless the continuous absence stops
--   before previous end + 7 (the next school day has no counted absence): then the melding
--   ends on that last absent day and is due on previous end + 7, so it only appears when
--   previous end + 7 is not after today. The benchmark evaluates as of the last school day
--   (today = max(lesweek.date)).
-- - the count restarts the day after the previous end.
--
-- How: per student, the counted days with a running total `cum`. For a day d the window holds
-- the days of lesweken >= lesweek(d) - 3, so its lesuren are cum(d) - base(d), where base(d)
-- is the running total at the end of lesweek(d) - 4. After a melding ending on e, days up to e
-- no longer count, so the lesuren from the restart on are cum(d) - greatest(base(d), cum(e)).
-- A recursive CTE walks the chain of meldingen: each step finds the next end from the
-- previous one. Result: meldingen(student, n, begin_date, end_date, units).

CREATE OR REPLACE TEMP TABLE plicht AS
SELECT student,
       enrolled_from,
       coalesce(enrolled_until, DATE '9999-12-31') AS enrolled_until,
       -- Leerplichtwet art. 3 lid 1: the first of the month after the 5th birthday.
       (date_trunc('month', birth_date + INTERVAL 5 YEAR) + INTERVAL 1 MONTH)::DATE AS plicht_from,
       greatest(
           -- art. 3 lid 1 b: the end of the school year (1 Aug - 31 Jul) of the 16th birthday.
           make_date(year(birth_date + INTERVAL 16 YEAR - INTERVAL 7 MONTH) + 1, 7, 31),
           -- art. 4a: kwalificatieplicht until the 18th birthday, without a startkwalificatie.
           CASE WHEN start_qualification THEN DATE '0001-01-01'
                ELSE (birth_date + INTERVAL 18 YEAR - INTERVAL 1 DAY)::DATE END
       ) AS plicht_until
FROM students
WHERE NOT lives_abroad;

-- Every school day with its ordinal: "continuous" absence means counted absence on the next
-- school day (weekends and holidays do not break it).
CREATE OR REPLACE TEMP TABLE school_day AS
SELECT date, lesweek, row_number() OVER (ORDER BY date)::INTEGER AS ord
FROM lesweek;

CREATE OR REPLACE TEMP TABLE counted_days AS
SELECT r.student, r.date, l.lesweek, l.ord, count(*)::INTEGER AS units
FROM reg r
JOIN codes c ON c.code = r.code AND c.counts
JOIN school_day l ON l.date = r.date
JOIN plicht p ON p.student = r.student
             AND r.date BETWEEN p.enrolled_from AND p.enrolled_until
             AND r.date BETWEEN p.plicht_from AND p.plicht_until
GROUP BY r.student, r.date, l.lesweek, l.ord;

CREATE OR REPLACE TEMP TABLE days AS
SELECT student, date, units,
       sum(units) OVER (PARTITION BY student ORDER BY date
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
       coalesce(sum(units) OVER (PARTITION BY student ORDER BY lesweek
                        RANGE BETWEEN UNBOUNDED PRECEDING AND 4 PRECEDING), 0) AS base,
       -- the continuous absence stops after this day: the next school day (up to today, the
       -- last school day) has no counted absence
       ord < (SELECT max(ord) FROM school_day)
         AND coalesce(lead(ord) OVER (PARTITION BY student ORDER BY date), -1) <> ord + 1 AS stops
FROM counted_days;

CREATE OR REPLACE TEMP TABLE meldingen AS
WITH RECURSIVE chain(student, n, end_date, end_cum, from_cum) AS (
    SELECT student, 0, DATE '1900-01-01', 0::HUGEINT, 0::HUGEINT
    FROM days
    GROUP BY student
    HAVING max(cum) >= 16
  UNION ALL
    SELECT x.student, x.n + 1,
           min(d.date),
           arg_min(d.cum, d.date),
           any_value(x.from_cum)
    FROM (
        -- the day 16 is reached after the previous end, and where that window starts
        SELECT c.student, c.n, c.end_date AS prev_end,
               min(d.date) AS reached,
               arg_min(greatest(d.base, c.end_cum), d.date) AS from_cum
        FROM chain c
        JOIN days d ON d.student = c.student
                   AND d.date > c.end_date
                   AND d.cum - greatest(d.base, c.end_cum) >= 16
        GROUP BY c.student, c.n, c.end_date
    ) x
    -- the end: the first counted day on or after max(reached, previous end + 7), or an
    -- earlier day from `reached` on after which the continuous absence stops; such an early
    -- end is due on previous end + 7, which must not be after today
    JOIN days d ON d.student = x.student
               AND d.date >= x.reached
               AND (d.date >= x.prev_end + 7 OR d.stops)
    GROUP BY x.student, x.n, x.prev_end
    HAVING min(d.date) >= x.prev_end + 7
        OR x.prev_end + 7 <= (SELECT max(date) FROM school_day)
)
SELECT c.student, c.n, min(d.date) AS begin_date, c.end_date, c.end_cum - c.from_cum AS units
FROM chain c
JOIN days d ON d.student = c.student AND d.date <= c.end_date AND d.cum > c.from_cum
WHERE c.n > 0
GROUP BY c.student, c.n, c.end_date, c.end_cum, c.from_cum;
