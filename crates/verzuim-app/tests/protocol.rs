//! The school's protocol in the app, on SQLite and PostgreSQL: a small hand-built school (two
//! classes, a verzuimcoördinator, two mentors, two docenten, a teamleider, and another school)
//! with a small test protocol, and the shipped VMBO Maastricht preset on the same school.
//!
//! Every test runs the same scenario on both databases. PostgreSQL: `VERZUIM_TEST_PG_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`), `VERZUIM_SKIP_POSTGRES=1` skips it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use verzuim_app::App;
use verzuim_app::protocol::{
    ProtocolTask, ProtocolUseCaseError, TASKS_PER_PAGE, TaskFilter, TaskPage, TaskQuery, TaskStatus,
};
use verzuim_app::school::{Actor, SchoolError};
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStaff, BatchStudent, Brin, CodeTable, Group,
    Location, Origin, PersonalNumber, Region, School, SchoolCalendar, SchoolPeriod, SchoolRole,
    SchoolYear, Sector, Staff, Student, StudentId,
};
use verzuim_protocol::Role;
use verzuim_store::{
    AuditAction, NewProtocolStep, NewProtocolTask, SchoolId, Store, create_postgres_schema,
    drop_postgres_schema,
};

/// A small protocol with every kind of role the inbox rules tell apart: a counted step per
/// period with a mentor, an external (leerplichtambtenaar) and a teamleider task; a higher
/// rung; a per-removal step for the docent; and a manual step.
const TEST_PROTOCOL: &str = r#"
[protocol]
name = "Testprotocol"

[[counter]]
name = "te_laat"
label = "te laat"
codes = ["TO"]
unit = "events"

[[counter]]
name = "uitgestuurd"
label = "uit de les verwijderd"
kind = "removal"
unit = "events"

[[window]]
name = "periode"
type = "period"

[[window]]
name = "elke-verwijdering"
type = "per_event"
counter = "uitgestuurd"

[[step]]
id = "laat-2"
ladder = "te laat"
title = "2× te laat"
window = "periode"
when = { at_least = { counter = "te_laat", value = 2 } }
letter = "te-laat-ouders"
sanction = { detention = { lesuren = 1 } }

[[step.action]]
role = "mentor"
text = "Gesprek met de leerling."
within_school_days = 2

[[step.action]]
role = "leerplichtambtenaar"
text = "Preventief gesprek."
within_school_days = 10

[[step.action]]
role = "teamleider"
text = "Op de hoogte brengen."

[[step]]
id = "laat-3"
ladder = "te laat"
title = "3× te laat"
window = "periode"
when = { at_least = { counter = "te_laat", value = 3 } }
propose_melding = "O"

[[step.action]]
role = "mentor"
text = "Bel de ouders."
within_school_days = 1

[[step]]
id = "verwijderd"
ladder = "uit de les"
title = "Uit de les verwijderd"
window = "elke-verwijdering"
when = { at_least = { counter = "uitgestuurd", value = 1 } }

[[step.action]]
role = "docent"
text = "Gesprek met de leerling na de les."
within_school_days = 1

[[step]]
id = "gedrag-verandert-niet"
ladder = "te laat"
title = "Gedrag verandert niet"
manual = true

[[step.action]]
role = "verzuimcoordinator"
text = "Gesprek met leerling en ouders."
within_school_days = 5
"#;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

/// Monday 23 November 2026.
fn today() -> NaiveDate {
    d(2026, 11, 23)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap()
}

/// The protocol applies from the start of the second block.
fn active_from() -> NaiveDate {
    d(2026, 11, 2)
}

fn origin() -> Origin {
    Origin {
        file: "tests/protocol.rs".to_owned(),
        line: 0,
    }
}

fn staff(username: &str, name: &str, code: &str, roles: Vec<SchoolRole>) -> BatchStaff {
    BatchStaff {
        staff: Staff {
            username: username.to_owned(),
            name: name.to_owned(),
            code: code.to_owned(),
            roles,
        },
        password_hash: None,
        origin: origin(),
    }
}

fn student(
    number: &str,
    first: &str,
    prefix: &str,
    last: &str,
    group: &str,
    mentor: &str,
    seed: u32,
) -> BatchStudent {
    BatchStudent {
        student: Student {
            student_number: number.to_owned(),
            personal_number: PersonalNumber::parse(&verzuim_demo::test_bsn(seed)).unwrap(),
            first_name: first.to_owned(),
            name_prefix: prefix.to_owned(),
            last_name: last.to_owned(),
            birth_date: d(2013, 5, seed % 28 + 1),
            residence: None,
            enrolled_from: d(2025, 8, 25),
            enrolled_until: None,
            start_qualification: false,
            group: None,
            mentor: None,
        },
        group_code: Some(group.to_owned()),
        mentor_code: Some(mentor.to_owned()),
        origin: origin(),
    }
}

/// The first lesson of the day for `group`, 08:30–09:20.
fn lesson(date: NaiveDate, group: &str, teacher: &str, subject: &str) -> BatchLesson {
    BatchLesson {
        date,
        period: 1,
        start: t(8, 30),
        end: t(9, 20),
        group_code: group.to_owned(),
        teacher_code: Some(teacher.to_owned()),
        subject: subject.to_owned(),
        origin: origin(),
    }
}

/// A registration for the first lesson of `date`.
fn reg(number: &str, date: NaiveDate, code: &str) -> BatchRegistration {
    BatchRegistration {
        student_number: number.to_owned(),
        date,
        start: t(8, 30),
        end: t(9, 20),
        code: code.to_owned(),
        note: String::new(),
        minutes_late: None,
        origin: origin(),
    }
}

/// A registration over a span of the day (a sick report from reception).
fn span(number: &str, date: NaiveDate, code: &str) -> BatchRegistration {
    BatchRegistration {
        start: t(8, 0),
        end: t(16, 0),
        ..reg(number, date, code)
    }
}

fn school(brin: &str, name: &str) -> School {
    School::new(
        Brin::parse(brin).unwrap(),
        name,
        Sector::Vo,
        Region::Zuid,
        vec![Location {
            code: "00".to_owned(),
            name: "Hoofdgebouw".to_owned(),
        }],
    )
    .unwrap()
}

/// Lesson days of the fixture: two in block 1 (before the protocol applies), a week in block 2.
fn lesson_days() -> Vec<NaiveDate> {
    let mut days = vec![d(2026, 10, 5), d(2026, 10, 6)];
    days.extend((16..=20).map(|n| d(2026, 11, n)));
    days.extend((23..=27).map(|n| d(2026, 11, n)));
    days
}

struct World {
    db: &'static str,
    app: App,
    school: SchoolId,
    other: SchoolId,
    vc: Actor,
    mia: Actor,
    max: Actor,
    dirk: Actor,
    bea: Actor,
    tom: Actor,
    olga: Actor,
    anna: StudentId,
    bram: StudentId,
    daan: StudentId,
    eva: StudentId,
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl World {
    async fn new(db: &'static str, url: String) -> Self {
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let app = App::new(store);
        let store = &app.store;
        let at = now();

        let school_id = store
            .create_school(&school("12AB", "Testschool De Linde"))
            .await
            .unwrap();
        store
            .save_code_table(school_id, &CodeTable::magister_default())
            .await
            .unwrap();
        let shipped = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        let (first, last) = (shipped.first_day, shipped.last_day);
        // The school's own blocks: the protocol's period windows must follow them.
        let calendar = shipped
            .with_periods(vec![
                SchoolPeriod {
                    name: "Blok 1".into(),
                    first,
                    last: d(2026, 10, 30),
                },
                SchoolPeriod {
                    name: "Blok 2".into(),
                    first: d(2026, 11, 2),
                    last: d(2027, 1, 29),
                },
                SchoolPeriod {
                    name: "Blok 3".into(),
                    first: d(2027, 2, 1),
                    last: d(2027, 4, 16),
                },
                SchoolPeriod {
                    name: "Blok 4".into(),
                    first: d(2027, 4, 19),
                    last,
                },
            ])
            .unwrap();
        for day in lesson_days() {
            assert!(calendar.is_school_day(day), "{day} is no school day");
        }
        store.save_calendar(school_id, &calendar).await.unwrap();
        let mut lessons = Vec::new();
        for day in lesson_days() {
            lessons.push(lesson(day, "1A", "DIR", "EN"));
            lessons.push(lesson(day, "1B", "BEA", "NE"));
        }
        let batch = Batch {
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
                    "vc",
                    "Vera Coördinator",
                    "VC",
                    vec![SchoolRole::AttendanceCoordinator],
                ),
                staff("mia", "Mia Mentor", "MIA", vec![SchoolRole::Mentor]),
                staff("max", "Max Mentor", "MAX", vec![SchoolRole::Mentor]),
                staff("dirk", "Dirk Docent", "DIR", vec![SchoolRole::Teacher]),
                staff("bea", "Bea Docent", "BEA", vec![SchoolRole::Teacher]),
                staff("tom", "Tom Teamleider", "TOM", vec![SchoolRole::TeamLeader]),
            ],
            students: vec![
                student("1001", "Anna", "de", "Vries", "1A", "MIA", 1),
                student("1002", "Bram", "", "Jansen", "1A", "MIA", 2),
                student("1004", "Daan", "", "Smit", "1B", "MAX", 4),
            ],
            lessons,
            registrations: vec![
                // Anna: 2× te laat in block 2, removed from class on Friday.
                reg("1001", d(2026, 11, 16), "TO"),
                reg("1001", d(2026, 11, 17), "TO"),
                reg("1001", d(2026, 11, 20), "UI"),
                // Bram: 2× te laat in block 1, before the protocol applies.
                reg("1002", d(2026, 10, 5), "TO"),
                reg("1002", d(2026, 10, 6), "TO"),
                // Daan: 2× te laat in block 2, removed from class on Friday.
                reg("1004", d(2026, 11, 18), "TO"),
                reg("1004", d(2026, 11, 19), "TO"),
                reg("1004", d(2026, 11, 20), "UI"),
            ],
        };
        store
            .write_batch(school_id, &batch, at, "test")
            .await
            .unwrap();

        let other_id = store
            .create_school(&school("34CD", "Andere School"))
            .await
            .unwrap();
        store
            .save_code_table(other_id, &CodeTable::magister_default())
            .await
            .unwrap();
        let other = Batch {
            groups: vec![Group {
                code: "2X".into(),
                year_level: 2,
                location: "00".into(),
            }],
            staff: vec![staff(
                "olga",
                "Olga Elders",
                "OEL",
                vec![SchoolRole::AttendanceCoordinator, SchoolRole::Teacher],
            )],
            students: vec![student("2001", "Eva", "", "Elders", "2X", "OEL", 5)],
            lessons: vec![
                lesson(d(2026, 11, 16), "2X", "OEL", "GS"),
                lesson(d(2026, 11, 17), "2X", "OEL", "GS"),
            ],
            registrations: vec![
                reg("2001", d(2026, 11, 16), "TO"),
                reg("2001", d(2026, 11, 17), "TO"),
            ],
        };
        store
            .write_batch(other_id, &other, at, "test")
            .await
            .unwrap();

        let actor = |name: &'static str| async move {
            Actor::trusted(store.staff_for_login(name).await.unwrap().unwrap().0)
        };
        let student = |school: SchoolId, number: &'static str| async move {
            store
                .student_by_number(school, number)
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let world = World {
            db,
            school: school_id,
            other: other_id,
            vc: actor("vc").await,
            mia: actor("mia").await,
            max: actor("max").await,
            dirk: actor("dirk").await,
            bea: actor("bea").await,
            tom: actor("tom").await,
            olga: actor("olga").await,
            anna: student(school_id, "1001").await,
            bram: student(school_id, "1002").await,
            daan: student(school_id, "1004").await,
            eva: student(other_id, "2001").await,
            app: app.clone(),
            pg: None,
            _dir: None,
        };
        world
            .app
            .set_protocol(
                world.school,
                "testprotocol",
                TEST_PROTOCOL,
                active_from(),
                "beheer",
                at,
            )
            .await
            .unwrap();
        world
    }

    /// Runs the protocol for the school as of `today()`.
    async fn run(&self) -> verzuim_app::protocol::RunReport {
        self.app
            .protocol_run(self.school, today(), "verzuim protocol run", now())
            .await
            .unwrap()
    }

    /// Every task of the inbox with this status (the small world fits on one page).
    async fn tasks(&self, actor: &Actor, filter: TaskFilter) -> Vec<ProtocolTask> {
        let page = self
            .page(
                actor,
                TaskQuery {
                    status: filter,
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!(page.pages, 1, "{}: more than one page", self.db);
        page.tasks
    }

    /// One page of the inbox, as of `today()`.
    async fn page(&self, actor: &Actor, query: TaskQuery) -> TaskPage {
        self.app
            .protocol_tasks(actor, &query, today(), now())
            .await
            .unwrap()
    }

    /// Stores `n` extra open steps for `student`, each with one task for `role`, due on
    /// consecutive days from `first_due` (every fifth without a deadline).
    async fn add_tasks(
        &self,
        student: StudentId,
        prefix: &str,
        role: Role,
        n: u32,
        first_due: NaiveDate,
    ) {
        let steps: Vec<NewProtocolStep> = (0..n)
            .map(|i| {
                let key = format!("{prefix}-{i}@blok-2");
                NewProtocolStep {
                    student,
                    step_key: key.clone(),
                    step_id: format!("{prefix}-{i}"),
                    title: format!("Extra {i}"),
                    ladder: "extra".into(),
                    reason: "voor de test".into(),
                    evidence: Vec::new(),
                    reached_on: d(2026, 11, 16),
                    sanction: None,
                    letter: None,
                    propose_melding: None,
                    tasks: vec![NewProtocolTask {
                        task_key: format!("{key}#0"),
                        role: role.code().to_owned(),
                        text: "Doe iets.".into(),
                        due: (i % 5 != 4).then(|| first_due + chrono::Days::new(u64::from(i))),
                        status: TaskStatus::Open.code().to_owned(),
                    }],
                }
            })
            .collect();
        self.app
            .store
            .insert_protocol_steps(self.school, &steps, today(), "test", now())
            .await
            .unwrap();
    }

    /// The task of `student` with this role and step id.
    async fn task(&self, student: StudentId, step: &str, role: Role) -> ProtocolTask {
        self.tasks(&self.vc, TaskFilter::All)
            .await
            .into_iter()
            .find(|t| {
                t.student == student
                    && t.step_key.starts_with(&format!("{step}@"))
                    && t.role == role
            })
            .unwrap_or_else(|| panic!("{}: no {step} task for {role:?}", self.db))
    }

    async fn finish(self) {
        self.app.store.close().await;
        if let Some((base, schema)) = &self.pg {
            drop_postgres_schema(base, schema).await.unwrap();
        }
    }
}

/// The world on SQLite and, when reachable, on PostgreSQL.
async fn worlds(test: &str) -> Vec<World> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite:{}",
        dir.path().join(format!("{test}.sqlite")).display()
    );
    let mut w = World::new("SQLite", url).await;
    w._dir = Some(dir);
    out.push(w);

    let base = std::env::var("VERZUIM_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!(
        "t_proto_{}_{}",
        &test[..test.len().min(30)],
        std::process::id()
    );
    match create_postgres_schema(&base, &schema).await {
        Ok(url) => {
            let mut w = World::new("PostgreSQL", url).await;
            w.pg = Some((base, schema));
            out.push(w);
        }
        Err(e) if std::env::var("VERZUIM_SKIP_POSTGRES").as_deref() == Ok("1") => {
            println!("{test} on PostgreSQL: skipped ({e})");
        }
        Err(e) => panic!(
            "PostgreSQL is not reachable at {base}: {e}; run scripts/test or set VERZUIM_SKIP_POSTGRES=1"
        ),
    }
    out
}

fn keys(tasks: &[ProtocolTask]) -> Vec<String> {
    let mut k: Vec<String> = tasks.iter().map(|t| t.task_key.clone()).collect();
    k.sort();
    k
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, SchoolError>) -> bool {
    matches!(r, Err(SchoolError::NotFound { .. }))
}

#[tokio::test]
async fn a_second_run_creates_no_task_twice_and_concurrent_runs_do_not_duplicate() {
    for w in worlds("run_twice").await {
        // Two runs at the same time: the keys are unique, so each step is stored once.
        let (a, b) = tokio::join!(
            w.app.protocol_run(w.school, today(), "run a", now()),
            w.app.protocol_run(w.school, today(), "run b", now()),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        // Anna: laat-2 + verwijderd; Bram: laat-2 (history); Daan: laat-2 + verwijderd.
        assert_eq!(a.steps_new + b.steps_new, 5, "{}: {a:?} {b:?}", w.db);
        assert_eq!(a.tasks_new + b.tasks_new, 3 + 3 + 1 + 3 + 1, "{}", w.db);
        assert_eq!(a.steps_reached, 5);
        assert_eq!(a.students, 3);
        let first = w.tasks(&w.vc, TaskFilter::All).await;
        assert_eq!(first.len(), 11, "{}", w.db);

        let again = w.run().await;
        assert_eq!(
            (again.steps_reached, again.steps_new, again.tasks_new),
            (5, 0, 0),
            "{}",
            w.db
        );
        assert_eq!(
            keys(&w.tasks(&w.vc, TaskFilter::All).await),
            keys(&first),
            "{}",
            w.db
        );

        // One `create` audit row per stored step, with the run's label.
        let audit = w
            .app
            .store
            .audit_of_student(w.school, w.anna)
            .await
            .unwrap();
        let created: Vec<_> = audit
            .iter()
            .filter(|a| a.action == AuditAction::Create && a.detail.starts_with("protocolstap"))
            .collect();
        assert_eq!(created.len(), 2, "{}: {created:?}", w.db);
        w.finish().await;
    }
}

#[tokio::test]
async fn steps_reached_before_active_from_are_stored_as_lapsed_history() {
    for w in worlds("lapse").await {
        w.run().await;
        let bram: Vec<ProtocolTask> = w
            .tasks(&w.vc, TaskFilter::All)
            .await
            .into_iter()
            .filter(|t| t.student == w.bram)
            .collect();
        assert_eq!(bram.len(), 3, "{}", w.db);
        for t in &bram {
            assert_eq!(t.status, TaskStatus::Lapsed, "{}: {t:?}", w.db);
            assert_eq!(t.step_key, "laat-2@blok-1");
            assert_eq!(t.reached_on, d(2026, 10, 6));
        }
        // Not in anyone's open inbox, not among the closed ones either.
        for actor in [&w.vc, &w.mia, &w.tom] {
            let open = w.tasks(actor, TaskFilter::Open).await;
            assert!(open.iter().all(|t| t.student != w.bram), "{}", w.db);
            let closed = w.tasks(actor, TaskFilter::Closed).await;
            assert!(closed.is_empty(), "{}", w.db);
        }
        // A lapsed task cannot be closed.
        let r = w
            .app
            .close_task(&w.vc, bram[0].id, true, "toch gedaan", now())
            .await;
        assert!(
            matches!(r, Err(SchoolError::Conflict { .. })),
            "{}: {r:?}",
            w.db
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn mentor_sees_only_the_mentor_tasks_of_her_own_mentees() {
    for w in worlds("mentor").await {
        w.run().await;
        let mia = w.tasks(&w.mia, TaskFilter::Open).await;
        assert_eq!(keys(&mia), vec!["laat-2@blok-2#0".to_owned()], "{}", w.db);
        assert_eq!(mia[0].student, w.anna);
        assert_eq!(mia[0].role, Role::Mentor);
        // Bram is her mentee too, but his step lapsed: only with the full history.
        let all = w.tasks(&w.mia, TaskFilter::All).await;
        assert_eq!(all.len(), 2, "{}", w.db);
        assert!(all.iter().all(|t| t.role == Role::Mentor));
        let max = w.tasks(&w.max, TaskFilter::Open).await;
        assert_eq!(max.len(), 1, "{}", w.db);
        assert_eq!(max[0].student, w.daan);
        // Daan's task is out of Mia's sight.
        assert!(is_not_found(
            &w.app.protocol_task(&w.mia, max[0].id, now()).await
        ));
        assert_eq!(w.app.protocol_open_task_count(&w.mia).await.unwrap(), 1);
        // The inbox is a read of personal data: one audit row per student listed.
        let audit = w
            .app
            .store
            .audit_of_student(w.school, w.anna)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == AuditAction::Read
                && a.detail == "protocoltaken"
                && a.actor_label == "mia"),
            "{}",
            w.db
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn coordinator_sees_every_task_including_those_of_roles_outside_the_school() {
    for w in worlds("coordinator").await {
        w.run().await;
        let open = w.tasks(&w.vc, TaskFilter::Open).await;
        assert_eq!(open.len(), 8, "{}", w.db);
        let lpa: Vec<_> = open
            .iter()
            .filter(|t| t.role == Role::Leerplichtambtenaar)
            .collect();
        assert_eq!(lpa.len(), 2, "{}", w.db);
        // The leerplichtambtenaar's tasks are the VC's to arrange: nobody else gets them.
        for actor in [&w.mia, &w.max, &w.dirk, &w.bea, &w.tom] {
            let theirs = w.tasks(actor, TaskFilter::All).await;
            assert!(
                theirs.iter().all(|t| t.role != Role::Leerplichtambtenaar),
                "{}",
                w.db
            );
        }
        // The teamleider sees the teamleider tasks of every student, nothing else.
        let tom = w.tasks(&w.tom, TaskFilter::Open).await;
        assert_eq!(tom.len(), 2, "{}", w.db);
        assert!(tom.iter().all(|t| t.role == Role::Teamleider));
        // The inbox is sorted by deadline; tasks without one come last.
        let dues: Vec<_> = open.iter().map(|t| t.due).collect();
        let mut sorted = dues.clone();
        sorted.sort_by_key(|d| (d.is_none(), *d));
        assert_eq!(dues, sorted);
        w.finish().await;
    }
}

#[tokio::test]
async fn docent_sees_only_docent_tasks_of_students_in_groups_she_teaches() {
    for w in worlds("docent").await {
        w.run().await;
        let dirk = w.tasks(&w.dirk, TaskFilter::Open).await;
        assert_eq!(dirk.len(), 1, "{}", w.db);
        assert_eq!((dirk[0].student, dirk[0].role), (w.anna, Role::Docent));
        assert_eq!(
            dirk[0].reason,
            "1× uit de les verwijderd in de registratie van 20-11-2026"
        );
        // The evidence is the removal, with its lesson.
        assert_eq!(dirk[0].evidence.len(), 1);
        assert_eq!(dirk[0].evidence[0].code, "UI");
        assert_eq!(dirk[0].evidence[0].what, "1e uur EN");
        assert_eq!(dirk[0].evidence[0].date, d(2026, 11, 20));
        let bea = w.tasks(&w.bea, TaskFilter::Open).await;
        assert_eq!(bea.len(), 1, "{}", w.db);
        assert_eq!(bea[0].student, w.daan);
        assert!(is_not_found(
            &w.app.protocol_task(&w.dirk, bea[0].id, now()).await
        ));
        w.finish().await;
    }
}

#[tokio::test]
async fn another_schools_task_is_not_found() {
    for w in worlds("tenant").await {
        w.run().await;
        w.app
            .set_protocol(
                w.other,
                "testprotocol",
                TEST_PROTOCOL,
                active_from(),
                "beheer",
                now(),
            )
            .await
            .unwrap();
        w.app
            .protocol_run(w.other, today(), "run", now())
            .await
            .unwrap();
        let eva = w.tasks(&w.olga, TaskFilter::Open).await;
        assert_eq!(eva.len(), 3, "{}", w.db);
        assert!(eva.iter().all(|t| t.student == w.eva));
        let anna = w.task(w.anna, "laat-2", Role::Mentor).await;
        assert!(is_not_found(
            &w.app.protocol_task(&w.olga, anna.id, now()).await
        ));
        assert!(is_not_found(
            &w.app.protocol_task(&w.vc, eva[0].id, now()).await
        ));
        assert!(is_not_found(
            &w.app.close_task(&w.olga, anna.id, true, "", now()).await
        ));
        assert!(is_not_found(
            &w.app.task_letter(&w.olga, anna.id, today(), now()).await
        ));
        assert!(is_not_found(
            &w.app
                .student_protocol(&w.olga, w.anna, today(), now())
                .await
        ));
        // Nothing of the other school leaks into this school's inbox.
        assert!(
            w.tasks(&w.vc, TaskFilter::All)
                .await
                .iter()
                .all(|t| t.student != w.eva)
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn closing_a_task_keeps_the_note_and_who_closed_it_and_closing_twice_conflicts() {
    for w in worlds("close").await {
        w.run().await;
        let task = w.task(w.anna, "laat-2", Role::Mentor).await;
        w.app
            .close_task(
                &w.mia,
                task.id,
                true,
                "  Gesprek gevoerd op dinsdag. ",
                now(),
            )
            .await
            .unwrap();
        let closed = w.app.protocol_task(&w.mia, task.id, now()).await.unwrap();
        assert_eq!(closed.status, TaskStatus::Done);
        assert_eq!(closed.note, "Gesprek gevoerd op dinsdag.");
        // The person's name, not the username she signed in with.
        assert_eq!(closed.closed_by.as_deref(), Some("Mia Mentor"));
        assert_eq!(
            closed.closed_at.map(|t| t.timestamp()),
            Some(now().timestamp())
        );
        assert!(
            w.tasks(&w.mia, TaskFilter::Open).await.is_empty(),
            "{}",
            w.db
        );
        assert_eq!(w.tasks(&w.mia, TaskFilter::Closed).await.len(), 1);

        let again = w
            .app
            .close_task(&w.mia, task.id, false, "nog een keer", now())
            .await;
        assert!(
            matches!(again, Err(SchoolError::Conflict { .. })),
            "{}: {again:?}",
            w.db
        );
        let audit = w
            .app
            .store
            .audit_of_student(w.school, w.anna)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == AuditAction::Update
                && a.detail
                    == "protocoltaak laat-2@blok-2#0: gedaan — Gesprek gevoerd op dinsdag."),
            "{}",
            w.db
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn not_done_needs_a_note() {
    for w in worlds("not_done").await {
        w.run().await;
        let task = w.task(w.daan, "laat-2", Role::Teamleider).await;
        let r = w.app.close_task(&w.tom, task.id, false, "   ", now()).await;
        match r {
            Err(SchoolError::Invalid(e)) => {
                assert_eq!(e.field, "notitie");
                assert!(e.reason.contains("waarom"), "{}", e.reason);
            }
            other => panic!("{}: {other:?}", w.db),
        }
        assert_eq!(
            w.app
                .protocol_task(&w.tom, task.id, now())
                .await
                .unwrap()
                .status,
            TaskStatus::Open
        );
        w.app
            .close_task(&w.tom, task.id, false, "Leerling is verhuisd.", now())
            .await
            .unwrap();
        let t = w.app.protocol_task(&w.tom, task.id, now()).await.unwrap();
        assert_eq!(
            (t.status, t.note.as_str()),
            (TaskStatus::NotDone, "Leerling is verhuisd.")
        );
        assert_eq!(t.status.label(), "niet gedaan");
        w.finish().await;
    }
}

#[tokio::test]
async fn a_manual_trigger_creates_the_manual_steps_tasks_at_once() {
    for w in worlds("manual").await {
        w.run().await;
        // Mia is Anna's mentor: she may start the manual step.
        let page = w
            .app
            .student_protocol(&w.mia, w.anna, today(), now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            page.manual_steps,
            vec![(
                "gedrag-verandert-niet".to_owned(),
                "Gedrag verandert niet".to_owned()
            )]
        );
        w.app
            .trigger_manual_step(
                &w.mia,
                w.anna,
                "gedrag-verandert-niet",
                d(2026, 11, 20),
                "Komt steeds te laat.",
                today(),
                now(),
            )
            .await
            .unwrap();
        let task = w
            .task(w.anna, "gedrag-verandert-niet", Role::Verzuimcoordinator)
            .await;
        assert_eq!(
            task.step_key, "gedrag-verandert-niet@2026-11-20",
            "{}",
            w.db
        );
        assert_eq!(task.status, TaskStatus::Open);
        assert_eq!(task.reason, "handmatig gestart op 20-11-2026");
        assert_eq!(task.due, Some(d(2026, 11, 30)), "today + 5 school days");
        // The same step, student and date twice is refused.
        let again = w
            .app
            .trigger_manual_step(
                &w.vc,
                w.anna,
                "gedrag-verandert-niet",
                d(2026, 11, 20),
                "",
                today(),
                now(),
            )
            .await;
        assert!(
            matches!(again, Err(SchoolError::Conflict { .. })),
            "{}: {again:?}",
            w.db
        );
        // Max is not Bram's mentor: not his to start; nor on the page.
        let r = w
            .app
            .trigger_manual_step(
                &w.max,
                w.bram,
                "gedrag-verandert-niet",
                today(),
                "",
                today(),
                now(),
            )
            .await;
        assert!(matches!(r, Err(SchoolError::Invalid(_))), "{}: {r:?}", w.db);
        let page = w
            .app
            .student_protocol(&w.max, w.bram, today(), now())
            .await
            .unwrap()
            .unwrap();
        assert!(page.manual_steps.is_empty());
        // A date before the protocol applied, or in the future, is refused.
        for date in [d(2026, 10, 30), d(2026, 11, 24)] {
            let r = w
                .app
                .trigger_manual_step(
                    &w.vc,
                    w.bram,
                    "gedrag-verandert-niet",
                    date,
                    "",
                    today(),
                    now(),
                )
                .await;
            assert!(
                matches!(&r, Err(SchoolError::Invalid(e)) if e.field == "datum"),
                "{}: {r:?}",
                w.db
            );
        }
        // The trigger is audited.
        let audit = w
            .app
            .store
            .audit_of_student(w.school, w.anna)
            .await
            .unwrap();
        assert!(audit.iter().any(|a| {
            a.action == AuditAction::Create
                && a.actor_label == "mia"
                && a.detail
                    .starts_with("handmatige protocolstap gedrag-verandert-niet")
        }));
        w.finish().await;
    }
}

#[tokio::test]
async fn a_counted_step_cannot_be_triggered_by_hand() {
    for w in worlds("counted").await {
        for step in ["laat-2", "bestaat-niet"] {
            let r = w
                .app
                .trigger_manual_step(&w.vc, w.bram, step, today(), "", today(), now())
                .await;
            match r {
                Err(SchoolError::Invalid(e)) => {
                    assert_eq!(e.field, "stap");
                    assert!(e.reason.contains("gedrag-verandert-niet"), "{}", e.reason);
                }
                other => panic!("{}: {other:?}", w.db),
            }
        }
        assert!(
            w.app
                .store
                .manual_triggers(w.school)
                .await
                .unwrap()
                .is_empty()
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn the_due_date_stays_fixed_when_a_later_run_happens_on_a_later_day() {
    for w in worlds("due").await {
        w.run().await;
        let task = w.task(w.anna, "laat-2", Role::Mentor).await;
        assert_eq!(task.created_on, today());
        assert_eq!(task.due, Some(d(2026, 11, 25)), "today + 2 school days");
        // Anna is late again on Wednesday; the run on Thursday reaches laat-3.
        let late = Batch {
            groups: vec![],
            staff: vec![],
            students: vec![],
            lessons: vec![],
            registrations: vec![reg("1001", d(2026, 11, 25), "TO")],
        };
        w.app
            .store
            .write_batch(w.school, &late, now(), "test")
            .await
            .unwrap();
        let thursday = d(2026, 11, 26);
        let report = w
            .app
            .protocol_run(w.school, thursday, "run", now())
            .await
            .unwrap();
        assert_eq!((report.steps_new, report.tasks_new), (1, 1), "{}", w.db);
        let same = w.app.protocol_task(&w.vc, task.id, now()).await.unwrap();
        assert_eq!(same.due, Some(d(2026, 11, 25)), "{}", w.db);
        assert_eq!(same.created_on, today());
        assert_eq!(same.reason, task.reason);
        let third = w.task(w.anna, "laat-3", Role::Mentor).await;
        assert_eq!(third.created_on, thursday);
        assert_eq!(third.due, Some(d(2026, 11, 27)), "Thursday + 1 school day");
        assert_eq!(third.reason, "3× te laat in Blok 2");
        assert_eq!(third.propose_melding.as_deref(), Some("overig verzuim (O)"));
        w.finish().await;
    }
}

#[tokio::test]
async fn explain_names_the_student_and_the_steps_reached() {
    for w in worlds("explain").await {
        let text = w
            .app
            .protocol_explain(w.school, "1001", today(), "verzuim protocol explain", now())
            .await
            .unwrap();
        assert!(
            text.starts_with("Leerling 1001 (Anna de Vries, 1A) — Testprotocol\n"),
            "{text}"
        );
        assert!(text.contains("2× te laat in Blok 2"), "{text}");
        assert!(
            text.contains("sanctie: 1 lesuur nablijven") || text.contains("sanctie:"),
            "{text}"
        );
        let audit = w
            .app
            .store
            .audit_of_student(w.school, w.anna)
            .await
            .unwrap();
        assert!(audit.iter().any(|a| a.action == AuditAction::Read
            && a.actor_label == "verzuim protocol explain"
            && a.detail.starts_with("protocoluitleg")));
        let unknown = w
            .app
            .protocol_explain(w.school, "9999", today(), "x", now())
            .await;
        assert!(
            matches!(unknown, Err(ProtocolUseCaseError::UnknownStudent(ref n)) if n == "9999"),
            "{unknown:?}"
        );
        let none = w
            .app
            .protocol_explain(w.other, "2001", today(), "x", now())
            .await;
        assert!(
            matches!(none, Err(ProtocolUseCaseError::NoProtocol)),
            "{none:?}"
        );
        assert!(
            none.unwrap_err()
                .to_string()
                .contains("verzuim protocol use")
        );
        assert!(
            w.app
                .student_protocol(&w.olga, w.eva, today(), now())
                .await
                .unwrap()
                .is_none()
        );
        // The student page shows the same ladder and the tasks the actor may see.
        w.run().await;
        let page = w
            .app
            .student_protocol(&w.mia, w.anna, today(), now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(page.protocol_name, "testprotocol");
        assert!(
            page.explain
                .starts_with("Leerling 1001 (Anna de Vries, 1A)")
        );
        assert_eq!(page.ladder.reached.len(), 2);
        assert_eq!(
            keys(&page.tasks),
            vec!["laat-2@blok-2#0".to_owned()],
            "{}",
            w.db
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn a_broken_rule_file_is_refused_with_its_location_and_changes_nothing() {
    for w in worlds("broken").await {
        let broken = TEST_PROTOCOL.replace("role = \"teamleider\"", "role = \"conciërge\"");
        let r = w
            .app
            .set_protocol(w.school, "kapot", &broken, active_from(), "beheer", now())
            .await;
        match r {
            Err(ProtocolUseCaseError::Rules(e)) => {
                assert!(e.line > 1, "{e:?}");
                assert!(e.reason.contains("conciërge"), "{e:?}");
            }
            other => panic!("{}: {other:?}", w.db),
        }
        assert_eq!(
            w.app.school_protocol(w.school).await.unwrap().unwrap().name,
            "testprotocol"
        );
        let unknown = w
            .app
            .set_protocol(
                SchoolId(999_999),
                "x",
                TEST_PROTOCOL,
                active_from(),
                "b",
                now(),
            )
            .await;
        assert!(
            matches!(unknown, Err(ProtocolUseCaseError::UnknownSchool(999_999))),
            "{unknown:?}"
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn the_letter_of_a_task_is_filled_in_for_the_student() {
    for w in worlds("letter").await {
        w.run().await;
        let task = w.task(w.anna, "laat-2", Role::Mentor).await;
        assert_eq!(task.letter.as_deref(), Some("te-laat-ouders"));
        let letter = w
            .app
            .task_letter(&w.mia, task.id, today(), now())
            .await
            .unwrap();
        assert_eq!(letter.template, "te-laat-ouders");
        assert!(letter.body.contains("Anna de Vries"), "{}", letter.body);
        assert!(
            letter.body.contains("2× te laat in Blok 2"),
            "{}",
            letter.body
        );
        // The docent's removal task has no letter.
        let removal = w.task(w.anna, "verwijderd", Role::Docent).await;
        assert!(is_not_found(
            &w.app.task_letter(&w.dirk, removal.id, today(), now()).await
        ));
        w.finish().await;
    }
}

#[tokio::test]
async fn the_vmbo_maastricht_preset_runs_on_a_small_school_with_the_calendars_periods() {
    for w in worlds("preset").await {
        let preset = verzuim_protocol::preset("vmbo-maastricht-2019").unwrap();
        w.app
            .set_protocol(
                w.school,
                preset.name,
                preset.source,
                active_from(),
                "beheer",
                now(),
            )
            .await
            .unwrap();
        // A week in block 2: Bram sick Monday to Wednesday (reported at reception, a span),
        // Daan truant Tuesday, Anna's first lesson unknown (ON) on Thursday.
        let week = Batch {
            groups: vec![],
            staff: vec![],
            students: vec![],
            lessons: vec![],
            registrations: vec![
                span("1002", d(2026, 11, 16), "ZK"),
                span("1002", d(2026, 11, 17), "ZK"),
                span("1002", d(2026, 11, 18), "ZK"),
                reg("1004", d(2026, 11, 17), "SP"),
                reg("1001", d(2026, 11, 19), "ON"),
            ],
        };
        w.app
            .store
            .write_batch(w.school, &week, now(), "test")
            .await
            .unwrap();
        let report = w.run().await;
        assert!(report.tasks_new > 0, "{}: {report:?}", w.db);
        let all = w.tasks(&w.vc, TaskFilter::All).await;
        let step_keys = |student: StudentId| {
            let mut k: Vec<String> = all
                .iter()
                .filter(|t| t.student == student)
                .map(|t| t.step_key.clone())
                .collect();
            k.sort();
            k.dedup();
            k
        };
        // Late twice in block 2: the period window follows the school's own blocks.
        let anna = step_keys(w.anna);
        assert!(
            anna.contains(&"vmbo-te-laat-2@blok-2".to_owned()),
            "{}: {anna:?}",
            w.db
        );
        assert!(
            anna.contains(&"vmbo-controle-verzuim@2026-11-19".to_owned()),
            "{anna:?}"
        );
        assert!(
            anna.iter()
                .any(|k| k.starts_with("vmbo-verwijderd-uit-de-les@r")),
            "{anna:?}"
        );
        let late2 = all
            .iter()
            .find(|t| t.step_key == "vmbo-te-laat-2@blok-2" && t.student == w.anna)
            .unwrap();
        assert_eq!(late2.reason, "2× te laat in Blok 2");
        assert_eq!(late2.status, TaskStatus::Open);
        // Three school days sick: the mentor calls home.
        let bram = step_keys(w.bram);
        assert!(
            bram.contains(&"vmbo-ziek-3-dagen@2026-11-16".to_owned()),
            "{}: {bram:?}",
            w.db
        );
        // Bram's lateness in block 1 is history.
        assert!(
            all.iter()
                .filter(|t| t.student == w.bram && t.step_key.ends_with("@blok-1"))
                .all(|t| t.status == TaskStatus::Lapsed)
        );
        // Truancy on one day: made up double.
        let daan = step_keys(w.daan);
        assert!(
            daan.contains(&"vmbo-verzuim-zonder-geldige-reden@2026-11-17".to_owned()),
            "{daan:?}"
        );
        let truant = all
            .iter()
            .find(|t| t.step_key == "vmbo-verzuim-zonder-geldige-reden@2026-11-17")
            .unwrap();
        assert!(
            truant.sanction.as_deref().is_some_and(|s| s.contains('2')),
            "{truant:?}"
        );
        // Inboxes: Mia sees Anna's and Bram's mentor tasks, Dirk the removal in his class.
        let mia = w.tasks(&w.mia, TaskFilter::Open).await;
        assert!(
            mia.iter().any(|t| t.student == w.bram) && mia.iter().any(|t| t.student == w.anna),
            "{}",
            w.db
        );
        assert!(
            mia.iter()
                .all(|t| t.role == Role::Mentor && t.student != w.daan)
        );
        let dirk = w.tasks(&w.dirk, TaskFilter::Open).await;
        assert!(
            !dirk.is_empty()
                && dirk
                    .iter()
                    .all(|t| t.role == Role::Docent && t.student == w.anna),
            "{}: {dirk:?}",
            w.db
        );
        // Every manual row of the preset is offered to the VC on the student page.
        let page = w
            .app
            .student_protocol(&w.vc, w.anna, today(), now())
            .await
            .unwrap()
            .unwrap();
        assert!(
            page.manual_steps
                .iter()
                .any(|(id, _)| id == "vmbo-verzuim-gedrag-verandert-niet")
        );
        // A rerun creates nothing.
        assert_eq!(w.run().await.tasks_new, 0);
        w.finish().await;
    }
}

/// Every page of an inbox query, from page 1 to the last.
async fn all_pages(w: &World, actor: &Actor, query: TaskQuery) -> Vec<TaskPage> {
    let first = w
        .page(
            actor,
            TaskQuery {
                page: 1,
                ..query.clone()
            },
        )
        .await;
    let mut pages = vec![first.clone()];
    for page in 2..=first.pages {
        pages.push(
            w.page(
                actor,
                TaskQuery {
                    page,
                    ..query.clone()
                },
            )
            .await,
        );
    }
    pages
}

#[tokio::test]
async fn pages_are_disjoint_and_together_list_every_visible_task_once() {
    for w in worlds("paging").await {
        w.run().await;
        w.add_tasks(w.anna, "m", Role::Mentor, 70, d(2026, 11, 2))
            .await;
        w.add_tasks(w.daan, "v", Role::Leerplichtambtenaar, 45, d(2026, 12, 1))
            .await;
        // 8 open tasks of the run + 115 extra.
        let pages = all_pages(&w, &w.vc, TaskQuery::default()).await;
        assert_eq!(pages.len(), 3, "{}", w.db);
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p.total, 123, "{}", w.db);
            assert_eq!(p.pages, 3);
            assert_eq!(p.page as usize, i + 1);
            assert_eq!(p.per_page, TASKS_PER_PAGE);
        }
        assert_eq!(pages[0].tasks.len(), 50);
        assert_eq!(pages[1].tasks.len(), 50);
        assert_eq!(pages[2].tasks.len(), 23);
        let listed: Vec<&ProtocolTask> = pages.iter().flat_map(|p| &p.tasks).collect();
        let mut ids: Vec<i64> = listed.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 123, "{}: a task on two pages", w.db);
        // Overdue first, by deadline; tasks without one last; then by id.
        let order: Vec<(bool, Option<NaiveDate>, i64)> = listed
            .iter()
            .map(|t| (t.due.is_none(), t.due, t.id))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "{}", w.db);
        assert!(listed[0].due.unwrap() < today());
        // Open counts per role, for the filter, whatever the page.
        let mentor = pages[2].roles.iter().find(|(r, _)| *r == Role::Mentor);
        assert_eq!(mentor, Some(&(Role::Mentor, 72)), "{}", w.db);
        assert_eq!(pages[2].open_count(), 123);
        assert_eq!(pages[0].groups, vec!["1A".to_owned(), "1B".to_owned()]);
        // A page past the last shows the last.
        let past = w
            .page(
                &w.vc,
                TaskQuery {
                    page: 9,
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!(past.page, 3);
        assert_eq!(past.tasks, pages[2].tasks);
        // The mentor's inbox pages only over her own: 1 of the run + 70.
        let mia = all_pages(&w, &w.mia, TaskQuery::default()).await;
        assert_eq!((mia.len(), mia[0].total), (2, 71), "{}", w.db);
        let mut mia_ids: Vec<i64> = mia.iter().flat_map(|p| &p.tasks).map(|t| t.id).collect();
        mia_ids.sort_unstable();
        mia_ids.dedup();
        assert_eq!(mia_ids.len(), 71);
        assert_eq!(
            w.app.protocol_open_task_count(&w.vc).await.unwrap(),
            123,
            "{}",
            w.db
        );
        assert_eq!(w.app.protocol_open_task_count(&w.mia).await.unwrap(), 71);
        w.finish().await;
    }
}

#[tokio::test]
async fn a_mentors_filters_never_reveal_tasks_outside_her_grant() {
    for w in worlds("filters").await {
        w.run().await;
        w.add_tasks(w.daan, "m", Role::Mentor, 5, d(2026, 11, 2))
            .await;
        let mia = |q: TaskQuery| async { w.page(&w.mia, q).await };
        // Daan (1B) is Max's mentee: filtering on his class shows Mia nothing.
        let other_class = mia(TaskQuery {
            group: Some("1B".into()),
            ..TaskQuery::default()
        })
        .await;
        assert_eq!(
            (other_class.total, other_class.tasks.len()),
            (0, 0),
            "{}",
            w.db
        );
        let by_name = mia(TaskQuery {
            search: Some("smit".into()),
            status: TaskFilter::All,
            ..TaskQuery::default()
        })
        .await;
        assert_eq!(by_name.total, 0, "{}", w.db);
        let by_number = mia(TaskQuery {
            search: Some("1004".into()),
            ..TaskQuery::default()
        })
        .await;
        assert_eq!(by_number.total, 0, "{}", w.db);
        let other_role = mia(TaskQuery {
            role: Some(Role::Leerplichtambtenaar),
            status: TaskFilter::All,
            ..TaskQuery::default()
        })
        .await;
        assert_eq!(other_role.total, 0, "{}", w.db);
        // Her own class, her own student and her own role do show her task.
        let own = mia(TaskQuery {
            group: Some("1A".into()),
            role: Some(Role::Mentor),
            search: Some("ANNA de".into()),
            ..TaskQuery::default()
        })
        .await;
        assert_eq!(
            keys(&own.tasks),
            vec!["laat-2@blok-2#0".to_owned()],
            "{}",
            w.db
        );
        // The filter lists show only what she may see.
        assert_eq!(own.groups, vec!["1A".to_owned()]);
        assert_eq!(own.roles, vec![(Role::Mentor, 1)]);
        // The VC finds Daan's tasks by class and by number.
        let vc = w
            .page(
                &w.vc,
                TaskQuery {
                    group: Some("1B".into()),
                    search: Some("1004".into()),
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!(vc.total, 4 + 5, "{}", w.db);
        assert!(vc.tasks.iter().all(|t| t.student == w.daan));
        w.finish().await;
    }
}

#[tokio::test]
async fn only_the_students_on_the_page_are_audited() {
    for w in worlds("paged_audit").await {
        w.run().await;
        // 52 of Anna's tasks due before every other task: page 1 is hers only.
        w.add_tasks(w.anna, "m", Role::Mentor, 65, d(2026, 9, 1))
            .await;
        let reads = |student: StudentId| {
            let w = &w;
            async move {
                w.app
                    .store
                    .audit_of_student(w.school, student)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|a| a.action == AuditAction::Read && a.detail == "protocoltaken")
                    .count()
            }
        };
        let first = w.page(&w.vc, TaskQuery::default()).await;
        assert!(first.tasks.iter().all(|t| t.student == w.anna), "{}", w.db);
        assert_eq!(reads(w.anna).await, 1, "{}: one row per student", w.db);
        assert_eq!(reads(w.daan).await, 0, "{}", w.db);
        let second = w
            .page(
                &w.vc,
                TaskQuery {
                    page: 2,
                    ..TaskQuery::default()
                },
            )
            .await;
        assert!(second.tasks.iter().any(|t| t.student == w.daan));
        assert_eq!(reads(w.daan).await, 1, "{}", w.db);
        assert_eq!(reads(w.anna).await, 2, "{}", w.db);
        // Bram's only task lapsed: never on an open page, never read.
        assert_eq!(reads(w.bram).await, 0, "{}", w.db);
        // A query that finds nothing reads nobody.
        let none = w
            .page(
                &w.vc,
                TaskQuery {
                    search: Some("niemand".into()),
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!((none.total, none.pages, none.page), (0, 1, 1));
        assert_eq!(reads(w.daan).await, 1, "{}", w.db);
        w.finish().await;
    }
}

#[tokio::test]
async fn the_overdue_filter_lists_only_tasks_past_their_deadline() {
    for w in worlds("overdue").await {
        w.run().await;
        // Due 20 Nov … 29 Nov; i = 4 and 9 have no deadline; before today (23 Nov): 20, 21, 22.
        w.add_tasks(w.anna, "m", Role::Mentor, 10, d(2026, 11, 20))
            .await;
        let late = w
            .page(
                &w.vc,
                TaskQuery {
                    overdue: true,
                    ..TaskQuery::default()
                },
            )
            .await;
        let dues: Vec<Option<NaiveDate>> = late.tasks.iter().map(|t| t.due).collect();
        assert_eq!(
            dues,
            vec![
                Some(d(2026, 11, 20)),
                Some(d(2026, 11, 21)),
                Some(d(2026, 11, 22))
            ],
            "{}",
            w.db
        );
        assert_eq!(late.total, 3);
        // The mentor's overdue tasks: the same, she is Anna's mentor.
        let mia = w
            .page(
                &w.mia,
                TaskQuery {
                    overdue: true,
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!(mia.total, 3, "{}", w.db);
        let max = w
            .page(
                &w.max,
                TaskQuery {
                    overdue: true,
                    ..TaskQuery::default()
                },
            )
            .await;
        assert_eq!(max.total, 0, "{}", w.db);
        w.finish().await;
    }
}
