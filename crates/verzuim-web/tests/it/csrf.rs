//! Every POST carries the session's CSRF token and, when the browser names it, comes from
//! this site.

use verzuim_testkit::{Backend, TEACHER, csrf_from};

use crate::{logged_in, start};

async fn post_without_csrf_token_is_forbidden_and_saves_nothing(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let f = &app.fixture;
    let anna = format!("status_{}", f.students_1a[0].0);
    let r = app
        .post_raw(
            &format!("/lessen/{}", f.lesson_1a.0),
            &[(anna.as_str(), "ON")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Geen toegang") && html.contains("laad de pagina opnieuw"),
        "{html}"
    );
    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    assert!(regs.is_empty(), "nothing saved: {regs:?}");
    app.stop().await;
}
on_both_backends!(post_without_csrf_token_is_forbidden_and_saves_nothing);

async fn post_with_a_wrong_csrf_token_is_forbidden(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let r = app
        .post_raw(
            "/uitloggen",
            &[("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (status, _) = app.get_page("/").await.unwrap();
    assert_eq!(status, 200, "still logged in");
    app.stop().await;
}
on_both_backends!(post_with_a_wrong_csrf_token_is_forbidden);

async fn post_from_another_origin_is_forbidden_even_with_the_token(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let (_, html) = app.get_page("/").await.unwrap();
    let csrf = csrf_from(&html).unwrap();
    let r = app
        .client
        .post(app.url("/uitloggen"))
        .header("origin", "http://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .post(app.url("/uitloggen"))
        .header("origin", app.address.as_str())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "same origin passes");
    app.stop().await;
}
on_both_backends!(post_from_another_origin_is_forbidden_even_with_the_token);

async fn login_post_without_csrf_token_is_forbidden(backend: Backend) {
    let app = start(backend).await;
    let r = app
        .post_raw(
            "/inloggen",
            &[("gebruikersnaam", TEACHER.0), ("wachtwoord", TEACHER.1)],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}
on_both_backends!(login_post_without_csrf_token_is_forbidden);
