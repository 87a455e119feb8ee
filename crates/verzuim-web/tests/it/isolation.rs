//! Tenants are isolated: another school's students and lessons do not exist for this school.

use verzuim_testkit::{Backend, COORDINATOR, TEACHER};

use crate::logged_in;

async fn another_schools_student_is_not_found(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    let f = &app.fixture;
    let (status, html) = app
        .get_page(&format!("/leerlingen/{}", f.other_school_student.0))
        .await
        .unwrap();
    assert_eq!(status, 404);
    assert!(
        html.contains("Niet gevonden") && !html.contains("Elders"),
        "{html}"
    );
    let audit = app
        .store
        .audit_of_student(f.other_school, f.other_school_student)
        .await
        .unwrap();
    assert!(
        audit.iter().all(|a| a.detail != "leerlingpagina"),
        "no read happened: {audit:?}"
    );
    let (_, list) = app.get_page("/leerlingen?zoek=Eva").await.unwrap();
    assert!(list.contains("0 leerling(en) gevonden"), "{list}");
    app.stop().await;
}
on_both_backends!(another_schools_student_is_not_found);

async fn another_schools_lesson_is_not_found_to_read_or_write(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    let f = &app.fixture;
    let path = format!("/lessen/{}", f.other_school_lesson.0);
    let (status, _) = app.get_page(&path).await.unwrap();
    assert_eq!(status, 404);
    let eva = format!("status_{}", f.other_school_student.0);
    let r = app
        .post_form("/", &path, &[(eva.as_str(), "ON")])
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let regs = app
        .store
        .registrations_for_lesson(f.other_school, f.other_school_lesson)
        .await
        .unwrap();
    assert!(regs.is_empty());
    app.stop().await;
}
on_both_backends!(another_schools_lesson_is_not_found_to_read_or_write);

async fn docent_sees_only_students_of_groups_they_teach(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = &app.fixture;
    let (_, list) = app.get_page("/leerlingen").await.unwrap();
    assert!(
        list.contains("Vries, Anna de") && list.contains("Jansen, Bram"),
        "{list}"
    );
    assert!(
        !list.contains("Smit, Daan"),
        "1B is not the teacher's group: {list}"
    );
    let (status, _) = app
        .get_page(&format!("/leerlingen/{}", f.student_1b.0))
        .await
        .unwrap();
    assert_eq!(status, 404);
    let (status, _) = app
        .get_page(&format!("/lessen/{}", f.lesson_1b.0))
        .await
        .unwrap();
    assert_eq!(status, 404);
    app.stop().await;
}
on_both_backends!(docent_sees_only_students_of_groups_they_teach);

async fn unknown_or_malformed_ids_are_a_dutch_404(backend: Backend) {
    let app = logged_in(backend, COORDINATOR).await;
    for path in [
        "/leerlingen/999999",
        "/leerlingen/abc",
        "/lessen/0",
        "/bestaat-niet",
    ] {
        let (status, html) = app.get_page(path).await.unwrap();
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Deze pagina bestaat niet"), "{path}: {html}");
    }
    app.stop().await;
}
on_both_backends!(unknown_or_malformed_ids_are_a_dutch_404);
