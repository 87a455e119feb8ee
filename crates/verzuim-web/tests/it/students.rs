//! The student list and page: reading is audited, changes show in the history.

use verzuim_store::AuditAction;
use verzuim_testkit::{Backend, COORDINATOR, TEACHER};

use crate::logged_in;

async fn reading_a_student_page_writes_an_audit_entry(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    let f = &app.fixture;
    let anna = f.students_1a[0];
    let before = app.store.audit_of_student(f.school, anna).await.unwrap();
    assert!(before.iter().all(|a| a.action != AuditAction::Read));
    let (status, html) = app
        .get_page(&format!("/leerlingen/{}", anna.0))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("Anna de Vries") && html.contains("1001"),
        "{html}"
    );
    let audit = app.store.audit_of_student(f.school, anna).await.unwrap();
    let reads: Vec<_> = audit
        .iter()
        .filter(|a| a.action == AuditAction::Read)
        .collect();
    assert_eq!(reads.len(), 1, "{audit:?}");
    assert_eq!(reads[0].detail, "leerlingpagina");
    assert_eq!(reads[0].actor, Some(f.coordinator));
    assert_eq!(reads[0].actor_label, COORDINATOR.0);
    app.stop().await;
}
on_both_backends!(reading_a_student_page_writes_an_audit_entry);

async fn registration_changed_from_on_to_sp_appears_in_the_students_history(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = app.fixture.clone();
    let lesson = format!("/lessen/{}", f.lesson_1a.0);
    let anna = format!("status_{}", f.students_1a[0].0);
    let anna_code = format!("code_{}", f.students_1a[0].0);
    let r = app
        .post_form(&lesson, &lesson, &[(anna.as_str(), "ON")])
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The coordinator, at another desk, replaces ON by SP (seed 004 §4: "Mentor verandert
    // ON in SP").
    let vc = app.new_browser().unwrap();
    assert_eq!(
        vc.login(COORDINATOR.0, COORDINATOR.1)
            .await
            .unwrap()
            .status(),
        303
    );
    let r = vc
        .post_form(
            &lesson,
            &lesson,
            &[(anna.as_str(), "anders"), (anna_code.as_str(), "SP")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let history = app
        .store
        .history_of_student(f.school, f.students_1a[0])
        .await
        .unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.change.old_code.as_deref() == Some("ON")
                && h.change.new_code.as_deref() == Some("SP")
                && h.changed_by_name == "Carla Coördinator"),
        "{history:?}"
    );
    let (status, html) = vc
        .get_page(&format!("/leerlingen/{}", f.students_1a[0].0))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("ON → SP</strong> door Carla Coördinator"),
        "{html}"
    );
    assert!(
        html.contains("nieuw → ON</strong> door Dirk Docent"),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(registration_changed_from_on_to_sp_appears_in_the_students_history);

async fn student_list_searches_filters_by_group_and_pages(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    let f = &app.fixture;
    let (status, html) = app.get_page("/leerlingen").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("4 leerling(en) gevonden"), "{html}");
    assert!(html.contains("<label for=\"zoek\">") && html.contains("<label for=\"groep\">"));
    let (_, html) = app.get_page("/leerlingen?zoek=jans").await.unwrap();
    assert!(
        html.contains("Jansen, Bram") && !html.contains("Vries, Anna de"),
        "{html}"
    );
    let (_, html) = app
        .get_page(&format!("/leerlingen?groep={}", f.group_1b.0))
        .await
        .unwrap();
    assert!(
        html.contains("Smit, Daan") && !html.contains("Jansen, Bram"),
        "{html}"
    );
    assert!(html.contains("Pagina 1 van 1"), "{html}");
    app.stop().await;
}
on_both_backends!(student_list_searches_filters_by_group_and_pages);

async fn the_student_list_audits_a_read_of_every_student_shown(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    let f = app.fixture.clone();
    let reads = |student| {
        let store = app.store.clone();
        async move {
            store
                .audit_of_student(f.school, student)
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.action == AuditAction::Read)
                .collect::<Vec<_>>()
        }
    };
    // A search that shows only Bram reads only Bram.
    let (status, html) = app.get_page("/leerlingen?zoek=jans").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Jansen, Bram"), "{html}");
    let bram = reads(f.students_1a[1]).await;
    assert_eq!(bram.len(), 1, "{bram:?}");
    assert_eq!(
        (
            bram[0].detail.as_str(),
            bram[0].actor,
            bram[0].actor_label.as_str()
        ),
        ("leerlingenlijst", Some(f.coordinator), COORDINATOR.0)
    );
    assert!(reads(f.students_1a[0]).await.is_empty());

    // The whole list: every one of the four students shown is read once more.
    let (_, html) = app.get_page("/leerlingen").await.unwrap();
    assert!(html.contains("4 leerling(en) gevonden"), "{html}");
    assert_eq!(reads(f.students_1a[1]).await.len(), 2);
    for student in [f.students_1a[0], f.students_1a[2], f.student_1b] {
        let r = reads(student).await;
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].detail, "leerlingenlijst");
    }
    // Another school's student is neither shown nor read; no read is left without a student.
    assert!(
        app.store
            .audit_of_student(f.other_school, f.other_school_student)
            .await
            .unwrap()
            .is_empty()
    );
    let without_student = app.store.audit_of_school(f.school, 100).await.unwrap();
    assert!(
        without_student
            .iter()
            .all(|a| a.action != AuditAction::Read),
        "{without_student:?}"
    );
    app.stop().await;
}
on_both_backends!(the_student_list_audits_a_read_of_every_student_shown);
