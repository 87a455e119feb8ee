//! Registering per lesson (seed 004 §4: at the start of every lesson the teacher registers
//! absentees and late arrivals).

use chrono::{NaiveTime, Utc};
use verzuim_domain::{Registration, RegistrationTarget};
use verzuim_store::AuditAction;
use verzuim_testkit::{Backend, COORDINATOR, TEACHER};

use crate::logged_in;

async fn teacher_registers_absent_and_late_via_the_lesson_form(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let lesson = format!("/lessen/{}", f.lesson_1a.0);
    let (status, html) = app.get_page(&lesson).await.unwrap();
    assert_eq!(status, 200);
    for id in &f.students_1a {
        assert!(
            html.contains(&format!("id=\"s{}-aanwezig\"", id.0)),
            "{html}"
        );
        assert!(html.contains(&format!("<label for=\"s{}-ON\">afwezig (ON)</label>", id.0)));
        assert!(html.contains(&format!(
            "<label for=\"min-{}\">Minuten te laat</label>",
            id.0
        )));
    }
    let [anna, bram, chris] = [f.students_1a[0].0, f.students_1a[1].0, f.students_1a[2].0];
    let fields = [
        (format!("status_{anna}"), "ON".to_owned()),
        (format!("status_{bram}"), "TO".to_owned()),
        (format!("minuten_{bram}"), "7".to_owned()),
        (format!("notitie_{bram}"), "bus te laat".to_owned()),
        (format!("status_{chris}"), "aanwezig".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post_form(&lesson, &lesson, &fields).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{lesson}?opgeslagen=2"));
    let (_, html) = app
        .get_page(&format!("{lesson}?opgeslagen=2"))
        .await
        .unwrap();
    assert!(html.contains("Opgeslagen: 2 wijzigingen."), "{html}");
    assert!(
        html.contains(&format!(
            "id=\"s{anna}-ON\" name=\"status_{anna}\" value=\"ON\" checked"
        )),
        "{html}"
    );

    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    let live: Vec<_> = regs.iter().filter(|r| !r.withdrawn).collect();
    assert_eq!(live.len(), 2, "{regs:?}");
    let on = live
        .iter()
        .find(|r| r.registration.student.0 == anna)
        .unwrap();
    assert_eq!(on.registration.code, "ON");
    assert_eq!(on.registration.registered_by, Some(f.teacher));
    assert_eq!(
        on.registration.target,
        RegistrationTarget::Lesson {
            lesson: f.lesson_1a
        }
    );
    let to = live
        .iter()
        .find(|r| r.registration.student.0 == bram)
        .unwrap();
    assert_eq!(to.registration.code, "TO");
    assert_eq!(to.registration.minutes_late, Some(7));
    assert_eq!(to.registration.note, "bus te laat");

    // Saving the same form again changes nothing.
    let r = app.post_form(&lesson, &lesson, &fields).await.unwrap();
    assert_eq!(r.headers()["location"], format!("{lesson}?opgeslagen=0"));

    // Anna turned up after all: "aanwezig" withdraws the registration (kept for history).
    let anna_status = format!("status_{anna}");
    let r = app
        .post_form(&lesson, &lesson, &[(anna_status.as_str(), "aanwezig")])
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], format!("{lesson}?opgeslagen=1"));
    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    assert!(
        regs.iter().all(|r| r.registration.student.0 != anna),
        "{regs:?}"
    );
    let of_anna = app
        .store
        .registrations_of_student(f.school, f.students_1a[0])
        .await
        .unwrap();
    assert!(
        of_anna
            .iter()
            .any(|r| r.withdrawn && r.registration.code == "ON"),
        "kept for history, flagged: {of_anna:?}"
    );
    app.stop().await;
}
on_both_backends!(teacher_registers_absent_and_late_via_the_lesson_form);

async fn late_minutes_beyond_the_lesson_are_refused_next_to_the_student_and_nothing_is_saved(
    backend: Backend,
) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let lesson = format!("/lessen/{}", f.lesson_1a.0);
    let [anna, bram] = [f.students_1a[0].0, f.students_1a[1].0];
    let fields = [
        (format!("status_{anna}"), "ON".to_owned()),
        (format!("status_{bram}"), "TO".to_owned()),
        (format!("minuten_{bram}"), "75".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post_form(&lesson, &lesson, &fields).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Er is niets opgeslagen"), "{html}");
    assert!(
        html.contains(&format!(
            "id=\"fout-{bram}\">Minuten: geef een aantal minuten van 1 tot en met 50"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!("value=\"75\" data-late=\"s{bram}-TO\"")),
        "typed value kept: {html}"
    );
    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    assert!(regs.is_empty(), "{regs:?}");
    app.stop().await;
}
on_both_backends!(
    late_minutes_beyond_the_lesson_are_refused_next_to_the_student_and_nothing_is_saved
);

async fn another_code_from_the_schools_table_can_be_chosen(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let lesson = format!("/lessen/{}", f.lesson_1a.0);
    let chris = f.students_1a[2].0;
    let (status_key, code_key) = (format!("status_{chris}"), format!("code_{chris}"));
    let (_, html) = app.get_page(&lesson).await.unwrap();
    assert!(
        html.contains("<option value=\"ZK\">ZK – ziek</option>"),
        "{html}"
    );
    let r = app
        .post_form(
            &lesson,
            &lesson,
            &[(status_key.as_str(), "anders"), (code_key.as_str(), "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "'anders' without a code is refused");
    let r = app
        .post_form(
            &lesson,
            &lesson,
            &[(status_key.as_str(), "anders"), (code_key.as_str(), "XX")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a code outside the table is refused");
    let r = app
        .post_form(
            &lesson,
            &lesson,
            &[(status_key.as_str(), "anders"), (code_key.as_str(), "ZK")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    assert_eq!(regs.len(), 1);
    assert_eq!(regs[0].registration.code, "ZK");
    app.stop().await;
}
on_both_backends!(another_code_from_the_schools_table_can_be_chosen);

async fn the_lesson_page_audits_a_read_of_every_student_listed(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let (status, html) = app
        .get_page(&format!("/lessen/{}", f.lesson_1a.0))
        .await
        .unwrap();
    assert_eq!(status, 200, "{html}");
    for student in &f.students_1a {
        let audit = app
            .store
            .audit_of_student(f.school, *student)
            .await
            .unwrap();
        let reads: Vec<_> = audit
            .iter()
            .filter(|a| a.action == AuditAction::Read)
            .collect();
        assert_eq!(reads.len(), 1, "{audit:?}");
        assert_eq!(reads[0].detail, "lespagina ENG 1A 2026-11-23");
        assert_eq!(
            (reads[0].actor, reads[0].actor_label.as_str()),
            (Some(f.teacher), TEACHER.0)
        );
    }
    // Not listed, not read.
    let audit = app
        .store
        .audit_of_student(f.school, f.student_1b)
        .await
        .unwrap();
    assert!(audit.is_empty(), "{audit:?}");
    // No read without a student any more.
    let without_student = app.store.audit_of_school(f.school, 100).await.unwrap();
    assert!(
        without_student
            .iter()
            .all(|a| a.action != AuditAction::Read),
        "{without_student:?}"
    );
    app.stop().await;
}
on_both_backends!(the_lesson_page_audits_a_read_of_every_student_listed);

/// The part of a lesson page about one student.
fn fieldset_of(html: &str, student: i64) -> &str {
    let start = html
        .find(&format!("id=\"leerling-{student}\""))
        .unwrap_or_else(|| panic!("leerling {student} staat niet op de pagina: {html}"));
    let end = html[start..]
        .find("</fieldset>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

async fn a_sick_report_over_the_lesson_shows_on_its_page_and_present_keeps_it(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let [anna, bram] = [f.students_1a[0], f.students_1a[1]];
    let span = |student, start: (u32, u32), end: (u32, u32), code: &str| Registration {
        student,
        target: RegistrationTarget::Span {
            date: f.today,
            start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap(),
            end: NaiveTime::from_hms_opt(end.0, end.1, 0).unwrap(),
        },
        code: code.into(),
        registered_by: Some(f.coordinator),
        registered_at: Utc::now(),
        note: "moeder belde".into(),
        minutes_late: None,
    };
    // Reception takes the phone call before school: Anna is sick all day. Bram has a dentist
    // visit after the first lesson, which does not overlap it.
    let sick = app
        .store
        .record_registration(f.school, &span(anna, (8, 0), (16, 0), "ZK"), COORDINATOR.0)
        .await
        .unwrap();
    app.store
        .record_registration(
            f.school,
            &span(bram, (10, 30), (11, 0), "MB"),
            COORDINATOR.0,
        )
        .await
        .unwrap();

    let lesson = format!("/lessen/{}", f.lesson_1a.0);
    let (status, html) = app.get_page(&lesson).await.unwrap();
    assert_eq!(status, 200);
    let of_anna = fieldset_of(&html, anna.0);
    assert!(
        of_anna.contains(
            "<p class=\"covering\">Ook geregistreerd: ZK 08:00–16:00 (ziek) door Carla Coördinator</p>"
        ),
        "{of_anna}"
    );
    assert!(
        !fieldset_of(&html, bram.0).contains("Ook geregistreerd"),
        "{html}"
    );

    // The teacher leaves Anna on "aanwezig" and marks Bram absent: the sick report stays.
    let (anna_status, bram_status) = (format!("status_{}", anna.0), format!("status_{}", bram.0));
    let r = app
        .post_form(
            &lesson,
            &lesson,
            &[
                (anna_status.as_str(), "aanwezig"),
                (bram_status.as_str(), "ON"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{lesson}?opgeslagen=1"));
    let of_anna = app
        .store
        .registrations_of_student(f.school, anna)
        .await
        .unwrap();
    assert_eq!(of_anna.len(), 1, "{of_anna:?}");
    assert_eq!(
        (
            of_anna[0].id,
            of_anna[0].registration.code.as_str(),
            of_anna[0].withdrawn
        ),
        (sick, "ZK", false)
    );
    let (_, html) = app.get_page(&lesson).await.unwrap();
    assert!(
        fieldset_of(&html, anna.0).contains("Ook geregistreerd: ZK 08:00–16:00"),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(a_sick_report_over_the_lesson_shows_on_its_page_and_present_keeps_it);
