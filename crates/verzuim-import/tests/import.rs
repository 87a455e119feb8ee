//! Parsers, errors, the shipped samples, the write → read round trip and spreadsheets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStaff, BatchStudent, CodeTable, Gemeentecode,
    Group, Origin, PersonalNumber, SchoolRole, Staff, Student,
};
use verzuim_import::{
    FileKind, FileOptions, ImportError, Imported, Importer, Input, Known, RegistrationFormat,
    read_files, write_files,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/samples")
}

/// Reads in-memory files (name, text) into one batch.
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

fn bad_row(result: Result<Imported, ImportError>) -> (String, u64, String, String) {
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

const STUDENTS: &str = "\
Leerlingnummer;BSN;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Gemeentecode;Ingeschreven_vanaf;Klas;Mentor
1001;999990007;Anna;van der;Berg;04-03-2012;GM0935;2024-08-26;2B;HOO
1002;999990019;Bram;;Janssen;2012-07-19;;2024-08-26;;
";

#[test]
fn students_are_read_with_dutch_dates_and_optional_fields() {
    let batch = read(&[("leerlingen.csv", STUDENTS)]).unwrap().batch;
    assert_eq!(batch.students.len(), 2);
    let anna = &batch.students[0];
    assert_eq!(
        anna.student.personal_number,
        PersonalNumber::parse("999990007").unwrap()
    );
    assert_eq!(anna.student.birth_date, d(2012, 3, 4));
    assert_eq!(
        anna.student.residence,
        Some(Gemeentecode::parse("0935").unwrap())
    );
    assert_eq!(anna.student.name_prefix, "van der");
    assert_eq!(anna.group_code.as_deref(), Some("2B"));
    assert_eq!(
        anna.origin,
        Origin {
            file: "leerlingen.csv".into(),
            line: 2
        }
    );
    let bram = &batch.students[1];
    assert_eq!(
        (bram.student.residence.clone(), bram.group_code.clone()),
        (None, None)
    );
    // The group named by a student is created, its year level read from the code.
    assert_eq!(
        batch.groups,
        vec![Group {
            code: "2B".into(),
            year_level: 2,
            location: String::new()
        }]
    );
}

#[test]
fn bad_bsn_names_the_line_and_the_column_as_written() {
    let text = STUDENTS.replace("1002;999990019", "1002;999990018");
    let (file, line, column, reason) = bad_row(read(&[("leerlingen.csv", &text)]));
    assert_eq!(
        (file.as_str(), line, column.as_str()),
        ("leerlingen.csv", 3, "BSN")
    );
    assert!(reason.contains("11-proef"), "{reason}");
    let err = read(&[("leerlingen.csv", &text)]).unwrap_err().to_string();
    assert!(
        err.starts_with("leerlingen.csv:3:BSN: '999990018' is geen geldig BSN"),
        "{err}"
    );
}

#[test]
fn bad_gemeentecode_and_enrolment_before_birth_are_refused_per_column() {
    let text = STUDENTS.replace("GM0935", "Maastricht");
    assert_eq!(bad_row(read(&[("l.csv", &text)])).2, "Gemeentecode");
    let text = STUDENTS.replace("2024-08-26;2B", "2010-08-26;2B");
    let (_, line, column, reason) = bad_row(read(&[("l.csv", &text)]));
    assert_eq!((line, column.as_str()), (2, "Ingeschreven_vanaf"));
    assert!(reason.contains("geboortedatum"), "{reason}");
}

#[test]
fn duplicate_student_number_points_at_the_first_row() {
    let text = STUDENTS.replace("1002;", "1001;");
    let (_, line, column, reason) = bad_row(read(&[("l.csv", &text)]));
    assert_eq!((line, column.as_str()), (3, "Leerlingnummer"));
    assert!(reason.contains("l.csv:2"), "{reason}");
}

#[test]
fn missing_required_column_is_an_error_on_line_one_naming_the_column() {
    let text = "leerlingnummer;roepnaam;achternaam;geboortedatum;ingeschreven_vanaf\n1;a;b;2012-01-01;2024-08-26\n";
    let (file, line, column, reason) = bad_row(read(&[("leerlingen.csv", text)]));
    assert_eq!(
        (file.as_str(), line, column.as_str()),
        ("leerlingen.csv", 1, "bsn")
    );
    assert!(reason.starts_with("kolom ontbreekt"), "{reason}");
    let regs = "leerlingnummer;datum;lesuur;code\n1001;2026-11-23;1;ZK\n";
    let mut importer = Importer::new(CodeTable::magister_default());
    let options = FileOptions {
        kind: Some(FileKind::Registrations),
        format: None,
    };
    // Lesson hour alone is enough; neither hour nor times is not.
    assert!(
        importer
            .read("r.csv", Input::Bytes(regs.as_bytes()), options, &mut |_| {})
            .is_ok()
    );
    let no_time = "leerlingnummer;datum;code\n1001;2026-11-23;ZK\n";
    let err = importer
        .read(
            "r.csv",
            Input::Bytes(no_time.as_bytes()),
            options,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        matches!(err, ImportError::BadRow { line: 1, ref column, .. } if column == "begintijd"),
        "{err}"
    );
}

#[test]
fn staff_roles_are_split_on_bars_and_checked() {
    let text = "gebruikersnaam;naam;code;rollen\nj.hoogland;Jan Hoogland;HOO;docent|Mentor\n";
    let batch = read(&[("personeel.csv", text)]).unwrap().batch;
    assert_eq!(
        batch.staff[0].staff.roles,
        vec![SchoolRole::Teacher, SchoolRole::Mentor]
    );
    let text = text.replace("Mentor", "conciërge");
    let (_, line, column, reason) = bad_row(read(&[("personeel.csv", &text)]));
    assert_eq!((line, column.as_str()), (2, "rollen"));
    assert!(reason.contains("geen schoolrol"), "{reason}");
    let text = "gebruikersnaam;naam;code;rollen\nj hoogland;Jan;HOO;docent\n";
    assert_eq!(bad_row(read(&[("p.csv", text)])).2, "gebruikersnaam");
}

#[test]
fn groups_file_sets_year_level_and_location() {
    let text = "klas,leerjaar,locatie\n2B,2,00\nBRUG1,,01\n";
    let batch = read(&[("klassen.csv", text)]).unwrap().batch;
    assert_eq!(
        batch.groups[0],
        Group {
            code: "2B".into(),
            year_level: 2,
            location: "00".into()
        }
    );
    assert_eq!(batch.groups[1].year_level, 1);
    let (_, line, column, _) = bad_row(read(&[("klassen.csv", "klas,leerjaar\n2B,twee\n")]));
    assert_eq!((line, column.as_str()), (2, "leerjaar"));
}

#[test]
fn lessons_are_checked_for_end_after_start_and_duplicates() {
    let text =
        "datum;lesuur;begintijd;eindtijd;klas;docent;vak\n23-11-2026;1;8:30;9.20;2B;HOO;NE\n";
    let batch = read(&[("rooster.csv", text)]).unwrap().batch;
    assert_eq!(
        batch.lessons[0],
        BatchLesson {
            date: d(2026, 11, 23),
            period: 1,
            start: t(8, 30),
            end: t(9, 20),
            group_code: "2B".into(),
            teacher_code: Some("HOO".into()),
            subject: "NE".into(),
            origin: Origin {
                file: "rooster.csv".into(),
                line: 2
            },
        }
    );
    let backwards = text.replace("9.20", "8:00");
    let (_, line, column, reason) = bad_row(read(&[("rooster.csv", &backwards)]));
    assert_eq!((line, column.as_str()), (2, "eindtijd"));
    assert!(reason.contains("ligt niet na begintijd 08:30"), "{reason}");
    let twice = format!("{text}23-11-2026;1;08:30;09:20;2B;VRI;EN\n");
    assert_eq!(bad_row(read(&[("rooster.csv", &twice)])).1, 3);
}

const REGISTRATIONS: &str = "\
leerlingnummer;datum;lesuur;begintijd;eindtijd;code;opmerking;minuten_te_laat
1001;2026-11-23;1;08:30;09:20;zk;ziek gemeld;
1002;2026-11-23;;08:30;09:20;TO;;10
";

#[test]
fn own_format_registrations_are_read_and_codes_upper_cased() {
    let batch = read(&[("registraties.csv", REGISTRATIONS)]).unwrap().batch;
    assert_eq!(
        batch.registrations[0],
        BatchRegistration {
            student_number: "1001".into(),
            date: d(2026, 11, 23),
            start: t(8, 30),
            end: t(9, 20),
            code: "ZK".into(),
            note: "ziek gemeld".into(),
            minutes_late: None,
            origin: Origin {
                file: "registraties.csv".into(),
                line: 2
            },
        }
    );
    assert_eq!(batch.registrations[1].minutes_late, Some(10));
}

#[test]
fn unknown_code_is_refused_with_the_known_codes_listed() {
    let text = REGISTRATIONS.replace(";TO;", ";XX;");
    let (file, line, column, reason) = bad_row(read(&[("registraties.csv", &text)]));
    assert_eq!(
        (file.as_str(), line, column.as_str()),
        ("registraties.csv", 3, "code")
    );
    assert!(
        reason.contains("'XX' staat niet in de codetabel") && reason.contains("ZK"),
        "{reason}"
    );
}

#[test]
fn bad_date_and_bad_time_name_their_column() {
    let text = REGISTRATIONS.replace("1002;2026-11-23", "1002;2026-13-01");
    let (_, line, column, reason) = bad_row(read(&[("r.csv", &text)]));
    assert_eq!((line, column.as_str()), (3, "datum"));
    assert!(reason.contains("geen bestaande datum"), "{reason}");
    let text = REGISTRATIONS.replace("08:30;09:20;TO", "half negen;09:20;TO");
    assert_eq!(bad_row(read(&[("r.csv", &text)])).2, "begintijd");
    let text = REGISTRATIONS.replace("08:30;09:20;TO", "09:30;09:20;TO");
    assert_eq!(bad_row(read(&[("r.csv", &text)])).2, "eindtijd");
}

#[test]
fn registration_by_lesson_hour_takes_the_times_of_the_groups_lesson() {
    let lessons = "datum;lesuur;begintijd;eindtijd;klas;vak\n2026-11-23;3;10:30;11:20;2B;WI\n";
    let regs = "leerlingnummer;datum;lesuur;begintijd;eindtijd;code\n1001;2026-11-23;3;;;ON\n";
    let imported = read(&[
        ("leerlingen.csv", STUDENTS),
        ("rooster.csv", lessons),
        ("r.csv", regs),
    ])
    .unwrap();
    let r = &imported.batch.registrations[0];
    assert_eq!((r.start, r.end), (t(10, 30), t(11, 20)));
    // Without the lesson in the import or the store, the row is refused at the hour column.
    let (file, line, column, reason) =
        bad_row(read(&[("leerlingen.csv", STUDENTS), ("r.csv", regs)]));
    assert_eq!(
        (file.as_str(), line, column.as_str()),
        ("r.csv", 2, "lesuur")
    );
    assert!(reason.contains("staat niet in het rooster"), "{reason}");
    // Lessons the store knows are used too.
    let mut importer = Importer::new(CodeTable::magister_default());
    importer
        .read(
            "r.csv",
            Input::Bytes(regs.as_bytes()),
            FileOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        importer
            .dates_needing_lessons()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![d(2026, 11, 23)]
    );
    let mut known = Known::default();
    known.student_groups.insert("1001".into(), "2B".into());
    known
        .lessons
        .insert(("2B".into(), d(2026, 11, 23), 3), (t(10, 30), t(11, 20)));
    let batch = importer.finish(&known).unwrap().batch;
    assert_eq!(batch.registrations[0].end, t(11, 20));
}

const MAGISTER: &str = "\
Stamnr;Datum;Lesuur;Start;Eind;Code;Omschrijving;Geoorloofd
1003;24-11-2026;1;2026-11-24T07:30:00.0000000Z;2026-11-24T08:20:00.0000000Z;SP;Spijbelen;Nee
1006;24-11-2026;1;08:30;09:20;VE;Bruiloft zus;Ja
";

#[test]
fn magister_export_is_recognised_and_utc_times_become_amsterdam_time() {
    let imported = read(&[("absenties.csv", MAGISTER)]).unwrap();
    assert_eq!(imported.files[0].format, Some(RegistrationFormat::Magister));
    let regs = &imported.batch.registrations;
    assert_eq!(
        (regs[0].date, regs[0].start, regs[0].end),
        (d(2026, 11, 24), t(8, 30), t(9, 20))
    );
    assert_eq!(
        regs[0].note, "",
        "a description equal to the code's is not kept"
    );
    assert_eq!(
        (regs[1].code.as_str(), regs[1].note.as_str()),
        ("VE", "Bruiloft zus")
    );
}

#[test]
fn magister_geoorloofd_must_agree_with_the_code_table() {
    let text = MAGISTER.replace("SP;Spijbelen;Nee", "SP;Spijbelen;Ja");
    let (_, line, column, reason) = bad_row(read(&[("absenties.csv", &text)]));
    assert_eq!((line, column.as_str()), (2, "Geoorloofd"));
    assert!(reason.contains("ongeoorloofd in de codetabel"), "{reason}");
}

const SOMTODAY: &str = "\
leerlingnummer,beginDatumTijd,eindDatumTijd,beginLesuur,eindLesuur,absentieReden.afkorting,absentieReden.omschrijving,absentieReden.geoorloofd,afgehandeld
1005,2026-11-24T08:30:00.000+01:00,2026-11-26T16:00:00.000+01:00,1,8,ZK,Ziek,true,true
1004,2026-11-24T09:20:00.000+01:00,2026-11-24T10:10:00.000+01:00,2,2,TG,Te laat geoorloofd,true,false
";

#[test]
fn somtoday_export_with_comma_separator_splits_multi_day_absence() {
    let imported = read(&[("meldingen.csv", SOMTODAY)]).unwrap();
    assert_eq!(imported.files[0].format, Some(RegistrationFormat::Somtoday));
    let regs = &imported.batch.registrations;
    assert_eq!(regs.len(), 4);
    assert_eq!((regs[0].date, regs[0].start), (d(2026, 11, 24), t(8, 30)));
    assert_eq!(
        (regs[1].date, regs[1].start),
        (d(2026, 11, 25), NaiveTime::MIN)
    );
    assert_eq!((regs[2].date, regs[2].end), (d(2026, 11, 26), t(16, 0)));
    assert!(regs[..3].iter().all(|r| r.origin.line == 2));
    assert_eq!(
        (regs[3].code.as_str(), regs[3].start, regs[3].end),
        ("TG", t(9, 20), t(10, 10))
    );
}

#[test]
fn explicit_format_overrides_detection() {
    let mut importer = Importer::new(CodeTable::magister_default());
    let options = FileOptions {
        kind: Some(FileKind::Registrations),
        format: Some(RegistrationFormat::Verzuim),
    };
    let err = importer
        .read(
            "a.csv",
            Input::Bytes(SOMTODAY.as_bytes()),
            options,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(err, ImportError::BadRow { line: 1, .. }), "{err}");
}

#[test]
fn file_of_unknown_kind_is_refused_as_a_whole() {
    let err = read(&[("x.csv", "a;b\n1;2\n")]).unwrap_err();
    assert!(matches!(err, ImportError::File { .. }));
    assert!(
        err.to_string().starts_with("x.csv: kan niet bepalen"),
        "{err}"
    );
}

#[test]
fn non_utf8_field_is_reported_at_its_column() {
    let mut bytes =
        b"leerlingnummer;datum;begintijd;eindtijd;code;opmerking\n1001;2026-11-23;08:30;09:20;ZK;"
            .to_vec();
    bytes.extend_from_slice(b"caf\xe9\n");
    let mut importer = Importer::new(CodeTable::magister_default());
    let err = importer
        .read(
            "r.csv",
            Input::Bytes(&bytes),
            FileOptions::default(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("r.csv:2:opmerking: bevat tekens die geen UTF-8 zijn"),
        "{err}"
    );
}

#[test]
fn progress_is_reported_per_block_of_rows_and_at_the_end() {
    let mut text = String::from("leerlingnummer;datum;begintijd;eindtijd;code\n");
    for i in 0..20_000 {
        text.push_str(&format!("{};2026-11-23;08:30;09:20;ZK\n", 1000 + i % 50));
    }
    let mut importer = Importer::new(CodeTable::magister_default());
    let mut ticks = Vec::new();
    importer
        .read(
            "r.csv",
            Input::Bytes(text.as_bytes()),
            FileOptions::default(),
            &mut |p| ticks.push(p),
        )
        .unwrap();
    assert_eq!(
        ticks.iter().map(|p| p.rows).collect::<Vec<_>>(),
        vec![8192, 16384, 20_000]
    );
    let last = ticks.last().unwrap();
    assert_eq!(
        (last.done, last.total, last.kind),
        (
            text.len() as u64,
            text.len() as u64,
            FileKind::Registrations
        )
    );
}

#[test]
fn shipped_samples_read_into_one_batch() {
    let dir = samples();
    let names = [
        "verzuim/klassen.csv",
        "verzuim/personeel.csv",
        "verzuim/leerlingen.csv",
        "verzuim/rooster.csv",
        "verzuim/registraties.csv",
        "magister-absenties.csv",
        "somtoday-absentiemeldingen.csv",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let imported = read_files(&refs, &CodeTable::magister_default()).unwrap();
    let b = &imported.batch;
    assert_eq!(
        (
            b.groups.len(),
            b.staff.len(),
            b.students.len(),
            b.lessons.len(),
            b.registrations.len()
        ),
        (2, 4, 6, 10, 13)
    );
    let kinds: Vec<FileKind> = imported.files.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FileKind::Groups,
            FileKind::Staff,
            FileKind::Students,
            FileKind::Lessons,
            FileKind::Registrations,
            FileKind::Registrations,
            FileKind::Registrations
        ]
    );
    // The lesson-hour-only rows got their times from the timetable.
    assert!(b.registrations.iter().all(|r| r.end > r.start));
}

fn round_trip_batch() -> Batch {
    let student = |n: &str, bsn: &str, group: Option<&str>| BatchStudent {
        student: Student {
            student_number: n.into(),
            personal_number: PersonalNumber::parse(bsn).unwrap(),
            first_name: "Zoë".into(),
            name_prefix: "van 't".into(),
            last_name: "Hoff; de \"Jonge\"".into(),
            birth_date: d(2011, 2, 28),
            residence: group.map(|_| Gemeentecode::parse("0935").unwrap()),
            enrolled_from: d(2023, 8, 28),
            enrolled_until: group.map_or(Some(d(2026, 12, 31)), |_| None),
            start_qualification: group.is_none(),
            group: None,
            mentor: None,
        },
        group_code: group.map(str::to_owned),
        mentor_code: group.map(|_| "HOO".to_owned()),
        origin: Origin::default(),
    };
    Batch {
        groups: vec![Group {
            code: "2B".into(),
            year_level: 2,
            location: "00".into(),
        }],
        staff: vec![BatchStaff {
            staff: Staff {
                username: "j.hoogland".into(),
                name: "Jan Hoogland".into(),
                code: "HOO".into(),
                roles: vec![SchoolRole::Teacher, SchoolRole::AttendanceCoordinator],
            },
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            origin: Origin::default(),
        }],
        students: vec![
            student("1001", "999990007", Some("2B")),
            student("1002", "101222331", None),
        ],
        lessons: vec![BatchLesson {
            date: d(2026, 11, 23),
            period: 0,
            start: t(8, 30),
            end: t(9, 20),
            group_code: "2B".into(),
            teacher_code: None,
            subject: "NE".into(),
            origin: Origin::default(),
        }],
        registrations: vec![BatchRegistration {
            student_number: "1001".into(),
            date: d(2026, 11, 23),
            start: t(8, 30),
            end: NaiveTime::from_hms_opt(9, 20, 30).unwrap(),
            code: "TO".into(),
            note: "regel 1\nregel 2; \"citaat\"".into(),
            minutes_late: Some(7),
            origin: Origin::default(),
        }],
    }
}

fn without_origins(mut batch: Batch) -> Batch {
    batch
        .staff
        .iter_mut()
        .for_each(|s| s.origin = Origin::default());
    batch
        .students
        .iter_mut()
        .for_each(|s| s.origin = Origin::default());
    batch
        .lessons
        .iter_mut()
        .for_each(|s| s.origin = Origin::default());
    batch
        .registrations
        .iter_mut()
        .for_each(|s| s.origin = Origin::default());
    batch
}

#[test]
fn written_file_set_reads_back_to_the_same_batch() {
    let dir = tempfile::tempdir().unwrap();
    let batch = round_trip_batch();
    let paths = write_files(&batch, dir.path()).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "klassen.csv",
            "personeel.csv",
            "leerlingen.csv",
            "rooster.csv",
            "registraties.csv"
        ]
    );
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let read_back = read_files(&refs, &CodeTable::magister_default()).unwrap();
    assert_eq!(without_origins(read_back.batch), batch);
    // Origins point at the written files.
    let again = read_files(&refs, &CodeTable::magister_default()).unwrap();
    assert_eq!(again.batch.registrations[0].origin.line, 2);
    assert!(
        again.batch.registrations[0]
            .origin
            .file
            .ends_with("registraties.csv")
    );
}

/// Builds the spreadsheet sample: a Magister-style absence export as Excel writes it, with
/// real date-time cells and a numeric Stamnr.
fn magister_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 11, 25).unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("Absenties").unwrap();
    let date_format = Format::new().set_num_format("dd-mm-yyyy");
    let time_format = Format::new().set_num_format("dd-mm-yyyy hh:mm");
    let headers = [
        "Stamnr",
        "Datum",
        "Lesuur",
        "Start",
        "Eind",
        "Code",
        "Omschrijving",
        "Geoorloofd",
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    type Row<'a> = (f64, u8, (u8, u8), (u8, u8), &'a str, &'a str, bool);
    let rows: [Row<'_>; 3] = [
        (
            1001.0,
            1,
            (8, 30),
            (9, 20),
            "EA",
            "Excursie Maastricht",
            true,
        ),
        (
            1002.0,
            1,
            (8, 30),
            (9, 20),
            "TO",
            "Te laat ongeoorloofd",
            false,
        ),
        (1004.0, 2, (9, 20), (10, 10), "ST", "Stage", true),
    ];
    for (i, (stamnr, period, start, end, code, description, authorized)) in
        rows.into_iter().enumerate()
    {
        let r = i as u32 + 1;
        let day = ExcelDateTime::from_ymd(2026, 11, 25).unwrap();
        let at = |(h, m): (u8, u8)| {
            ExcelDateTime::from_ymd(2026, 11, 25)
                .unwrap()
                .and_hms(u16::from(h), m, 0)
                .unwrap()
        };
        sheet.write_number(r, 0, stamnr).unwrap();
        sheet
            .write_datetime_with_format(r, 1, &day, &date_format)
            .unwrap();
        sheet.write_number(r, 2, f64::from(period)).unwrap();
        sheet
            .write_datetime_with_format(r, 3, at(start), &time_format)
            .unwrap();
        sheet
            .write_datetime_with_format(r, 4, at(end), &time_format)
            .unwrap();
        sheet.write_string(r, 5, code).unwrap();
        sheet.write_string(r, 6, description).unwrap();
        sheet.write_boolean(r, 7, authorized).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_sample_reads_like_its_csv_counterpart_and_is_up_to_date() {
    let bytes = magister_xlsx();
    let mut importer = Importer::new(CodeTable::magister_default());
    let summary = importer
        .read(
            "magister-absenties.xlsx",
            Input::Bytes(&bytes),
            FileOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(
        (summary.kind, summary.format),
        (FileKind::Registrations, Some(RegistrationFormat::Magister))
    );
    let batch = importer.finish(&Known::default()).unwrap().batch;
    let r = &batch.registrations;
    assert_eq!(r.len(), 3);
    assert_eq!(
        (r[0].student_number.as_str(), r[0].date),
        ("1001", d(2026, 11, 25))
    );
    assert_eq!(
        (r[0].start, r[0].end, r[0].note.as_str()),
        (t(8, 30), t(9, 20), "Excursie Maastricht")
    );
    assert_eq!((r[2].code.as_str(), r[2].start), ("ST", t(9, 20)));
    assert_eq!(
        r[1].origin.line, 3,
        "spreadsheet rows are numbered like Excel's"
    );

    // The committed sample must be what this test builds; VERZUIM_BLESS=1 rewrites it.
    let path = samples().join("magister-absenties.xlsx");
    let committed = std::fs::read(&path).ok();
    if std::env::var_os("VERZUIM_BLESS").is_some() || committed.is_none() {
        std::fs::write(&path, &bytes).unwrap();
    } else {
        assert!(
            committed.as_deref() == Some(bytes.as_slice()),
            "{} is out of date: run with VERZUIM_BLESS=1",
            path.display()
        );
    }
    // And it reads from disk.
    let imported = read_files(&[path.as_path()], &CodeTable::magister_default()).unwrap();
    assert_eq!(imported.batch.registrations.len(), 3);
}

#[test]
fn every_column_and_alias_is_documented() {
    let doc = std::fs::read_to_string(samples().join("../import.md")).unwrap();
    for kind in FileKind::ALL {
        for format in RegistrationFormat::ALL {
            for column in kind.columns(format) {
                for name in std::iter::once(&column.key).chain(column.aliases) {
                    assert!(
                        doc.contains(&format!("`{name}`")),
                        "docs/import.md lacks `{name}` ({kind})"
                    );
                }
            }
        }
    }
}
