//! The `periodes` file kind: the school's own periods, read with located errors and put into
//! the calendar of their school year.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::NaiveDate;
use verzuim_domain::{CodeTable, Origin, Region, SchoolCalendar, SchoolPeriod, SchoolYear};
use verzuim_import::{
    FileKind, FileOptions, ImportError, Imported, Importer, Input, Known, read_files, write_periods,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Reads in-memory files (name, text) into one import.
fn read(files: &[(&str, &str)]) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(CodeTable::magister_default());
    for (name, text) in files {
        importer.read(
            name,
            Input::Bytes(text.as_bytes()),
            FileOptions::default(),
            &mut |_| {},
        )?;
    }
    importer.finish(&Known::default())
}

fn bad_row(result: Result<impl std::fmt::Debug, ImportError>) -> (String, u64, String, String) {
    match result {
        Err(ImportError::BadRow {
            file,
            line,
            column,
            reason,
        }) => (file, line, column, reason),
        other => panic!("expected BadRow, got {other:?}"),
    }
}

/// School year 2026-2027: lessons from Monday 24 August 2026 to Friday 9 July 2027.
fn calendar() -> SchoolCalendar {
    SchoolCalendar::new(
        SchoolYear::starting(2026),
        Region::Zuid,
        d(2026, 8, 24),
        d(2027, 7, 9),
        Vec::new(),
        BTreeSet::new(),
    )
    .unwrap()
}

const PERIODS: &str = "\
Periode;Begindatum;Einddatum
Periode 1;24-08-2026;13-11-2026
Periode 2;16-11-2026;05-02-2027
Periode 3;2027-02-08;2027-04-23
Periode 4;26-4-2027;09/07/2027
";

#[test]
fn periods_file_is_detected_and_read_with_dutch_dates() {
    let imported = read(&[("periodes.csv", PERIODS)]).unwrap();
    assert_eq!(imported.files[0].kind, FileKind::Periods);
    assert_eq!(imported.files[0].rows, 4);
    assert!(imported.batch.registrations.is_empty() && imported.batch.groups.is_empty());
    let p = &imported.periods;
    assert_eq!(p.len(), 4);
    assert_eq!(
        p[0].period,
        SchoolPeriod {
            name: "Periode 1".into(),
            first: d(2026, 8, 24),
            last: d(2026, 11, 13)
        }
    );
    assert_eq!(
        (p[3].period.first, p[3].period.last),
        (d(2027, 4, 26), d(2027, 7, 9))
    );
    assert_eq!(
        p[2].origin,
        Origin {
            file: "periodes.csv".into(),
            line: 4
        }
    );
    assert_eq!(imported.period_years(), [SchoolYear::starting(2026)]);
}

#[test]
fn good_periods_become_the_periods_of_the_calendar_of_their_school_year() {
    let imported = read(&[("periodes.csv", PERIODS)]).unwrap();
    let cal = imported.calendar_with_periods(calendar()).unwrap();
    let names: Vec<&str> = cal.periods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Periode 1", "Periode 2", "Periode 3", "Periode 4"]);
    assert_eq!(cal.periods_or_standard(), cal.periods);
    assert_eq!(
        cal.period_of(d(2027, 1, 14)).map(|p| p.name),
        Some("Periode 2".to_owned())
    );
    // They replace the periods the calendar had.
    let old = calendar()
        .with_periods(vec![SchoolPeriod {
            name: "blok A".into(),
            first: d(2026, 9, 1),
            last: d(2026, 9, 30),
        }])
        .unwrap();
    assert_eq!(
        imported.calendar_with_periods(old).unwrap().periods,
        cal.periods
    );
    // Another school year's calendar is left as it is.
    let next = SchoolCalendar::new(
        SchoolYear::starting(2027),
        Region::Zuid,
        d(2027, 8, 30),
        d(2028, 7, 14),
        Vec::new(),
        BTreeSet::new(),
    )
    .unwrap();
    assert_eq!(imported.calendar_with_periods(next.clone()).unwrap(), next);
}

#[test]
fn periods_fit_the_shipped_calendar() {
    let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
    let text = format!(
        "periode;begindatum;einddatum\nblok 1;{};2026-12-18\nblok 2;2027-01-04;{}\n",
        cal.first_day, cal.last_day
    );
    let imported = read(&[("p.csv", &text)]).unwrap();
    let cal = imported.calendar_with_periods(cal).unwrap();
    assert_eq!(cal.periods.len(), 2);
}

#[test]
fn aliases_and_the_file_name_are_understood() {
    let text = "Blok;Van;T/m\nA;2026-08-24;2026-12-31\n";
    let imported = read(&[("periodes 26-27.csv", text)]).unwrap();
    assert_eq!(imported.periods[0].period.name, "A");
    assert_eq!(imported.files[0].kind, FileKind::Periods);
}

#[test]
fn an_overlapping_period_is_refused_at_its_row_naming_the_other() {
    let text = PERIODS.replace("16-11-2026", "13-11-2026");
    let (file, line, column, reason) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!(
        (file.as_str(), line, column.as_str()),
        ("periodes.csv", 3, "Begindatum")
    );
    assert!(
        reason.contains(
            "overlapt met periode 'Periode 1' (24-08-2026 t/m 13-11-2026, periodes.csv:2)"
        ),
        "{reason}"
    );
}

#[test]
fn overlap_is_checked_across_files_of_one_import() {
    let (file, line, _, reason) = bad_row(read(&[
        ("periodes.csv", PERIODS),
        (
            "extra-periodes.csv",
            "periode;begindatum;einddatum\ntoetsweek;2027-01-25;2027-01-29\n",
        ),
    ]));
    assert_eq!((file.as_str(), line), ("extra-periodes.csv", 2));
    assert!(reason.contains("'Periode 2'"), "{reason}");
}

#[test]
fn a_period_outside_the_school_year_is_refused_at_its_row() {
    // Across 31 July: in two school years.
    let text = PERIODS.replace("09/07/2027", "2027-08-15");
    let (_, line, column, reason) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!((line, column.as_str()), (5, "Einddatum"));
    assert!(
        reason.contains("loopt over de grens van schooljaar 2026-2027 (dat eindigt op 31-07-2027)"),
        "{reason}"
    );

    // In the school year, but before the first school day of the calendar.
    let text = PERIODS.replace("24-08-2026", "03-08-2026");
    let imported = read(&[("periodes.csv", &text)]).unwrap();
    let (_, line, column, reason) = bad_row(imported.calendar_with_periods(calendar()));
    assert_eq!((line, column.as_str()), (2, "Begindatum"));
    assert_eq!(
        reason,
        "periode 'Periode 1' begint op 03-08-2026 en valt buiten schooljaar 2026-2027: de school \
         heeft les van 24-08-2026 t/m 09-07-2027"
    );

    // After the last school day.
    let text = PERIODS.replace("09/07/2027", "2027-07-20");
    let imported = read(&[("periodes.csv", &text)]).unwrap();
    let (_, line, column, reason) = bad_row(imported.calendar_with_periods(calendar()));
    assert_eq!((line, column.as_str()), (5, "Einddatum"));
    assert!(
        reason.starts_with("periode 'Periode 4' eindigt op 20-07-2027 en valt buiten"),
        "{reason}"
    );
}

#[test]
fn end_before_start_a_repeated_name_and_a_bad_date_are_refused() {
    let text = PERIODS.replace("Periode 3;2027-02-08", "Periode 3;2027-05-08");
    let (_, line, column, reason) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!((line, column.as_str()), (4, "Einddatum"));
    assert!(
        reason.contains("eindigt (23-04-2027) voor hij begint (08-05-2027)"),
        "{reason}"
    );

    let text = PERIODS.replace("Periode 4;", "periode 1;");
    let (_, line, column, reason) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!((line, column.as_str()), (5, "Periode"));
    assert!(reason.contains("staat al op periodes.csv:2"), "{reason}");

    let text = PERIODS.replace("05-02-2027", "31-02-2027");
    let (_, line, column, _) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!((line, column.as_str()), (3, "Einddatum"));

    let text = PERIODS.replace("Periode 2;", ";");
    let (_, line, column, reason) = bad_row(read(&[("periodes.csv", &text)]));
    assert_eq!(
        (line, column.as_str(), reason.as_str()),
        (3, "Periode", "is leeg; deze kolom is verplicht")
    );
}

#[test]
fn a_missing_column_is_named_on_line_one() {
    let (_, line, column, reason) = bad_row(read(&[(
        "periodes.csv",
        "periode;begindatum\np1;2026-08-24\n",
    )]));
    assert_eq!((line, column.as_str()), (1, "einddatum"));
    assert!(reason.starts_with("kolom ontbreekt"), "{reason}");
}

#[test]
fn periods_are_read_from_a_spreadsheet_with_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    for (col, h) in ["Periode", "Begindatum", "Einddatum"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    let rows = [
        ("Periode 1", (2026, 8, 24), (2026, 12, 18)),
        ("Periode 2", (2027, 1, 4), (2027, 7, 9)),
    ];
    for (i, (name, a, b)) in rows.into_iter().enumerate() {
        let r = i as u32 + 1;
        let cell = |(y, m, d): (u16, u8, u8)| ExcelDateTime::from_ymd(y, m, d).unwrap();
        sheet.write_string(r, 0, name).unwrap();
        sheet
            .write_datetime_with_format(r, 1, cell(a), &date)
            .unwrap();
        sheet
            .write_datetime_with_format(r, 2, cell(b), &date)
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let mut importer = Importer::new(CodeTable::magister_default());
    let summary = importer
        .read(
            "periodes.xlsx",
            Input::Bytes(&bytes),
            FileOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(summary.kind, FileKind::Periods);
    let imported = importer.finish(&Known::default()).unwrap();
    assert_eq!(
        imported.periods[1].period,
        SchoolPeriod {
            name: "Periode 2".into(),
            first: d(2027, 1, 4),
            last: d(2027, 7, 9)
        }
    );
    assert_eq!(imported.periods[1].origin.line, 3);
    let cal = imported.calendar_with_periods(calendar()).unwrap();
    assert_eq!(cal.periods.len(), 2);
}

#[test]
fn written_periods_read_back() {
    let periods = calendar().periods_or_standard();
    assert_eq!(periods.len(), 4);
    let dir = tempfile::tempdir().unwrap();
    let path = write_periods(&periods, dir.path()).unwrap();
    assert!(path.ends_with("periodes.csv"));
    let imported = read_files(&[path.as_path()], &CodeTable::magister_default()).unwrap();
    let back: Vec<SchoolPeriod> = imported.periods.into_iter().map(|p| p.period).collect();
    assert_eq!(back, periods);
}
