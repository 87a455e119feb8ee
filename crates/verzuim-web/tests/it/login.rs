//! Logging in and out.

use verzuim_testkit::{Backend, TEACHER};

use crate::{logged_in, start};

async fn correct_password_opens_a_session_showing_todays_lessons(backend: Backend) {
    let app = start(backend).await;
    let r = app.login(TEACHER.0, TEACHER.1).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookies: Vec<_> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("verzuim_sessie="))
        .expect("sessiecookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Max-Age=28800"),
        "{session}"
    );
    let (status, html) = app.get_page("/").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Dirk Docent"), "{html}");
    assert!(
        html.contains("ENG") && html.contains("1A") && html.contains("WI"),
        "{html}"
    );
    assert!(html.contains(&format!("/lessen/{}", app.fixture.lesson_1a.0)));
    assert!(
        !html.contains("NE</strong>"),
        "lessons of another teacher are not listed"
    );
    app.stop().await;
}
on_both_backends!(correct_password_opens_a_session_showing_todays_lessons);

async fn wrong_password_is_refused_with_a_dutch_message(backend: Backend) {
    let app = start(backend).await;
    let r = app.login(TEACHER.0, "niet-het-wachtwoord").await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("verzuim_sessie="))
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Gebruikersnaam of wachtwoord klopt niet"),
        "{html}"
    );
    assert!(html.contains("value=\"docent\""), "the username is kept");
    let r = app.get("/").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inloggen");
    app.stop().await;
}
on_both_backends!(wrong_password_is_refused_with_a_dutch_message);

async fn unknown_user_gets_the_same_answer_as_a_wrong_password(backend: Backend) {
    let app = start(backend).await;
    let r = app.login("bestaat-niet", "wat-dan-ook-123").await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Gebruikersnaam of wachtwoord klopt niet")
    );
    app.stop().await;
}
on_both_backends!(unknown_user_gets_the_same_answer_as_a_wrong_password);

async fn logout_ends_the_session_in_the_database(backend: Backend) {
    let app = logged_in(backend, TEACHER).await;
    let r = app.post_form("/", "/uitloggen", &[]).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inloggen");
    let r = app.get("/leerlingen").await.unwrap();
    assert_eq!(r.status(), 303, "after logout the pages ask to log in");
    assert_eq!(r.headers()["location"], "/inloggen?terug=%2Fleerlingen");
    app.stop().await;
}
on_both_backends!(logout_ends_the_session_in_the_database);

async fn login_returns_to_the_page_asked_for(backend: Backend) {
    let app = start(backend).await;
    let (_, html) = app.get_page("/inloggen?terug=%2Fleerlingen").await.unwrap();
    assert!(
        html.contains("name=\"terug\" value=\"/leerlingen\""),
        "{html}"
    );
    let r = app
        .post_form(
            "/inloggen",
            "/inloggen",
            &[
                ("gebruikersnaam", TEACHER.0),
                ("wachtwoord", TEACHER.1),
                ("terug", "/leerlingen"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/leerlingen");
    let other_desk = app.new_browser().unwrap();
    let r = other_desk
        .post_form(
            "/inloggen",
            "/inloggen",
            &[
                ("gebruikersnaam", TEACHER.0),
                ("wachtwoord", TEACHER.1),
                ("terug", "//evil.example/"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/", "no open redirect");
    app.stop().await;
}
on_both_backends!(login_returns_to_the_page_asked_for);

async fn five_failed_logins_lock_the_username_for_fifteen_minutes(backend: Backend) {
    let app = start(backend).await;
    for _ in 0..5 {
        let r = app.login(TEACHER.0, "fout-wachtwoord").await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = app.login(TEACHER.0, TEACHER.1).await.unwrap();
    assert_eq!(r.status(), 429, "locked even with the right password");
    let html = r.text().await.unwrap();
    assert!(html.contains("Te veel mislukte pogingen"), "{html}");
    let since = chrono::Utc::now() - chrono::Duration::minutes(15);
    assert!(
        app.store
            .login_failures_since(TEACHER.0, since)
            .await
            .unwrap()
            >= 5
    );
    // Another username is not affected.
    let other = app.new_browser().unwrap();
    let r = other
        .login(
            verzuim_testkit::COORDINATOR.0,
            verzuim_testkit::COORDINATOR.1,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}
on_both_backends!(five_failed_logins_lock_the_username_for_fifteen_minutes);
