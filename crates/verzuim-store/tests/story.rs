//! The store's story, told against both backends: a school is set up, an import writes its
//! people, timetable and registrations, people read and change registrations (history and
//! audit follow), a second school sees none of it, sessions expire, a bad import writes
//! nothing, and a bulk import is fast.

// A test crate: its helpers outside `#[test]` functions may fail loudly too (clippy.toml
// only exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use common::{d, generated_batch, origin, postgres_store, sqlite_store, staff, student, t};
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStudent, Brin, CodeTable, Group, Location,
    PersonalNumber, Region, Registration, RegistrationTarget, School, SchoolCalendar, SchoolRole,
    SchoolYear, Sector,
};
use verzuim_store::{
    AuditAction, AuditEntry, SchoolId, SessionRow, Store, StoreError, StudentQuery,
};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
}

fn school(brin: &str, name: &str) -> School {
    School::new(
        Brin::parse(brin).unwrap(),
        name,
        Sector::Vo,
        Region::Zuid,
        vec![
            Location {
                code: "00".into(),
                name: "Hoofdgebouw".into(),
            },
            Location {
                code: "01".into(),
                name: "Dependance".into(),
            },
        ],
    )
    .unwrap()
}

/// The import of the story: two groups, two staff, three students, three lessons on
/// Monday 23 November 2026 and four registrations.
fn first_import() -> Batch {
    let pn = |s: &str| PersonalNumber::parse(s).unwrap();
    let group = |code: &str, year| Group {
        code: code.into(),
        year_level: year,
        location: "00".into(),
    };
    let mut hoo = staff(
        "hoogland",
        "J. Hoogland",
        "HOO",
        &[SchoolRole::Teacher, SchoolRole::Mentor],
    );
    hoo.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
    let vc = staff(
        "vdberg",
        "M. van den Berg",
        "VC",
        &[SchoolRole::AttendanceCoordinator],
    );
    let bs = |s, group: &str, mentor: Option<&str>, line| BatchStudent {
        student: s,
        group_code: Some(group.into()),
        mentor_code: mentor.map(Into::into),
        origin: origin("leerlingen.csv", line),
    };
    let lesson = |group: &str, period, start, end, teacher: &str, subject: &str| BatchLesson {
        date: d(2026, 11, 23),
        period,
        start,
        end,
        group_code: group.into(),
        teacher_code: Some(teacher.into()),
        subject: subject.into(),
        origin: origin("rooster.csv", 2),
    };
    let reg = |number: &str, date, start, end, code: &str, line| BatchRegistration {
        student_number: number.into(),
        date,
        start,
        end,
        code: code.into(),
        note: String::new(),
        minutes_late: None,
        origin: origin("registraties.csv", line),
    };
    let mut late = reg("1001", d(2026, 11, 24), t(8, 30), t(9, 20), "TO", 5);
    late.minutes_late = Some(5);
    let mut anna = student("1001", "Anna", "van der", "Berg", pn("999996708"));
    anna.residence = Some(verzuim_domain::Gemeentecode::parse("0935").unwrap());
    Batch {
        groups: vec![group("1A", 1), group("2B", 2)],
        staff: vec![hoo, vc],
        students: vec![
            bs(anna, "1A", Some("HOO"), 2),
            bs(
                student("1002", "Bram", "de", "Vries", pn("999996630")),
                "1A",
                None,
                3,
            ),
            bs(
                student("1003", "Chris", "", "Jansen", pn("101222331")),
                "2B",
                Some("VC"),
                4,
            ),
        ],
        lessons: vec![
            lesson("1A", 1, t(8, 30), t(9, 20), "HOO", "NE"),
            lesson("1A", 2, t(9, 20), t(10, 10), "HOO", "EN"),
            lesson("2B", 1, t(8, 30), t(9, 20), "VC", "WI"),
        ],
        registrations: vec![
            reg("1001", d(2026, 11, 23), t(8, 30), t(9, 20), "ON", 2),
            reg("1002", d(2026, 11, 23), t(9, 20), t(10, 10), "ZK", 3),
            reg("1003", d(2026, 11, 23), t(11, 0), t(12, 0), "ZK", 4),
            late,
        ],
    }
}

async fn count_registrations(store: &Store, school: SchoolId) -> usize {
    store
        .registrations_between(school, d(2000, 1, 1), d(2100, 1, 1))
        .await
        .unwrap()
        .len()
}

async fn story(store: &Store) {
    // A school, and a second one that must see nothing of the first.
    let a = store
        .create_school(&school("12AB", "Het Verzuimcollege"))
        .await
        .unwrap();
    let b = store
        .create_school(&school("34CD", "De Andere School"))
        .await
        .unwrap();
    let err = store
        .create_school(&school("12AB", "Dubbel"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "brin"),
        "{err}"
    );
    let row = store.school(a).await.unwrap().unwrap();
    assert_eq!(row.school, school("12AB", "Het Verzuimcollege"));
    let by_brin = store
        .school_by_brin(&Brin::parse("12AB").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_brin.id, a);
    assert!(
        store
            .school_by_brin(&Brin::parse("99ZZ").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.school(SchoolId(999_999)).await.unwrap().is_none());

    // Calendar and code table.
    let year = SchoolYear::starting(2026);
    let mut calendar = SchoolCalendar::shipped(year, Region::Zuid).unwrap();
    calendar.extra_free_days = BTreeSet::from([d(2026, 10, 5)]);
    store.save_calendar(a, &calendar).await.unwrap();
    assert_eq!(
        store.calendar(a, year).await.unwrap().as_ref(),
        Some(&calendar)
    );
    calendar.extra_free_days.insert(d(2027, 5, 5));
    // The school's own periods are part of the calendar (issue 6).
    let calendar = calendar
        .with_periods(vec![
            verzuim_domain::SchoolPeriod {
                name: "periode 1".into(),
                first: d(2026, 8, 24),
                last: d(2026, 11, 13),
            },
            verzuim_domain::SchoolPeriod {
                name: "periode 2".into(),
                first: d(2026, 11, 16),
                last: d(2027, 2, 12),
            },
        ])
        .unwrap();
    store.save_calendar(a, &calendar).await.unwrap();
    assert_eq!(
        store.calendar(a, year).await.unwrap().as_ref(),
        Some(&calendar)
    );
    assert!(
        store
            .calendar(a, SchoolYear::starting(2027))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.calendar(b, year).await.unwrap().is_none());
    let table = CodeTable::magister_default();
    store.save_code_table(a, &table).await.unwrap();
    store.save_code_table(a, &table).await.unwrap();
    assert_eq!(store.code_table(a).await.unwrap(), table);
    assert!(store.code_table(b).await.unwrap().codes().is_empty());
    store.save_code_table(b, &table).await.unwrap();

    // The import.
    let report = store
        .write_batch(a, &first_import(), at(7, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        (
            report.groups,
            report.staff,
            report.students,
            report.lessons,
            report.registrations
        ),
        (2, 2, 3, 3, 4)
    );

    // Staff and groups.
    let groups = store.groups(a).await.unwrap();
    assert_eq!(
        groups
            .iter()
            .map(|g| g.group.code.as_str())
            .collect::<Vec<_>>(),
        ["1A", "2B"]
    );
    let (hoo, hash) = store.staff_for_login("hoogland").await.unwrap().unwrap();
    assert_eq!(hoo.school, a);
    assert_eq!(hoo.staff.roles, [SchoolRole::Teacher, SchoolRole::Mentor]);
    assert!(hash.unwrap().starts_with("$argon2id$"));
    let (vc, vc_hash) = store.staff_for_login("vdberg").await.unwrap().unwrap();
    assert!(vc_hash.is_none());
    assert!(store.staff_for_login("niemand").await.unwrap().is_none());
    assert_eq!(store.staff_member(a, hoo.id).await.unwrap().unwrap(), hoo);
    assert_eq!(store.staff_by_id(hoo.id).await.unwrap().unwrap(), hoo);
    let names: Vec<String> = store
        .staff_list(a)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.staff.name)
        .collect();
    assert_eq!(names, ["J. Hoogland", "M. van den Berg"]);
    store
        .set_password_hash(a, vc.id, "$argon2id$nieuw")
        .await
        .unwrap();
    assert_eq!(
        store
            .staff_for_login("vdberg")
            .await
            .unwrap()
            .unwrap()
            .1
            .as_deref(),
        Some("$argon2id$nieuw")
    );

    // Students: search, order, paging, counts.
    let all = StudentQuery::default();
    let listed = store.students(a, &all).await.unwrap();
    let last_names: Vec<&str> = listed
        .iter()
        .map(|s| s.student.last_name.as_str())
        .collect();
    assert_eq!(last_names, ["Berg", "Jansen", "Vries"]);
    assert_eq!(store.count_students(a, &all).await.unwrap(), 3);
    let search = |s: &str| StudentQuery {
        search: Some(s.into()),
        ..StudentQuery::default()
    };
    let found = store.students(a, &search("BRAM")).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].student.first_name, "Bram");
    assert_eq!(store.count_students(a, &search("berg")).await.unwrap(), 1);
    assert_eq!(store.count_students(a, &search("100")).await.unwrap(), 3);
    assert_eq!(store.count_students(a, &search("1003")).await.unwrap(), 1);
    assert_eq!(store.count_students(a, &search("%")).await.unwrap(), 0);
    let group_1a = groups[0].id;
    let in_1a = StudentQuery {
        group: Some(group_1a),
        ..StudentQuery::default()
    };
    assert_eq!(store.count_students(a, &in_1a).await.unwrap(), 2);
    let page = StudentQuery {
        limit: 1,
        offset: 1,
        ..StudentQuery::default()
    };
    let page = store.students(a, &page).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].student.last_name, "Jansen");
    let anna = listed[0].clone();
    assert_eq!(anna.group_code.as_deref(), Some("1A"));
    assert_eq!(anna.mentor_name.as_deref(), Some("J. Hoogland"));
    assert_eq!(anna.student.mentor, Some(hoo.id));
    assert_eq!(
        anna.student.residence.as_ref().map(|r| r.as_str()),
        Some("0935")
    );
    assert_eq!(store.student(a, anna.id).await.unwrap().unwrap(), anna);
    assert_eq!(
        store
            .student_by_number(a, "1001")
            .await
            .unwrap()
            .unwrap()
            .id,
        anna.id
    );
    let chris = listed[1].clone();
    assert!(matches!(
        chris.student.personal_number,
        PersonalNumber::Onderwijsnummer(_)
    ));
    let in_group = store.students_in_group(a, group_1a).await.unwrap();
    assert_eq!(
        in_group
            .iter()
            .map(|s| s.student.first_name.as_str())
            .collect::<Vec<_>>(),
        ["Anna", "Bram"]
    );
    let bram = in_group[1].clone();

    // Lessons.
    let monday = d(2026, 11, 23);
    let lessons = store.lessons_on(a, monday).await.unwrap();
    assert_eq!(lessons.len(), 3);
    assert_eq!(
        lessons
            .iter()
            .map(|l| (l.group_code.as_str(), l.lesson.period))
            .collect::<Vec<_>>(),
        [("1A", 1), ("2B", 1), ("1A", 2)]
    );
    let of_hoo = store
        .lessons_of_teacher_on(a, hoo.id, monday)
        .await
        .unwrap();
    assert_eq!(of_hoo.len(), 2);
    assert_eq!(of_hoo[0].teacher_code.as_deref(), Some("HOO"));
    let first_lesson = of_hoo[0].clone();
    assert_eq!(
        store.lesson(a, first_lesson.id).await.unwrap().unwrap(),
        first_lesson
    );
    assert_eq!(
        store
            .lessons_between(a, monday, monday)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.groups_taught_by(a, hoo.id).await.unwrap(), [group_1a]);

    // Registrations as imported: tied to the lesson when the group has one then, else a span.
    let of_anna = store.registrations_of_student(a, anna.id).await.unwrap();
    assert_eq!(of_anna.len(), 2);
    assert_eq!(
        (of_anna[0].date, of_anna[0].registration.code.as_str()),
        (d(2026, 11, 24), "TO")
    );
    assert_eq!(of_anna[0].registration.minutes_late, Some(5));
    assert!(matches!(
        of_anna[0].registration.target,
        RegistrationTarget::Span { .. }
    ));
    let on = of_anna[1].clone();
    assert_eq!(
        on.registration.target,
        RegistrationTarget::Lesson {
            lesson: first_lesson.id
        }
    );
    assert_eq!(on.lesson, Some(("NE".to_owned(), 1)));
    assert_eq!(on.registration.registered_at, at(7, 0));
    assert!(on.registration.registered_by.is_none() && !on.withdrawn);
    let of_chris = store.registrations_of_student(a, chris.id).await.unwrap();
    assert_eq!(
        of_chris[0].registration.target,
        RegistrationTarget::Span {
            date: monday,
            start: t(11, 0),
            end: t(12, 0)
        }
    );
    assert_eq!(
        store
            .registrations_for_lesson(a, first_lesson.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .registrations_between(a, monday, monday)
            .await
            .unwrap()
            .len(),
        3
    );
    let history = store.history_of_student(a, anna.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .all(|h| h.changed_by_name == "import" && h.change.old_code.is_none())
    );
    let mut codes: Vec<_> = history
        .iter()
        .filter_map(|h| h.change.new_code.as_deref())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["ON", "TO"]);

    // A person records a registration: history and audit in the same transaction.
    let sick = Registration {
        student: bram.id,
        target: RegistrationTarget::Span {
            date: d(2026, 11, 24),
            start: t(13, 0),
            end: t(14, 0),
        },
        code: "SP".into(),
        registered_by: Some(vc.id),
        registered_at: at(10, 0),
        note: "niet op school gezien".into(),
        minutes_late: None,
    };
    let sick_id = store.record_registration(a, &sick, "vdberg").await.unwrap();
    let of_bram = store.registrations_of_student(a, bram.id).await.unwrap();
    assert_eq!(of_bram[0].id, sick_id);
    assert_eq!(of_bram[0].registration, sick);
    assert_eq!(
        of_bram[0].registered_by_name.as_deref(),
        Some("M. van den Berg")
    );
    let audit = store.audit_of_student(a, bram.id).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action, audit[0].actor),
        (AuditAction::Create, Some(vc.id))
    );
    assert_eq!(audit[0].detail, format!("registratie {}: SP", sick_id.0));
    let before = count_registrations(store, a).await;
    let mut unknown = sick.clone();
    unknown.code = "XX".into();
    let err = store
        .record_registration(a, &unknown, "vdberg")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "code"),
        "{err}"
    );
    assert_eq!(count_registrations(store, a).await, before);
    let mut lesson_reg = sick.clone();
    lesson_reg.target = RegistrationTarget::Lesson {
        lesson: first_lesson.id,
    };
    lesson_reg.code = "ON".into();
    let lesson_reg_id = store
        .record_registration(a, &lesson_reg, "vdberg")
        .await
        .unwrap();
    let with_lesson = store.registrations_of_student(a, bram.id).await.unwrap();
    let stored = with_lesson.iter().find(|r| r.id == lesson_reg_id).unwrap();
    assert_eq!(
        (stored.date, stored.start, stored.end),
        (monday, t(8, 30), t(9, 20))
    );

    // Someone changes the imported ON into SP, then withdraws it.
    store
        .change_registration(
            a,
            on.id,
            Some("SP"),
            "gebeld met ouders",
            vc.id,
            "vdberg",
            at(11, 0),
        )
        .await
        .unwrap();
    let history = store.history_of_student(a, anna.id).await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].changed_by_name, "M. van den Berg");
    assert_eq!(history[0].change.changed_by, Some(vc.id));
    assert_eq!(
        (
            history[0].change.old_code.as_deref(),
            history[0].change.new_code.as_deref()
        ),
        (Some("ON"), Some("SP"))
    );
    assert_eq!(
        (
            history[0].change.old_note.as_str(),
            history[0].change.new_note.as_str()
        ),
        ("", "gebeld met ouders")
    );
    assert_eq!(history[0].date, monday);
    let audit = store.audit_of_student(a, anna.id).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::Update);
    assert_eq!(audit[0].detail, format!("registratie {}: ON → SP", on.id.0));
    let err = store
        .change_registration(a, on.id, Some("XX"), "", vc.id, "vdberg", at(11, 5))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { field, .. } if field == "code"),
        "{err}"
    );
    store
        .change_registration(
            a,
            on.id,
            None,
            "was er toch",
            hoo.id,
            "hoogland",
            at(11, 30),
        )
        .await
        .unwrap();
    let of_anna = store.registrations_of_student(a, anna.id).await.unwrap();
    let withdrawn = of_anna.iter().find(|r| r.id == on.id).unwrap();
    assert!(withdrawn.withdrawn);
    assert_eq!(withdrawn.registration.code, "SP");
    assert_eq!(withdrawn.registration.note, "was er toch");
    assert!(
        store
            .registrations_for_lesson(a, first_lesson.id)
            .await
            .unwrap()
            .iter()
            .all(|r| r.id != on.id)
    );
    let history = store.history_of_student(a, anna.id).await.unwrap();
    assert_eq!(
        (
            history[0].change.old_code.as_deref(),
            history[0].change.new_code.as_deref()
        ),
        (Some("SP"), None)
    );
    assert_eq!(history[0].changed_by_name, "J. Hoogland");
    let audit = store.audit_of_student(a, anna.id).await.unwrap();
    assert_eq!(
        audit[0].detail,
        format!("registratie {}: SP → (ingetrokken)", on.id.0)
    );
    // Late arrival with minutes; a later change keeps them unless told otherwise.
    let late = of_anna
        .iter()
        .find(|r| r.registration.code == "TO")
        .unwrap()
        .id;
    store
        .change_registration_with_minutes(
            a,
            late,
            Some("TO"),
            "",
            Some(12),
            vc.id,
            "vdberg",
            at(12, 0),
        )
        .await
        .unwrap();
    store
        .change_registration(a, late, Some("TG"), "bus", vc.id, "vdberg", at(12, 5))
        .await
        .unwrap();
    let of_anna = store.registrations_of_student(a, anna.id).await.unwrap();
    let late_row = of_anna.iter().find(|r| r.id == late).unwrap();
    assert_eq!(
        (
            late_row.registration.code.as_str(),
            late_row.registration.minutes_late
        ),
        ("TG", Some(12))
    );

    // A read is audited by the caller.
    store
        .append_audit(&AuditEntry {
            at: at(12, 30),
            school: a,
            actor: Some(hoo.id),
            actor_label: "hoogland".into(),
            student: Some(anna.id),
            action: AuditAction::Read,
            detail: "leerlingpagina".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.audit_of_student(a, anna.id).await.unwrap()[0].action,
        AuditAction::Read
    );
    let imports = store.audit_of_school(a, 10).await.unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].action, AuditAction::Import);
    assert_eq!(
        imports[0].detail,
        "import: 2 klassen, 2 medewerkers, 3 leerlingen, 3 lessen, 4 registraties"
    );

    // Tenant isolation: school B asks for school A's data and gets nothing.
    assert!(store.student(b, anna.id).await.unwrap().is_none());
    assert!(store.students(b, &all).await.unwrap().is_empty());
    assert_eq!(store.count_students(b, &all).await.unwrap(), 0);
    assert!(
        store
            .registrations_of_student(b, anna.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .history_of_student(b, anna.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.audit_of_student(b, anna.id).await.unwrap().is_empty());
    assert!(store.lesson(b, first_lesson.id).await.unwrap().is_none());
    assert!(store.lessons_on(b, monday).await.unwrap().is_empty());
    assert!(
        store
            .registrations_for_lesson(b, first_lesson.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .registrations_between(b, monday, monday)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.staff_member(b, hoo.id).await.unwrap().is_none());
    assert!(store.staff_list(b).await.unwrap().is_empty());
    assert!(store.groups(b).await.unwrap().is_empty());
    assert!(
        store
            .students_in_group(b, group_1a)
            .await
            .unwrap()
            .is_empty()
    );
    let err = store.set_password_hash(b, hoo.id, "x").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let err = store
        .change_registration(b, sick_id, Some("ZK"), "", hoo.id, "hoogland", at(13, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let mut foreign = sick.clone();
    foreign.registered_by = None;
    let err = store
        .record_registration(b, &foreign, "x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    // B's import cannot point at A's groups or staff either.
    let mut b_batch = Batch::default();
    b_batch.students.push(BatchStudent {
        student: student(
            "1001",
            "Ander",
            "",
            "Kind",
            PersonalNumber::parse("111222333").unwrap(),
        ),
        group_code: Some("1A".into()),
        mentor_code: None,
        origin: origin("b.csv", 2),
    });
    let err = store
        .write_batch(b, &b_batch, at(13, 0), "import")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Batch { column, .. } if column == "klas"),
        "{err}"
    );
    // The same username in another school is refused; the same student number is fine.
    let mut b_batch = Batch::default();
    b_batch.staff.push(staff(
        "hoogland",
        "Andere Hoogland",
        "HOO",
        &[SchoolRole::Teacher],
    ));
    let err = store
        .write_batch(b, &b_batch, at(13, 0), "import")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Batch { column, .. } if column == "gebruikersnaam"),
        "{err}"
    );
    b_batch.staff[0].staff.username = "hoogland-b".into();
    b_batch.students.push(BatchStudent {
        student: student(
            "1001",
            "Ander",
            "",
            "Kind",
            PersonalNumber::parse("111222333").unwrap(),
        ),
        group_code: None,
        mentor_code: Some("HOO".into()),
        origin: origin("b.csv", 2),
    });
    store
        .write_batch(b, &b_batch, at(13, 0), "import")
        .await
        .unwrap();
    assert_eq!(
        store
            .student_by_number(b, "1001")
            .await
            .unwrap()
            .unwrap()
            .student
            .first_name,
        "Ander"
    );
    assert_eq!(
        store
            .student_by_number(a, "1001")
            .await
            .unwrap()
            .unwrap()
            .student
            .first_name,
        "Anna"
    );

    // Sessions: found until they expire, then cleaned up.
    let session = SessionRow {
        token_hash: "a".repeat(64),
        staff: hoo.id,
        csrf_token: "csrf".into(),
        created_at: at(8, 0),
        expires_at: at(9, 0),
    };
    store.create_session(&session).await.unwrap();
    let err = store.create_session(&session).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(
        store.session(&session.token_hash, at(8, 59)).await.unwrap(),
        Some(session.clone())
    );
    let (s, st) = store
        .session_with_staff(&session.token_hash, at(8, 30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s, st.id, st.school), (session.clone(), hoo.id, a));
    assert!(
        store
            .session(&session.token_hash, at(9, 0))
            .await
            .unwrap()
            .is_none()
    );
    let other = SessionRow {
        token_hash: "b".repeat(64),
        expires_at: at(23, 0),
        ..session.clone()
    };
    store.create_session(&other).await.unwrap();
    assert_eq!(store.delete_expired_sessions(at(10, 0)).await.unwrap(), 1);
    assert!(
        store
            .session(&other.token_hash, at(10, 0))
            .await
            .unwrap()
            .is_some()
    );
    store.delete_session(&other.token_hash).await.unwrap();
    assert!(
        store
            .session(&other.token_hash, at(10, 0))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("bestaat-niet").await.unwrap();

    // Login throttling.
    store
        .record_login_failure("hoogland", at(8, 0))
        .await
        .unwrap();
    store
        .record_login_failure("hoogland", at(8, 1))
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures_since("hoogland", at(8, 1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .login_failures_since("hoogland", at(7, 0))
            .await
            .unwrap(),
        2
    );
    store.clear_login_failures("hoogland").await.unwrap();
    assert_eq!(
        store
            .login_failures_since("hoogland", at(7, 0))
            .await
            .unwrap(),
        0
    );

    // A bad import writes nothing and names file, line and column.
    let registrations_before = count_registrations(store, a).await;
    let mut bad = Batch::default();
    bad.groups.push(Group {
        code: "3C".into(),
        year_level: 3,
        location: "00".into(),
    });
    bad.students.push(BatchStudent {
        student: student(
            "1004",
            "Dirk",
            "",
            "Nieuw",
            PersonalNumber::parse("111222333").unwrap(),
        ),
        group_code: Some("3C".into()),
        mentor_code: None,
        origin: origin("leerlingen.csv", 2),
    });
    for (line, number) in [(2, "1004"), (3, "1001"), (7, "9999")] {
        bad.registrations.push(BatchRegistration {
            student_number: number.into(),
            date: monday,
            start: t(8, 30),
            end: t(9, 20),
            code: "ON".into(),
            note: String::new(),
            minutes_late: None,
            origin: origin("registraties.csv", line),
        });
    }
    let err = store
        .write_batch(a, &bad, at(14, 0), "import")
        .await
        .unwrap_err();
    match &err {
        StoreError::Batch {
            origin,
            column,
            reason,
        } => {
            assert_eq!(
                (origin.file.as_str(), origin.line, column.as_str()),
                ("registraties.csv", 7, "leerlingnummer")
            );
            assert!(reason.contains("9999"), "{reason}");
        }
        other => panic!("expected a batch error, got {other}"),
    }
    assert!(
        err.to_string()
            .starts_with("registraties.csv:7: leerlingnummer: "),
        "{err}"
    );
    assert!(store.student_by_number(a, "1004").await.unwrap().is_none());
    assert_eq!(store.groups(a).await.unwrap().len(), 2);
    assert_eq!(count_registrations(store, a).await, registrations_before);
    assert_eq!(store.audit_of_school(a, 10).await.unwrap().len(), 1);
    let mut bad = first_import();
    bad.lessons[1].teacher_code = Some("XYZ".into());
    bad.lessons[1].origin = origin("rooster.csv", 9);
    let err = store
        .write_batch(a, &bad, at(14, 0), "import")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Batch { origin, column, .. } if column == "docent" && origin.line == 9),
        "{err}"
    );
    let mut bad = first_import();
    bad.students.push(bad.students[0].clone());
    let err = store
        .write_batch(a, &bad, at(14, 0), "import")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Batch { column, .. } if column == "leerlingnummer"),
        "{err}"
    );
    assert_eq!(count_registrations(store, a).await, registrations_before);

    // Importing the same people and timetable again updates them in place.
    let mut again = first_import();
    again.registrations.clear();
    again.students[1].student.first_name = "Bram-Jan".into();
    store
        .write_batch(a, &again, at(15, 0), "import")
        .await
        .unwrap();
    assert_eq!(store.count_students(a, &all).await.unwrap(), 3);
    assert_eq!(
        store
            .student(a, bram.id)
            .await
            .unwrap()
            .unwrap()
            .student
            .first_name,
        "Bram-Jan"
    );
    assert_eq!(store.lessons_on(a, monday).await.unwrap().len(), 3);
    assert_eq!(
        store
            .staff_for_login("hoogland")
            .await
            .unwrap()
            .unwrap()
            .0
            .id,
        hoo.id
    );

    // Concurrent writers wait for each other instead of failing ("database is locked").
    let bram_before = store
        .registrations_of_student(a, bram.id)
        .await
        .unwrap()
        .len();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            let mut r = sick.clone();
            r.target = RegistrationTarget::Span {
                date: d(2026, 11, 25),
                start: t(8, i),
                end: t(9, i),
            };
            r.note = format!("gelijktijdig {i}");
            tokio::spawn(async move {
                let id = store.record_registration(a, &r, "vdberg").await?;
                store
                    .change_registration(
                        a,
                        id,
                        Some("ZK"),
                        "ziek",
                        r.registered_by.unwrap(),
                        "vdberg",
                        at(15, 0),
                    )
                    .await?;
                store
                    .registrations_of_student(a, r.student)
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        store
            .registrations_of_student(a, bram.id)
            .await
            .unwrap()
            .len(),
        bram_before + 16
    );

    // Bulk: 20 000 registrations in one batch.
    let c = store
        .create_school(&school("56EF", "Bulkschool"))
        .await
        .unwrap();
    store.save_code_table(c, &table).await.unwrap();
    let bulk = generated_batch("B", 10, d(2026, 11, 2), 20_000);
    let started = Instant::now();
    let report = store
        .write_batch(c, &bulk, at(16, 0), "import")
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!((report.students, report.registrations), (300, 20_000));
    let written = store
        .registrations_between(c, d(2026, 11, 1), d(2026, 12, 31))
        .await
        .unwrap();
    assert_eq!(written.len(), 20_000);
    let tied = written.iter().filter(|r| r.lesson.is_some()).count();
    assert_eq!(
        tied, 18_000,
        "nine in ten registrations start when a lesson does"
    );
    let someone = written[0].registration.student;
    let history = store.history_of_student(c, someone).await.unwrap();
    assert_eq!(
        history.len(),
        store
            .registrations_of_student(c, someone)
            .await
            .unwrap()
            .len()
    );
    assert!(
        history
            .iter()
            .all(|h| h.change.old_code.is_none() && h.change.new_code.as_deref() == Some("ON"))
    );
    println!(
        "  bulk write_batch on {}: 20000 registrations in {:.2?} ({:.0} rows/s)",
        store.dialect().name(),
        elapsed,
        20_000.0 / elapsed.as_secs_f64()
    );
}

#[tokio::test]
async fn story_on_sqlite() {
    let (store, _dir) = sqlite_store().await;
    story(&store).await;
    store.close().await;
    println!("store story on SQLite: ok");
}

#[tokio::test]
async fn story_on_postgres() {
    let Some((store, schema)) = postgres_store("story").await else {
        return;
    };
    story(&store).await;
    store.close().await;
    schema.drop().await;
    println!("store story on PostgreSQL: ok");
}
