//! Logging in with inlognaam, wachtwoord and the tokengenerator's code; enrolling the token;
//! recovery codes; the session cookie; CSRF.

use verzuim_testkit::Backend;

use crate::kit::{MELDER, Seed, spawn_loket};

async fn login_needs_password_and_a_valid_totp_code(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    // Enrol first (the first login has no token yet).
    app.login(MELDER).await;

    let desk = app.browser();
    // Right password, no code.
    let r = app.post_login(&desk, MELDER, "").await;
    assert_eq!(r.status(), 401);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Inlognaam, wachtwoord of code klopt niet"),
        "{html}"
    );
    assert!(html.contains("value=\"melder\""), "the inlognaam is kept");
    // Right password, wrong code.
    let r = app.post_login(&desk, MELDER, "000000").await;
    assert_eq!(r.status(), 401);
    // Wrong password, a valid code.
    let code = app.peek_code(MELDER.0);
    let r = app
        .post_login(&desk, (MELDER.0, "niet-het-wachtwoord"), &code)
        .await;
    assert_eq!(r.status(), 401);
    // Still logged out.
    let r = desk.get("/").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inloggen");

    // Password and a fresh code: a full session, an HttpOnly cookie of its own.
    let code = app.fresh_code(MELDER.0).await;
    let r = app.post_login(&desk, MELDER, &code).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("loket_sessie="))
        .expect("sessiecookie loket_sessie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, html) = desk.get_page("/").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Mia Melder"), "{html}");
    assert!(html.contains("Testschool De Linde"), "{html}");
    assert!(
        !html.contains("class=\"proeftuin\""),
        "the real loket carries no proeftuin banner"
    );

    // The same code a second time is refused (a step is never accepted twice).
    let other = app.browser();
    let r = app.post_login(&other, MELDER, &code).await;
    assert_eq!(r.status(), 401, "replayed code");
    app.stop().await;
}
on_both_backends!(login_needs_password_and_a_valid_totp_code);

async fn first_login_enrols_the_token_and_shows_the_recovery_codes_once(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let desk = app.browser();
    let r = app.post_login(&desk, MELDER, "").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/token-koppelen");

    // An enrolment session can do nothing but enrol.
    for path in ["/", "/scholen/12AB/meldingen", "/scholen/12AB/locaties"] {
        let r = desk.get(path).await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(r.headers()["location"], "/token-koppelen", "{path}");
    }

    let (status, html) = desk.get_page("/token-koppelen").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "QR code inline: {html}");
    assert!(html.contains("Tokengenerator koppelen"));
    let secret = crate::kit::secret_from(&html).expect("secret shown");
    assert!(secret.len() >= 16, "{secret}");
    // Reloading shows the same secret.
    let (_, again) = desk.get_page("/token-koppelen").await.unwrap();
    assert_eq!(
        crate::kit::secret_from(&again).as_deref(),
        Some(secret.as_str())
    );

    // A wrong code is refused beside the field.
    let r = desk
        .post_form("/token-koppelen", "/token-koppelen", &[("code", "123")])
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"code-error\""), "{html}");
    assert!(
        html.contains("href=\"#code\""),
        "error summary links to the field"
    );

    // The right code: ten recovery codes, and the session is a full one.
    app.remember_secret(MELDER.0, &secret);
    let code = app.fresh_code(MELDER.0).await;
    let r = desk
        .post_form("/token-koppelen", "/token-koppelen", &[("code", &code)])
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("loket_sessie="))
        .expect("the cookie now lasts as long as a full session");
    assert!(cookie.contains("Max-Age=28800"), "{cookie}");
    let html = r.text().await.unwrap();
    let list = html
        .split("id=\"herstelcodes\">")
        .nth(1)
        .and_then(|s| s.split("</ol>").next())
        .expect("recovery codes");
    assert_eq!(list.matches("<li>").count(), 10, "{list}");
    let (status, _) = desk.get_page("/").await.unwrap();
    assert_eq!(status, 200);
    // Shown once: the enrolment page now sends the user on.
    let r = desk.get("/token-koppelen").await.unwrap();
    assert_eq!(r.status(), 303);

    // A recovery code replaces the TOTP code, once.
    let recovery = list
        .split("<li>")
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .unwrap()
        .trim()
        .to_owned();
    let other = app.browser();
    let r = app.post_login(&other, MELDER, &recovery).await;
    assert_eq!(r.status(), 303, "recovery code accepted");
    let third = app.browser();
    let r = app.post_login(&third, MELDER, &recovery).await;
    assert_eq!(r.status(), 401, "a recovery code works once");
    app.stop().await;
}
on_both_backends!(first_login_enrols_the_token_and_shows_the_recovery_codes_once);

async fn posts_without_the_csrf_token_are_refused_and_logout_ends_the_session(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let desk = app.login(crate::kit::BEHEERDER).await;
    let r = desk
        .post_raw("/scholen/12AB/locaties/nieuw", &[("name", "Zonder token")])
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = desk
        .post_raw(
            "/scholen/12AB/locaties/nieuw",
            &[("csrf", "vals-token"), ("name", "Vals token")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let beheerder = app.loket.load_actor("beheerder").await.unwrap().unwrap();
    let brin = verzuim_domain::Brin::parse("12AB").unwrap();
    let names: Vec<String> = app
        .loket
        .list_locations(&beheerder, &brin, "")
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["Hoofdgebouw"]);

    // Security headers on every page.
    let r = desk.get("/").await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");

    let r = desk.post_form("/", "/uitloggen", &[]).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inloggen");
    let r = desk.get("/scholen/12AB/locaties").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/inloggen?terug=%2Fscholen%2F12AB%2Flocaties"
    );
    app.stop().await;
}
on_both_backends!(posts_without_the_csrf_token_are_refused_and_logout_ends_the_session);
