//! "Taken": the protocol's task inbox, one task's page, its letter, and the protocol section
//! of the student page, against the real server.
//!
//! The fixture school gets two mentors with a mentee each (Fleur in 1A for Mieke Mentor, Gijs
//! in 1B for Mark Mentor), three late arrivals each in the week before "today", and a small
//! protocol: three times late in a period → the mentor calls home (within two school days, a
//! letter, one hour detention, a proposed DUO melding), six times → the verzuimcoördinator
//! (not reached), and a manual step. The protocol runs as of the Wednesday before "today",
//! so the mentor tasks are overdue on the server's today.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use verzuim_app::protocol::{ProtocolTask, TaskQuery, TaskStatus};
use verzuim_app::school::Actor;
use verzuim_domain::{
    Batch, BatchRegistration, BatchStaff, BatchStudent, Group, Origin, SchoolRole, Staff, Student,
    StudentId,
};
use verzuim_protocol::Role;
use verzuim_store::{NewProtocolStep, NewProtocolTask};
use verzuim_testkit::{Backend, Browser, COORDINATOR, OTHER_SCHOOL_TEACHER, TestApp, test_bsn};

use crate::start;

/// Mieke Mentor: mentor of Fleur (1A), no other role.
pub const MENTOR: (&str, &str) = ("mentor", "mentor-wachtwoord-1");
/// Mark Mentor: mentor of Gijs (1B), no other role.
pub const OTHER_MENTOR: (&str, &str) = ("mentor2", "mentor2-wachtwoord-1");

/// The fixture's protocol: counted late arrivals with a mentor task, and a manual step.
pub const PROTOCOL: &str = r#"
[protocol]
name = "Testprotocol De Linde"

[[counter]]
name = "te_laat"
label = "te laat"
codes = ["TO"]
unit = "events"

[[window]]
name = "periode"
type = "period"

[[window]]
name = "jaar"
type = "school_year"

[[step]]
id = "laat-3"
ladder = "te laat"
title = "3× te laat"
window = "periode"
when = { at_least = { counter = "te_laat", value = 3 } }
letter = "vmbo-preventief-spreekuur-ouders"
sanction = { detention = { lesuren = 1 } }
propose_melding = "O"

[[step.action]]
role = "mentor"
text = "Bel de ouders over het te laat komen."
within_school_days = 2

[[step]]
id = "laat-6"
ladder = "te laat"
title = "6× te laat"
window = "periode"
when = { at_least = { counter = "te_laat", value = 6 } }

[[step.action]]
role = "verzuimcoordinator"
text = "Nodig leerling en ouders uit."
within_school_days = 5

[[step]]
id = "gedrag"
ladder = "te laat"
title = "Gedrag verandert niet"
manual = true
window = "jaar"

[[step.action]]
role = "mentor"
text = "Gesprek met leerling en ouders over het gedrag."
within_school_days = 5
"#;

/// What [`school_with_tasks`] made.
pub struct TaskFixture {
    /// Fleur, Mieke's mentee.
    pub fleur: StudentId,
    /// Gijs, Mark's mentee.
    pub gijs: StudentId,
    /// Fleur's mentor task.
    pub fleur_task: ProtocolTask,
    /// Gijs's mentor task.
    pub gijs_task: ProtocolTask,
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn origin() -> Origin {
    Origin {
        file: "taken-test".to_owned(),
        line: 0,
    }
}

fn mentor(login: (&str, &str), name: &str, code: &str) -> BatchStaff {
    BatchStaff {
        staff: Staff {
            username: login.0.to_owned(),
            name: name.to_owned(),
            code: code.to_owned(),
            roles: vec![SchoolRole::Mentor],
        },
        password_hash: Some(verzuim_auth::hash_password(login.1).unwrap()),
        origin: origin(),
    }
}

fn student(number: &str, first: &str, last: &str, group: &str, mentor: &str) -> BatchStudent {
    let seed: u32 = number.parse().unwrap();
    BatchStudent {
        student: Student {
            student_number: number.to_owned(),
            personal_number: test_bsn(seed).unwrap(),
            first_name: first.to_owned(),
            name_prefix: String::new(),
            last_name: last.to_owned(),
            birth_date: NaiveDate::from_ymd_opt(2013, 3, 1).unwrap(),
            residence: None,
            enrolled_from: NaiveDate::from_ymd_opt(2025, 8, 25).unwrap(),
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

fn late(number: &str, d: u32) -> BatchRegistration {
    BatchRegistration {
        student_number: number.to_owned(),
        date: day(d),
        start: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
        end: NaiveTime::from_hms_opt(9, 20, 0).unwrap(),
        code: "TO".to_owned(),
        note: String::new(),
        minutes_late: Some(5),
        origin: origin(),
    }
}

/// Adds the two mentors, their mentees and the late arrivals to the fixture school, chooses
/// [`PROTOCOL`] and runs it as of Wednesday 18 November 2026.
pub async fn school_with_tasks(app: &TestApp) -> TaskFixture {
    let f = &app.fixture;
    let now = Utc.from_utc_datetime(&day(18).and_hms_opt(16, 0, 0).unwrap());
    let group = |code: &str| Group {
        code: code.to_owned(),
        year_level: 1,
        location: "00".to_owned(),
    };
    let batch = Batch {
        groups: vec![group("1A"), group("1B")],
        staff: vec![
            mentor(MENTOR, "Mieke Mentor", "MEN"),
            mentor(OTHER_MENTOR, "Mark Mentor", "MAR"),
        ],
        students: vec![
            student("1005", "Fleur", "Willems", "1A", "MEN"),
            student("1006", "Gijs", "Peeters", "1B", "MAR"),
        ],
        lessons: vec![],
        registrations: [16, 17, 18]
            .into_iter()
            .flat_map(|d| [late("1005", d), late("1006", d)])
            .collect(),
    };
    app.store
        .write_batch(f.school, &batch, now, "taken-test")
        .await
        .unwrap();
    app.app
        .set_protocol(
            f.school,
            "testprotocol",
            PROTOCOL,
            NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
            "taken-test",
            now,
        )
        .await
        .unwrap();
    let report = app
        .app
        .protocol_run(f.school, day(18), "taken-test", now)
        .await
        .unwrap();
    assert!(report.tasks_new >= 2, "{report:?}");
    let id_of = |number: &'static str| async move {
        app.store
            .student_by_number(f.school, number)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let (fleur, gijs) = (id_of("1005").await, id_of("1006").await);
    let vc = Actor::trusted(
        app.store
            .staff_for_login(COORDINATOR.0)
            .await
            .unwrap()
            .unwrap()
            .0,
    );
    let tasks = app
        .app
        .protocol_tasks(&vc, &TaskQuery::default(), day(18), now)
        .await
        .unwrap()
        .tasks;
    let task_of = |s: StudentId| {
        tasks
            .iter()
            .find(|t| t.student == s && t.step_key.starts_with("laat-3@"))
            .cloned()
            .unwrap_or_else(|| panic!("geen taak voor {s:?} in {tasks:?}"))
    };
    TaskFixture {
        fleur,
        gijs,
        fleur_task: task_of(fleur),
        gijs_task: task_of(gijs),
    }
}

async fn browser_for(app: &TestApp, user: (&str, &str)) -> Browser {
    let b = app.new_browser().unwrap();
    assert_eq!(
        b.login(user.0, user.1).await.unwrap().status(),
        303,
        "inloggen als {}",
        user.0
    );
    b
}

async fn mentor_inbox_lists_her_task_with_reason_and_deadline_not_another_mentors(
    backend: Backend,
) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let mieke = browser_for(&app, MENTOR).await;
    let (status, html) = mieke.get_page("/taken").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/taken\""), "nav link: {html}");
    assert!(html.contains("Fleur Willems"), "{html}");
    assert!(
        html.contains(&format!("href=\"/leerlingen/{}\"", t.fleur.0)),
        "{html}"
    );
    assert!(html.contains("(1A)"));
    assert!(html.contains("Bel de ouders over het te laat komen."));
    assert!(html.contains("voor de mentor"));
    assert!(html.contains("3× te laat in "), "reason in words: {html}");
    // reached on Wednesday 18th, two school days: Friday 20th, overdue on Monday 23rd
    assert!(html.contains("uiterlijk 20-11-2026"), "{html}");
    assert!(html.contains("<strong class=\"late\">te laat</strong>"));
    assert!(html.contains("1 lesuur nablijven") || html.contains("nablijven"));
    assert!(html.contains(&format!("href=\"/taken/{}/brief\"", t.fleur_task.id)));
    assert!(html.contains("16-11-2026 TO"), "evidence: {html}");
    assert!(html.contains("De verzuimcoördinator beslist over de melding."));
    assert!(html.contains(&format!("action=\"/taken/{}\"", t.fleur_task.id)));
    assert!(html.contains("name=\"csrf\""));
    assert!(
        !html.contains("Gijs Peeters"),
        "another mentor's task: {html}"
    );

    let mark = browser_for(&app, OTHER_MENTOR).await;
    let (_, html) = mark.get_page("/taken").await.unwrap();
    assert!(html.contains("Gijs Peeters") && !html.contains("Fleur Willems"));
    assert!(html.contains(&format!("href=\"/leerlingen/{}\"", t.gijs.0)));
    assert!(html.contains(&format!("action=\"/taken/{}\"", t.gijs_task.id)));
    assert_eq!(
        mark.get(&format!("/taken/{}", t.fleur_task.id))
            .await
            .unwrap()
            .status(),
        404
    );

    // the verzuimcoördinator sees both, with the link to the meldingen
    let vc = browser_for(&app, COORDINATOR).await;
    let (_, html) = vc.get_page("/taken").await.unwrap();
    assert!(html.contains("Gijs Peeters") && html.contains("Fleur Willems"));
    assert!(html.contains("href=\"/verzuimmeldingen\""));
    app.stop().await;
}
on_both_backends!(mentor_inbox_lists_her_task_with_reason_and_deadline_not_another_mentors);

async fn closing_a_task_with_a_note_moves_it_to_afgehandeld(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let mieke = browser_for(&app, MENTOR).await;
    let id = t.fleur_task.id;
    let r = mieke
        .post_form(
            "/taken",
            &format!("/taken/{id}"),
            &[
                ("uitkomst", "gedaan"),
                ("notitie", "Moeder gebeld; wekker gekocht."),
                ("terug", "lijst"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/taken?gesloten={id}"));
    let (_, html) = mieke.get_page(&location).await.unwrap();
    assert!(html.contains("De taak is afgehandeld"), "{html}");
    assert!(!html.contains("Fleur Willems"), "no longer open: {html}");
    assert!(html.contains("Er staan geen open taken voor u klaar."));

    let (_, html) = mieke.get_page("/taken?status=afgehandeld").await.unwrap();
    assert!(html.contains("Fleur Willems"), "{html}");
    assert!(html.contains("Moeder gebeld; wekker gekocht."));
    assert!(html.contains("gedaan door "), "{html}");
    assert!(
        !html.contains(&format!("action=\"/taken/{id}\"")),
        "no form"
    );

    let (status, html) = mieke.get_page(&format!("/taken/{id}")).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong id=\"status\">gedaan</strong>"),
        "{html}"
    );
    assert!(html.contains("Moeder gebeld; wekker gekocht."));

    // closing again is refused, nothing changes
    let r = mieke
        .post_form(
            &format!("/taken/{id}"),
            &format!("/taken/{id}"),
            &[("uitkomst", "niet_gedaan"), ("notitie", "toch niet")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let mieke_actor = Actor::trusted(
        app.store
            .staff_for_login(MENTOR.0)
            .await
            .unwrap()
            .unwrap()
            .0,
    );
    let stored = app
        .app
        .protocol_task(&mieke_actor, id, Utc::now())
        .await
        .unwrap();
    assert_eq!(stored.status, TaskStatus::Done);
    assert_eq!(stored.note, "Moeder gebeld; wekker gekocht.");
    app.stop().await;
}
on_both_backends!(closing_a_task_with_a_note_moves_it_to_afgehandeld);

async fn not_done_without_a_note_is_refused_in_dutch_and_stays_open(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let mieke = browser_for(&app, MENTOR).await;
    let id = t.fleur_task.id;
    let page = format!("/taken/{id}");
    let r = mieke
        .post_form(
            &page,
            &page,
            &[
                ("uitkomst", "niet_gedaan"),
                ("notitie", "  "),
                ("terug", "taak"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Schrijf in de notitie waarom de taak niet is gedaan."),
        "{html}"
    );
    assert!(html.contains(&format!("id=\"notitie-{id}-fout\"")));
    assert!(html.contains(&format!(
        "id=\"uitkomst-{id}-niet_gedaan\" name=\"uitkomst\" value=\"niet_gedaan\" checked"
    )));
    let (_, html) = mieke.get_page("/taken").await.unwrap();
    assert!(html.contains("Fleur Willems"), "still open: {html}");

    // without the CSRF token: refused
    let r = mieke
        .post_raw(&page, &[("uitkomst", "gedaan"), ("notitie", "x")])
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // not done with a note: closed, back to the task page
    let r = mieke
        .post_form(
            &page,
            &page,
            &[
                ("uitkomst", "niet_gedaan"),
                ("notitie", "Ouders onbereikbaar, brief gestuurd."),
                ("terug", "taak"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/taken/{id}?gesloten=1").as_str()
    );
    let (_, html) = mieke
        .get_page(&format!("/taken/{id}?gesloten=1"))
        .await
        .unwrap();
    assert!(
        html.contains("<strong id=\"status\">niet gedaan</strong>"),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(not_done_without_a_note_is_refused_in_dutch_and_stays_open);

async fn another_schools_task_is_not_found(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let elders = browser_for(&app, OTHER_SCHOOL_TEACHER).await;
    for path in [
        format!("/taken/{}", t.fleur_task.id),
        format!("/taken/{}/brief", t.fleur_task.id),
    ] {
        assert_eq!(elders.get(&path).await.unwrap().status(), 404, "{path}");
    }
    let r = elders
        .post_form(
            "/taken",
            &format!("/taken/{}", t.fleur_task.id),
            &[("uitkomst", "gedaan"), ("notitie", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (status, html) = elders.get_page("/taken").await.unwrap();
    assert_eq!(status, 200);
    assert!(!html.contains("Fleur Willems") && html.contains("Er staan geen open taken"));
    app.stop().await;
}
on_both_backends!(another_schools_task_is_not_found);

async fn the_letter_page_renders_the_students_name(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let mieke = browser_for(&app, MENTOR).await;
    let (status, html) = mieke
        .get_page(&format!("/taken/{}/brief", t.fleur_task.id))
        .await
        .unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Fleur Willems"), "{html}");
    assert!(html.contains("class=\"letter\""));
    assert!(html.contains(&format!("href=\"/taken/{}\"", t.fleur_task.id)));
    app.stop().await;
}
on_both_backends!(the_letter_page_renders_the_students_name);

async fn student_page_shows_the_protocol_and_a_manual_step_creates_a_task(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    let mieke = browser_for(&app, MENTOR).await;
    let page = format!("/leerlingen/{}", t.fleur.0);
    let (status, html) = mieke.get_page(&page).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("<h2 id=\"protocol-kop\">Protocol</h2>"),
        "{html}"
    );
    assert!(html.contains("Testprotocol De Linde"), "{html}");
    assert!(html.contains("Ladder ‘te laat’"), "{html}");
    assert!(html.contains("3× te laat in "), "{html}");
    assert!(
        html.contains("‘6× te laat’ in periode 2: te laat 3 van 6"),
        "progress in words: {html}"
    );
    assert!(html.contains(&format!("href=\"/taken/{}\"", t.fleur_task.id)));
    assert!(html.contains("<option value=\"gedrag\""), "{html}");
    assert!(html.contains("<label for=\"datum\">"));

    // a wrong date: refused beside the form, nothing started
    let action = format!("{page}/protocol");
    let r = mieke
        .post_form(
            &page,
            &action,
            &[("stap", "gedrag"), ("datum", "gisteren"), ("notitie", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"stap-fout\""));

    let r = mieke
        .post_form(
            &page,
            &action,
            &[
                ("stap", "gedrag"),
                ("datum", "2026-11-23"),
                ("notitie", "Blijft te laat komen na het gesprek."),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{page}?gestart=1#protocol"));
    let (_, html) = mieke.get_page(&format!("{page}?gestart=1")).await.unwrap();
    assert!(html.contains("id=\"gestart\""), "{html}");
    assert!(
        html.contains("Gesprek met leerling en ouders over het gedrag."),
        "{html}"
    );
    // the same step on the same date again: refused beside the form
    let r = mieke
        .post_form(
            &page,
            &action,
            &[("stap", "gedrag"), ("datum", "23-11-2026"), ("notitie", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"stap-fout\""));
    let (_, html) = mieke.get_page("/taken").await.unwrap();
    assert!(
        html.contains("Gesprek met leerling en ouders over het gedrag."),
        "the manual step's task is in the inbox: {html}"
    );

    // a school without a protocol says so in one line
    let elders = browser_for(&app, OTHER_SCHOOL_TEACHER).await;
    let (status, html) = elders
        .get_page(&format!(
            "/leerlingen/{}",
            app.fixture.other_school_student.0
        ))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("Deze school heeft nog geen verzuimprotocol gekozen."),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(student_page_shows_the_protocol_and_a_manual_step_creates_a_task);

async fn a_person_without_a_task_role_gets_an_explanation(backend: Backend) {
    let app = start(backend).await;
    let f = &app.fixture;
    let batch = Batch {
        groups: vec![],
        staff: vec![BatchStaff {
            staff: Staff {
                username: "beheer".to_owned(),
                name: "Bert Beheer".to_owned(),
                code: "BEH".to_owned(),
                roles: vec![SchoolRole::Admin],
            },
            password_hash: Some(verzuim_auth::hash_password("beheer-wachtwoord-1").unwrap()),
            origin: origin(),
        }],
        students: vec![],
        lessons: vec![],
        registrations: vec![],
    };
    app.store
        .write_batch(f.school, &batch, Utc::now(), "taken-test")
        .await
        .unwrap();
    let admin = browser_for(&app, ("beheer", "beheer-wachtwoord-1")).await;
    let (status, html) = admin.get_page("/taken").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("U heeft geen rol waarvoor het verzuimprotocol taken maakt."),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(a_person_without_a_task_role_gets_an_explanation);

/// Stores `n` extra open mentor tasks for `student` (one step each), due from 2 November on.
async fn extra_tasks(app: &TestApp, student: StudentId, prefix: &str, n: u32) {
    let now = Utc.from_utc_datetime(&day(18).and_hms_opt(16, 0, 0).unwrap());
    let steps: Vec<NewProtocolStep> = (0..n)
        .map(|i| NewProtocolStep {
            student,
            step_key: format!("{prefix}-{i}@extra"),
            step_id: format!("{prefix}-{i}"),
            title: format!("Extra {i}"),
            ladder: "extra".to_owned(),
            reason: "voor de test".to_owned(),
            evidence: Vec::new(),
            reached_on: day(16),
            sanction: None,
            letter: None,
            propose_melding: None,
            tasks: vec![NewProtocolTask {
                task_key: format!("{prefix}-{i}@extra#0"),
                role: Role::Mentor.code().to_owned(),
                text: format!("Extra taak {i}."),
                due: Some(day(2) + chrono::Days::new(u64::from(i % 20))),
                status: TaskStatus::Open.code().to_owned(),
            }],
        })
        .collect();
    app.store
        .insert_protocol_steps(app.fixture.school, &steps, day(18), "taken-test", now)
        .await
        .unwrap();
}

/// The `href` of the link with `rel` (prev/next), unescaped.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// How many tasks a page lists.
fn listed(html: &str) -> usize {
    html.matches("<article class=\"task").count()
}

async fn the_inbox_filters_by_class_and_pages_keep_the_filter(backend: Backend) {
    let app = start(backend).await;
    let t = school_with_tasks(&app).await;
    extra_tasks(&app, t.fleur, "f", 60).await;
    extra_tasks(&app, t.gijs, "g", 5).await;
    let vc = browser_for(&app, COORDINATOR).await;

    let (status, html) = vc.get_page("/taken").await.unwrap();
    assert_eq!(status, 200);
    for label in [
        "<label for=\"status\">Status</label>",
        "<label for=\"klas\">Klas</label>",
        "<label for=\"rol\">Rol</label>",
        "<label for=\"te_laat\">Alleen te laat</label>",
        "<label for=\"zoek\">Zoek leerling</label>",
    ] {
        assert!(html.contains(label), "{label}: {html}");
    }
    assert!(html.contains("<option value=\"1A\">1A</option>"), "{html}");
    assert!(html.contains("<span>pagina 1 van 2</span>"), "{html}");
    assert_eq!(listed(&html), 50);

    // Only class 1A: Fleur's 61 tasks, on two pages; Gijs (1B) on none.
    let (status, html) = vc.get_page("/taken?status=open&klas=1A").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("<option value=\"1A\" selected>1A</option>"),
        "{html}"
    );
    assert!(html.contains("61 taken met dit filter"), "{html}");
    assert!(html.contains("<span>pagina 1 van 2</span>"), "{html}");
    assert_eq!(listed(&html), 50);
    assert!(!html.contains("Gijs Peeters"), "{html}");
    assert!(rel_link(&html, "prev").is_none());
    let next = rel_link(&html, "next").expect("Volgende");
    assert_eq!(next, "/taken?status=open&klas=1A&pagina=2");
    assert!(html.contains("rel=\"next\">Volgende</a>"));

    let (status, html) = vc.get_page(&next).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("<span>pagina 2 van 2</span>"), "{html}");
    assert_eq!(listed(&html), 11);
    assert!(!html.contains("Gijs Peeters"), "{html}");
    assert!(rel_link(&html, "next").is_none());
    assert_eq!(
        rel_link(&html, "prev").as_deref(),
        Some("/taken?status=open&klas=1A"),
        "Vorige keeps the filter"
    );

    // Several filters at once are kept in the links too; the search finds Gijs only.
    let (_, html) = vc
        .get_page("/taken?status=open&klas=1B&rol=mentor&zoek=peeters&te_laat=1")
        .await
        .unwrap();
    assert!(
        html.contains("Gijs Peeters") && !html.contains("Fleur Willems"),
        "{html}"
    );
    assert!(html.contains("value=\"peeters\""), "{html}");
    assert!(html.contains("id=\"te_laat\" name=\"te_laat\" type=\"checkbox\" value=\"1\" checked"));
    assert!(
        html.contains("href=\"/taken?status=afgehandeld&#38;klas=1B&#38;rol=mentor&#38;zoek=peeters&#38;te_laat=1\""),
        "the tab keeps the filter: {html}"
    );

    // The mentor of 1B's student, filtering on 1A, sees nothing of Fleur.
    let mark = browser_for(&app, OTHER_MENTOR).await;
    let (_, html) = mark.get_page("/taken?klas=1A").await.unwrap();
    assert!(!html.contains("Fleur Willems"), "{html}");
    assert!(html.contains("Geen taken met dit filter."), "{html}");
    // The class list offers only classes with tasks she may see (the chosen one stays shown).
    assert!(html.contains("<option value=\"1B\">1B</option>"), "{html}");
    assert!(!html.contains("<option value=\"1A\">1A</option>"), "{html}");
    app.stop().await;
}
on_both_backends!(the_inbox_filters_by_class_and_pages_keep_the_filter);
