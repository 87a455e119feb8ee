#!/usr/bin/env python3
"""The 16-uur rule (Leerplichtwet 1969 art. 21a) in DuckDB: the comparison for the law engine.

    python3 bench/law/duckdb_16uur.py DIR/registrations*.csv [--threads 2] [--reference]

Reads the files `cargo bench -p verzuim-law --bench million` writes into target/bench-law/:
registrations*.csv (student,date,code), students*.csv (student,birth_date,start_qualification,
enrolled_from,enrolled_until,lives_abroad), lesweek.csv (date,lesweek) and codes.csv
(code,counts), all in the directory of the first registrations file. Loads them into an in-memory DuckDB (load
time printed on its own), runs sixteen_hours.sql (query time), writes the meldingen to
DIR/duckdb_meldingen.csv (student,n,begin,end,units) and prints one machine-readable line:

    RESULT load_s=… query_s=… meldingen=… students=… rows=… load_cpu_s=… query_cpu_s=…

(*_cpu_s: CPU time of the process, all threads, to compare on a busy machine.)

--reference also runs a plain-Python version of the rule on the same data and says whether the
two agree (meant for small data sets: it is slow).

Needs the duckdb module: `pip install --user duckdb` (or `python3 -m pip install duckdb`).
"""

import argparse
import csv
import datetime as dt
import glob
import os
import sys
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLD = 16
WEEKS = 4
MIN_DAYS_BETWEEN_ENDS = 7


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("registrations", help="registrations CSV file or glob")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()

    try:
        import duckdb
    except ImportError:
        print(
            "SKIP duckdb is not installed: pip install --user duckdb",
            file=sys.stderr,
        )
        return 3

    files = sorted(glob.glob(args.registrations))
    if not files:
        print(f"no file matches {args.registrations}", file=sys.stderr)
        return 2
    data_dir = os.path.dirname(os.path.abspath(files[0]))
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")

    started, cpu = time.perf_counter(), time.process_time()
    con.execute(
        "CREATE TABLE reg AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'student': 'INTEGER', 'date': 'DATE', 'code': 'VARCHAR'})",
        [files],
    )
    con.execute(
        "CREATE TABLE students AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'student': 'INTEGER', 'birth_date': 'DATE', "
        "'start_qualification': 'BOOLEAN', 'enrolled_from': 'DATE', "
        "'enrolled_until': 'DATE', 'lives_abroad': 'BOOLEAN'})",
        [sorted(glob.glob(os.path.join(data_dir, "students*.csv")))],
    )
    con.execute(
        "CREATE TABLE lesweek AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'date': 'DATE', 'lesweek': 'INTEGER'})",
        [os.path.join(data_dir, "lesweek.csv")],
    )
    con.execute(
        "CREATE TABLE codes AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'code': 'VARCHAR', 'counts': 'BOOLEAN'})",
        [os.path.join(data_dir, "codes.csv")],
    )
    load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    rows = con.execute("SELECT count(*) FROM reg").fetchone()[0]

    with open(os.path.join(HERE, "sixteen_hours.sql"), encoding="utf-8") as f:
        sql = f.read()
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(sql)
    query_s, query_cpu_s = time.perf_counter() - started, time.process_time() - cpu

    result = con.execute(
        "SELECT student, n, begin_date, end_date, units FROM meldingen ORDER BY student, n"
    ).fetchall()
    out = os.path.join(data_dir, "duckdb_meldingen.csv")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "n", "begin", "end", "units"])
        for student, n, begin, end, units in result:
            w.writerow([student, n, begin.isoformat(), end.isoformat(), int(units)])
    students = len({r[0] for r in result})
    print(
        f"RESULT load_s={load_s:.3f} query_s={query_s:.3f} meldingen={len(result)} "
        f"students={students} rows={rows} load_cpu_s={load_cpu_s:.3f} query_cpu_s={query_cpu_s:.3f}"
    )

    if args.reference:
        ref = reference(con)
        got = [(s, b, e) for s, _, b, e, _ in result]
        if ref == got:
            print(f"REFERENCE agree: {len(ref)} meldingen")
        else:
            print(f"REFERENCE MISMATCH: python {len(ref)}, sql {len(got)}")
            for a, b in zip(ref, got):
                if a != b:
                    print(f"  first difference: python {a}, sql {b}")
                    break
            return 1
    return 0


def add_years(d: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February (as chrono and DuckDB do)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def under_law(birth: dt.date, start_qualification: bool):
    """First and last day the student is leerplichtig or kwalificatieplichtig."""
    b5 = add_years(birth, 5)
    first = dt.date(b5.year + (b5.month == 12), b5.month % 12 + 1, 1)
    b16 = add_years(birth, 16)
    last = dt.date(b16.year + (b16.month >= 8), 7, 31)
    if not start_qualification:
        last = max(last, add_years(birth, 18) - dt.timedelta(days=1))
    return first, last


def reference(con) -> list:
    """The rule written plainly, day by day per student, without prefix sums."""
    weeks = dict(con.execute("SELECT date, lesweek FROM lesweek").fetchall())
    # School days in order (the benchmark evaluates as of the last one).
    school_days = sorted(weeks)
    order = {d: i for i, d in enumerate(school_days)}
    counts = {c for (c,) in con.execute("SELECT code FROM codes WHERE counts").fetchall()}
    students = {}
    for s, birth, sq, since, until, abroad in con.execute("SELECT * FROM students").fetchall():
        if not abroad:
            first, last = under_law(birth, sq)
            students[s] = (max(first, since), min(last, until or dt.date.max))
    per_student = defaultdict(lambda: defaultdict(int))
    for student, date, code in con.execute("SELECT student, date, code FROM reg").fetchall():
        span = students.get(student)
        if code in counts and date in weeks and span and span[0] <= date <= span[1]:
            per_student[student][date] += 1
    out = []
    for student in sorted(per_student):
        days = sorted(per_student[student].items())
        prev_end = None
        for date, _ in days:
            if prev_end is not None and date <= prev_end:
                continue
            lw = weeks[date]
            window = [
                (d, u)
                for d, u in days
                if (prev_end is None or d > prev_end) and d <= date and weeks[d] > lw - WEEKS
            ]
            if sum(u for _, u in window) < THRESHOLD:
                continue
            # At most one melding per 7 calendar days: end on the first counted day on or
            # after the previous end + 7 -- or earlier, on the last day of the continuous
            # absence if it stops before then (due on previous end + 7, not after today).
            earliest = date
            if prev_end is not None:
                earliest = max(date, prev_end + dt.timedelta(days=MIN_DAYS_BETWEEN_ENDS))
            counted = {d for d, _ in days}

            def stops(d):
                i = order[d] + 1
                return i < len(school_days) and school_days[i] not in counted

            end = next((d for d, _ in days if d >= date and (d >= earliest or stops(d))), None)
            if end is None:
                break
            if end < earliest and earliest > school_days[-1]:
                break
            out.append((student, window[0][0], end))
            prev_end = end
    return out


if __name__ == "__main__":
    sys.exit(main())
