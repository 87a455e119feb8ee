//! The store's rules about registrations and the audit log, each told against both backends
//! (`<rule>::on_sqlite`, `<rule>::on_postgres`): a student has one standing registration per
//! lesson, a re-import does not double registrations, a form's edits are saved all or nothing,
//! the spans that overlap a lesson are found, and many reads are audited in one go.

// A test crate: its helpers outside `#[test]` functions may fail loudly too (clippy.toml
// only exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{bsn, d, origin, postgres_store, sqlite_store, staff, student, t};
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStudent, Brin, CodeTable, Group, LessonId, Region,
    Registration, RegistrationId, RegistrationTarget, School, SchoolRole, Sector, StaffId,
    StudentId,
};
use verzuim_store::{
    AuditAction, AuditEntry, RegistrationEdit, SchoolId, Store, StoreError, StudentQuery,
};

/// Generates `on_sqlite` and `on_postgres` tests in a module named after the rule.
macro_rules! on_both_backends {
    ($rule:ident) => {
        mod $rule {
            #[tokio::test]
            async fn on_sqlite() {
                let (store, _dir) = crate::sqlite_store().await;
                super::$rule(&store).await;
                store.close().await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some((store, schema)) = crate::postgres_store("rules").await else {
                    return;
                };
                super::$rule(&store).await;
                store.close().await;
                schema.drop().await;
            }
        }
    };
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
}

/// A small school: groups 1A (Anna, Bram) and 1B (Chris), a teacher and a receptionist, and
/// on Monday 23 November 2026 lessons 1A 08:30–09:20 and 09:20–10:10 and 1B 08:30–09:20.
struct Fixture {
    school: SchoolId,
    teacher: StaffId,
    reception: StaffId,
    anna: StudentId,
    bram: StudentId,
    chris: StudentId,
    first_1a: LessonId,
    second_1a: LessonId,
    first_1b: LessonId,
}

fn registration_row(
    number: &str,
    start: (u32, u32),
    end: (u32, u32),
    code: &str,
    line: u64,
) -> BatchRegistration {
    BatchRegistration {
        student_number: number.into(),
        date: d(2026, 11, 23),
        start: t(start.0, start.1),
        end: t(end.0, end.1),
        code: code.into(),
        note: String::new(),
        minutes_late: None,
        origin: origin("registraties.csv", line),
    }
}

fn people_and_timetable() -> Batch {
    people_and_timetable_of("12AB")
}

/// The fixture's batch; usernames are unique over all schools, so they carry the BRIN.
fn people_and_timetable_of(brin: &str) -> Batch {
    let bs = |number: &str, first: &str, group: &str, n: u32| BatchStudent {
        student: student(number, first, "", "Leerling", bsn(n)),
        group_code: Some(group.into()),
        mentor_code: None,
        origin: origin("leerlingen.csv", u64::from(n) + 1),
    };
    let lesson = |group: &str, period, start: (u32, u32), end: (u32, u32)| BatchLesson {
        date: d(2026, 11, 23),
        period,
        start: t(start.0, start.1),
        end: t(end.0, end.1),
        group_code: group.into(),
        teacher_code: Some("DOC".into()),
        subject: "NE".into(),
        origin: origin("rooster.csv", 2),
    };
    Batch {
        groups: ["1A", "1B"]
            .into_iter()
            .map(|code| Group {
                code: code.into(),
                year_level: 1,
                location: "00".into(),
            })
            .collect(),
        staff: vec![
            staff(
                &format!("docent-{brin}"),
                "Dirk Docent",
                "DOC",
                &[SchoolRole::Teacher],
            ),
            staff(
                &format!("receptie-{brin}"),
                "Rita Receptie",
                "REC",
                &[SchoolRole::Reception],
            ),
        ],
        students: vec![
            bs("1001", "Anna", "1A", 1),
            bs("1002", "Bram", "1A", 2),
            bs("1003", "Chris", "1B", 3),
        ],
        lessons: vec![
            lesson("1A", 1, (8, 30), (9, 20)),
            lesson("1A", 2, (9, 20), (10, 10)),
            lesson("1B", 1, (8, 30), (9, 20)),
        ],
        registrations: vec![],
    }
}

async fn fixture(store: &Store, brin: &str) -> Fixture {
    let school = School::new(
        Brin::parse(brin).unwrap(),
        "Regelschool",
        Sector::Vo,
        Region::Zuid,
        vec![],
    )
    .unwrap();
    let school = store.create_school(&school).await.unwrap();
    store
        .save_code_table(school, &CodeTable::magister_default())
        .await
        .unwrap();
    store
        .write_batch(school, &people_and_timetable_of(brin), at(7, 0), "import")
        .await
        .unwrap();
    let staff_id = |username: String| async move {
        store
            .staff_for_login(&username)
            .await
            .unwrap()
            .unwrap()
            .0
            .id
    };
    let student_id = |number: &'static str| async move {
        store
            .student_by_number(school, number)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let lessons = store.lessons_on(school, d(2026, 11, 23)).await.unwrap();
    let lesson = |group: &str, start: (u32, u32)| {
        lessons
            .iter()
            .find(|l| l.group_code == group && l.lesson.start == t(start.0, start.1))
            .unwrap()
            .id
    };
    Fixture {
        school,
        teacher: staff_id(format!("docent-{brin}")).await,
        reception: staff_id(format!("receptie-{brin}")).await,
        anna: student_id("1001").await,
        bram: student_id("1002").await,
        chris: student_id("1003").await,
        first_1a: lesson("1A", (8, 30)),
        second_1a: lesson("1A", (9, 20)),
        first_1b: lesson("1B", (8, 30)),
    }
}

fn on_lesson(student: StudentId, lesson: LessonId, code: &str, by: StaffId) -> Registration {
    Registration {
        student,
        target: RegistrationTarget::Lesson { lesson },
        code: code.into(),
        registered_by: Some(by),
        registered_at: at(8, 35),
        note: String::new(),
        minutes_late: None,
    }
}

fn span(
    student: StudentId,
    from: (u32, u32),
    to: (u32, u32),
    code: &str,
    by: StaffId,
) -> Registration {
    Registration {
        student,
        target: RegistrationTarget::Span {
            date: d(2026, 11, 23),
            start: t(from.0, from.1),
            end: t(to.0, to.1),
        },
        code: code.into(),
        registered_by: Some(by),
        registered_at: at(7, 55),
        note: String::new(),
        minutes_late: None,
    }
}

/// Every registration of the school, withdrawn ones included.
async fn all_registrations(store: &Store, f: &Fixture) -> usize {
    let mut n = 0;
    for s in [f.anna, f.bram, f.chris] {
        n += store
            .registrations_of_student(f.school, s)
            .await
            .unwrap()
            .len();
    }
    n
}

fn is_conflict_on(err: &StoreError, on: &str) -> bool {
    matches!(err, StoreError::Conflict { field, .. } if field == on)
}

// ----------------------------------------------------------------------------------------

async fn a_student_has_at_most_one_standing_registration_per_lesson(store: &Store) {
    let f = fixture(store, "12AB").await;
    let first = store
        .record_registration(
            f.school,
            &on_lesson(f.anna, f.first_1a, "ON", f.teacher),
            "docent",
        )
        .await
        .unwrap();
    // A second standing one for the same student and lesson is refused by the database's
    // partial unique index, whatever its code.
    let err = store
        .record_registration(
            f.school,
            &on_lesson(f.anna, f.first_1a, "TO", f.teacher),
            "docent",
        )
        .await
        .unwrap_err();
    assert!(is_conflict_on(&err, "les"), "{err}");
    assert!(err.to_string().contains("al een registratie"), "{err}");
    // Other students and other lessons are free.
    store
        .record_registration(
            f.school,
            &on_lesson(f.bram, f.first_1a, "ON", f.teacher),
            "docent",
        )
        .await
        .unwrap();
    store
        .record_registration(
            f.school,
            &on_lesson(f.anna, f.second_1a, "ON", f.teacher),
            "docent",
        )
        .await
        .unwrap();
    // Withdrawn rows stay for history and do not count: after withdrawing, a new one is fine.
    store
        .change_registration(
            f.school,
            first,
            None,
            "was er toch",
            f.teacher,
            "docent",
            at(8, 40),
        )
        .await
        .unwrap();
    let second = store
        .record_registration(
            f.school,
            &on_lesson(f.anna, f.first_1a, "TO", f.teacher),
            "docent",
        )
        .await
        .unwrap();
    assert_ne!(first, second);
    // Reviving the withdrawn one now would make two standing ones: refused, nothing changed.
    let err = store
        .change_registration(
            f.school,
            first,
            Some("ON"),
            "",
            f.teacher,
            "docent",
            at(8, 45),
        )
        .await
        .unwrap_err();
    assert!(is_conflict_on(&err, "les"), "{err}");
    let standing = store
        .registrations_for_lesson(f.school, f.first_1a)
        .await
        .unwrap();
    let of_anna: Vec<_> = standing
        .iter()
        .filter(|r| r.registration.student == f.anna)
        .collect();
    assert_eq!(of_anna.len(), 1, "{standing:?}");
    assert_eq!(of_anna[0].id, second);
    let history = store.history_of_student(f.school, f.anna).await.unwrap();
    assert!(
        history.iter().all(|h| h.change.changed_at != at(8, 45)),
        "the refused revival wrote no history: {history:?}"
    );
}
on_both_backends!(a_student_has_at_most_one_standing_registration_per_lesson);

async fn reimporting_the_same_registrations_does_not_double_them(store: &Store) {
    let f = fixture(store, "12AB").await;
    let mut batch = people_and_timetable();
    batch.registrations = vec![
        registration_row("1001", (8, 30), (9, 20), "ON", 2),
        registration_row("1002", (8, 30), (9, 20), "TO", 3),
        // A span (no lesson starts at 11:00).
        registration_row("1003", (11, 0), (12, 0), "ZK", 4),
    ];
    batch.registrations[1].minutes_late = Some(5);
    let first = store
        .write_batch(f.school, &batch, at(12, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            first.registrations,
            first.registrations_updated,
            first.registrations_skipped
        ),
        (3, 0, 0)
    );
    assert_eq!(all_registrations(store, &f).await, 3);

    // The same file again: nothing new, nothing changed.
    let again = store
        .write_batch(f.school, &batch, at(13, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            again.registrations,
            again.registrations_updated,
            again.registrations_skipped
        ),
        (0, 0, 3)
    );
    assert_eq!(all_registrations(store, &f).await, 3);
    let imports = store.audit_of_school(f.school, 1).await.unwrap();
    assert!(
        imports[0].detail.ends_with(
            "0 registraties; al aanwezig: 0 registraties bijgewerkt, 3 ongewijzigd overgeslagen"
        ),
        "{}",
        imports[0].detail
    );

    // A corrected export: Anna's ON became ZK with a note, Bram's minutes changed. The
    // standing registrations are changed in place, each with a history row by the import.
    let mut corrected = batch.clone();
    corrected.registrations[0].code = "ZK".into();
    corrected.registrations[0].note = "ouder belde".into();
    corrected.registrations[1].minutes_late = Some(12);
    let report = store
        .write_batch(f.school, &corrected, at(14, 0), "magister-import")
        .await
        .unwrap();
    assert_eq!(
        (
            report.registrations,
            report.registrations_updated,
            report.registrations_skipped
        ),
        (0, 2, 1)
    );
    assert_eq!(all_registrations(store, &f).await, 3);
    let of_anna = store
        .registrations_for_lesson(f.school, f.first_1a)
        .await
        .unwrap();
    let anna = of_anna
        .iter()
        .find(|r| r.registration.student == f.anna)
        .unwrap();
    assert_eq!(
        (
            anna.registration.code.as_str(),
            anna.registration.note.as_str()
        ),
        ("ZK", "ouder belde")
    );
    assert_eq!(
        anna.registration.registered_at,
        at(12, 0),
        "still the first import's"
    );
    let bram = of_anna
        .iter()
        .find(|r| r.registration.student == f.bram)
        .unwrap();
    assert_eq!(bram.registration.minutes_late, Some(12));
    let history = store.history_of_student(f.school, f.anna).await.unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(
        (
            history[0].change.old_code.as_deref(),
            history[0].change.new_code.as_deref(),
            history[0].change.new_note.as_str(),
            history[0].change.changed_by,
            history[0].changed_by_name.as_str(),
            history[0].change.changed_at,
        ),
        (
            Some("ON"),
            Some("ZK"),
            "ouder belde",
            None,
            "magister-import",
            at(14, 0)
        )
    );
    assert_eq!(history[1].changed_by_name, "import");

    // Within one batch: an exact repeat is skipped, a contradicting one refused with its line.
    let mut twice = corrected.clone();
    twice.registrations.push(corrected.registrations[0].clone());
    twice.registrations.push(corrected.registrations[2].clone());
    let report = store
        .write_batch(f.school, &twice, at(15, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            report.registrations,
            report.registrations_updated,
            report.registrations_skipped
        ),
        (0, 0, 5)
    );
    let mut contradicting = corrected.clone();
    let mut other = registration_row("1001", (8, 30), (9, 20), "SP", 9);
    other.note = "toch gespijbeld".into();
    contradicting.registrations.push(other);
    let err = store
        .write_batch(f.school, &contradicting, at(15, 0), "import")
        .await
        .unwrap_err();
    match &err {
        StoreError::Batch {
            origin,
            column,
            reason,
        } => {
            assert_eq!((origin.line, column.as_str()), (9, "begintijd"), "{err}");
            assert!(
                reason.contains("1001") && reason.contains("registraties.csv regel 2"),
                "{reason}"
            );
        }
        other => panic!("expected a batch error, got {other}"),
    }
    assert_eq!(
        all_registrations(store, &f).await,
        3,
        "nothing half-imported"
    );

    // A span is the same when student, date, start, end and code are; another code is not.
    let spans = Batch {
        registrations: vec![
            registration_row("1003", (11, 0), (12, 0), "ZK", 2),
            registration_row("1003", (11, 0), (12, 0), "MB", 3),
            registration_row("1003", (11, 0), (12, 30), "ZK", 4),
        ],
        ..Batch::default()
    };
    let report = store
        .write_batch(f.school, &spans, at(16, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            report.registrations,
            report.registrations_updated,
            report.registrations_skipped
        ),
        (2, 0, 1)
    );
    assert_eq!(all_registrations(store, &f).await, 5);

    // A registration someone withdrew (the student was there) is not standing: importing the
    // same row again records it anew, as the rule counts standing registrations only.
    let anna_id = anna.id;
    store
        .change_registration(f.school, anna_id, None, "", f.teacher, "docent", at(16, 30))
        .await
        .unwrap();
    let report = store
        .write_batch(f.school, &corrected, at(17, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            report.registrations,
            report.registrations_updated,
            report.registrations_skipped
        ),
        (1, 0, 2)
    );
    assert_eq!(all_registrations(store, &f).await, 6);
}
on_both_backends!(reimporting_the_same_registrations_does_not_double_them);

async fn a_lesson_forms_edits_are_saved_in_one_transaction_all_or_nothing(store: &Store) {
    let f = fixture(store, "12AB").await;
    let bram_on = store
        .record_registration(
            f.school,
            &on_lesson(f.bram, f.first_1a, "ON", f.teacher),
            "docent",
        )
        .await
        .unwrap();
    let record = |student: StudentId, code: &str, minutes: Option<u16>| RegistrationEdit::Record {
        student,
        target: RegistrationTarget::Lesson { lesson: f.first_1a },
        code: code.into(),
        note: String::new(),
        minutes_late: minutes,
    };
    let change_bram = RegistrationEdit::Change {
        id: bram_on,
        code: Some("TO".into()),
        note: "bus".into(),
        minutes_late: Some(7),
    };
    let audit_before = store
        .audit_of_student(f.school, f.bram)
        .await
        .unwrap()
        .len();

    // The last edit is refused (an unknown code): the first two must not be written either.
    let err = store
        .save_registrations(
            f.school,
            &[
                record(f.anna, "ON", None),
                change_bram.clone(),
                record(f.chris, "XX", None),
            ],
            f.teacher,
            "docent",
            at(8, 40),
        )
        .await
        .unwrap_err();
    assert!(is_conflict_on(&err, "code"), "{err}");
    assert!(
        store
            .registrations_of_student(f.school, f.anna)
            .await
            .unwrap()
            .is_empty(),
        "Anna's new registration was rolled back"
    );
    let bram = store
        .registrations_of_student(f.school, f.bram)
        .await
        .unwrap();
    assert_eq!(bram.len(), 1);
    assert_eq!(
        (
            bram[0].registration.code.as_str(),
            bram[0].registration.minutes_late
        ),
        ("ON", None),
        "Bram's change was rolled back"
    );
    assert_eq!(
        store
            .history_of_student(f.school, f.bram)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .audit_of_student(f.school, f.bram)
            .await
            .unwrap()
            .len(),
        audit_before
    );

    // A second standing registration within the same save is refused too, all or nothing.
    let err = store
        .save_registrations(
            f.school,
            &[record(f.anna, "ON", None), record(f.anna, "ZK", None)],
            f.teacher,
            "docent",
            at(8, 41),
        )
        .await
        .unwrap_err();
    assert!(is_conflict_on(&err, "les"), "{err}");
    assert!(
        store
            .registrations_of_student(f.school, f.anna)
            .await
            .unwrap()
            .is_empty()
    );

    // All valid: every edit is written, each with its history and audit row.
    let ids = store
        .save_registrations(
            f.school,
            &[record(f.anna, "ON", None), change_bram],
            f.teacher,
            "docent",
            at(8, 42),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[1], bram_on);
    let anna = store
        .registrations_of_student(f.school, f.anna)
        .await
        .unwrap();
    assert_eq!(anna.len(), 1);
    assert_eq!(anna[0].id, ids[0]);
    assert_eq!(anna[0].registration.registered_by, Some(f.teacher));
    assert_eq!(anna[0].registration.registered_at, at(8, 42));
    let bram = store
        .registrations_of_student(f.school, f.bram)
        .await
        .unwrap();
    assert_eq!(
        (
            bram[0].registration.code.as_str(),
            bram[0].registration.note.as_str(),
            bram[0].registration.minutes_late
        ),
        ("TO", "bus", Some(7))
    );
    let history = store.history_of_student(f.school, f.bram).await.unwrap();
    assert_eq!(
        (
            history[0].change.old_code.as_deref(),
            history[0].change.new_code.as_deref(),
            history[0].changed_by_name.as_str()
        ),
        (Some("ON"), Some("TO"), "Dirk Docent")
    );
    let audit = store.audit_of_student(f.school, f.anna).await.unwrap();
    assert_eq!(
        (audit[0].action, audit[0].detail.clone()),
        (AuditAction::Create, format!("registratie {}: ON", ids[0].0))
    );
    let audit = store.audit_of_student(f.school, f.bram).await.unwrap();
    assert_eq!(
        (audit[0].action, audit[0].detail.clone()),
        (
            AuditAction::Update,
            format!("registratie {}: ON → TO", bram_on.0)
        )
    );
    // Nothing to save is fine.
    assert!(
        store
            .save_registrations(f.school, &[], f.teacher, "docent", at(8, 43))
            .await
            .unwrap()
            .is_empty()
    );
}
on_both_backends!(a_lesson_forms_edits_are_saved_in_one_transaction_all_or_nothing);

async fn spans_that_overlap_a_lesson_are_found_for_its_groups_students(store: &Store) {
    let f = fixture(store, "12AB").await;
    let g = fixture(store, "34CD").await;
    let rec = |r: Registration| async move {
        store
            .record_registration(f.school, &r, "receptie")
            .await
            .unwrap()
    };
    // Anna is sick all day; Bram goes to the dentist after the first lesson (touching its end
    // is no overlap) and had an earlier report that was withdrawn; Chris (1B) is sick too.
    let sick = rec(span(f.anna, (8, 0), (16, 0), "ZK", f.reception)).await;
    let dentist = rec(span(f.bram, (9, 20), (10, 0), "MB", f.reception)).await;
    let withdrawn = rec(span(f.bram, (8, 0), (9, 0), "ZK", f.reception)).await;
    store
        .change_registration(
            f.school,
            withdrawn,
            None,
            "",
            f.reception,
            "receptie",
            at(8, 0),
        )
        .await
        .unwrap();
    rec(span(f.chris, (8, 0), (16, 0), "ZK", f.reception)).await;
    // Another day, and a registration tied to the lesson itself, are not spans of this lesson.
    let mut tuesday = span(f.anna, (8, 0), (16, 0), "ZK", f.reception);
    tuesday.target = RegistrationTarget::Span {
        date: d(2026, 11, 24),
        start: t(8, 0),
        end: t(16, 0),
    };
    rec(tuesday).await;
    rec(on_lesson(f.bram, f.first_1a, "ON", f.teacher)).await;

    let first = store
        .spans_overlapping_lesson(f.school, f.first_1a)
        .await
        .unwrap();
    assert_eq!(first.iter().map(|r| r.id).collect::<Vec<_>>(), [sick]);
    assert_eq!(
        (
            first[0].registration.code.as_str(),
            first[0].start,
            first[0].end,
            first[0].registered_by_name.as_deref()
        ),
        ("ZK", t(8, 0), t(16, 0), Some("Rita Receptie"))
    );
    let second = store
        .spans_overlapping_lesson(f.school, f.second_1a)
        .await
        .unwrap();
    let mut ids: Vec<RegistrationId> = second.iter().map(|r| r.id).collect();
    ids.sort();
    assert_eq!(ids, [sick, dentist]);
    let in_1b = store
        .spans_overlapping_lesson(f.school, f.first_1b)
        .await
        .unwrap();
    assert_eq!(in_1b.len(), 1);
    assert_eq!(in_1b[0].registration.student, f.chris);
    // Another school asking about this lesson, or its own, sees none of it.
    assert!(
        store
            .spans_overlapping_lesson(g.school, f.first_1a)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .spans_overlapping_lesson(g.school, g.first_1a)
            .await
            .unwrap()
            .is_empty()
    );
}
on_both_backends!(spans_that_overlap_a_lesson_are_found_for_its_groups_students);

async fn many_reads_are_audited_with_one_row_per_student(store: &Store) {
    let f = fixture(store, "12AB").await;
    let students = store
        .students(f.school, &StudentQuery::default())
        .await
        .unwrap();
    let entry = |student: Option<StudentId>, detail: &str| AuditEntry {
        at: at(9, 0),
        school: f.school,
        actor: Some(f.teacher),
        actor_label: "docent".into(),
        student,
        action: AuditAction::Read,
        detail: detail.into(),
    };
    let entries: Vec<AuditEntry> = students
        .iter()
        .map(|s| entry(Some(s.id), "leerlingenlijst"))
        .collect();
    store.append_audits(&entries).await.unwrap();
    for s in &students {
        let audit = store.audit_of_student(f.school, s.id).await.unwrap();
        assert_eq!(audit, [entry(Some(s.id), "leerlingenlijst")]);
    }
    store.append_audits(&[]).await.unwrap();

    // More than one statement's worth (1000 rows) is written too, all of it.
    let many: Vec<AuditEntry> = (0..2500)
        .map(|i| entry(Some(f.anna), &format!("lespagina {i}")))
        .collect();
    store.append_audits(&many).await.unwrap();
    assert_eq!(
        store
            .audit_of_student(f.school, f.anna)
            .await
            .unwrap()
            .len(),
        2501
    );
    assert_eq!(
        store
            .audit_of_student(f.school, f.bram)
            .await
            .unwrap()
            .len(),
        1
    );
}
on_both_backends!(many_reads_are_audited_with_one_row_per_student);
