//! The site administrator: organisations, users and roles, a lost token, the audit log.

use verzuim_testkit::Backend;

use crate::kit::{ADMIN, MELDER, Seed, UTRECHT, bsn, file, full_melding, spawn_loket};

async fn the_site_admin_manages_organisations_users_and_roles_and_reads_the_audit_log(
    backend: Backend,
) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let nummer = file(&m, "12AB", &full_melding(&app, &bsn(111), UTRECHT)).await;
    let (status, _) = m
        .get_page(&format!("/scholen/12AB/meldingen/{nummer}"))
        .await
        .unwrap();
    assert_eq!(status, 200);

    let a = app.login(ADMIN).await;
    let (status, html) = a.get_page("/beheer").await.unwrap();
    assert_eq!(status, 200, "{html}");
    let orgs = "/beheer/organisaties";
    let r = a
        .post_form(
            orgs,
            orgs,
            &[
                ("soort", "school"),
                ("brin", "56EF"),
                ("name", "Het Nieuwe College"),
                ("sector", "vo"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = a
        .post_form(
            orgs,
            orgs,
            &[
                ("soort", "gemeente"),
                ("code", "0599"),
                ("name", "Rotterdam"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = a
        .post_form(
            orgs,
            orgs,
            &[("soort", "gemeente"), ("code", "abc"), ("name", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"code-error\""), "{html}");
    let (_, html) = a.get_page(orgs).await.unwrap();
    assert!(
        html.contains("Het Nieuwe College") && html.contains("Rotterdam"),
        "{html}"
    );

    // A user with a role at the new school.
    let users = "/beheer/gebruikers";
    let r = a
        .post_form(
            users,
            users,
            &[
                ("username", "nieuwe-melder"),
                ("name", "Nina Nieuw"),
                ("password", "nieuw-wachtwoord-1"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let user_page = r.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let r = a
        .post_form(
            &user_page,
            &user_page,
            &[
                ("actie", "rol-toekennen"),
                ("role", "melder"),
                ("organisation", "56EF"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = a
        .post_form(
            &user_page,
            &user_page,
            &[
                ("actie", "rol-toekennen"),
                ("role", "melder"),
                ("organisation", "99ZZ"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "unknown school");
    let (_, html) = a.get_page(&user_page).await.unwrap();
    assert!(html.contains("verzuimloket melder (56EF)"), "{html}");
    let nina = app.login(("nieuwe-melder", "nieuw-wachtwoord-1")).await;
    let (status, html) = nina.get_page("/").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Het Nieuwe College"), "{html}");

    // A lost token: after the reset the next login enrols again.
    let r = a
        .post_form(&user_page, &user_page, &[("actie", "token-resetten")])
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = nina.get("/").await.unwrap();
    assert_eq!(r.status(), 303, "sessions ended");
    let again = app.browser();
    let r = app
        .post_login(&again, ("nieuwe-melder", "nieuw-wachtwoord-1"), "")
        .await;
    assert_eq!(r.headers()["location"], "/token-koppelen");

    // Revoke.
    let r = a
        .post_form(
            &user_page,
            &user_page,
            &[
                ("actie", "rol-intrekken"),
                ("role", "melder"),
                ("organisation", "56EF"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = a.get_page(&user_page).await.unwrap();
    assert!(!html.contains("verzuimloket melder (56EF)"), "{html}");

    // The audit log shows who viewed the melding.
    let (status, html) = a.get_page("/beheer/audit").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("melder"), "{html}");
    assert!(html.contains("Pagina 1 van"), "{html}");
    app.stop().await;
}
on_both_backends!(the_site_admin_manages_organisations_users_and_roles_and_reads_the_audit_log);
