//! Role checks: a user sees only what the role allows; everything else answers 404, never
//! another school's or gemeente's data.

use verzuim_testkit::Backend;

use crate::kit::{
    AMSTERDAM, BEHEERDER, LPA, LPA_B, MELDER, MELDER_B, Seed, UTRECHT, bsn, file, full_melding,
    spawn_loket,
};

async fn assert_404(browser: &verzuim_testkit::Browser, path: &str) {
    let (status, html) = browser.get_page(path).await.unwrap();
    assert_eq!(status, 404, "{path}: {html}");
    assert!(html.contains("Niet gevonden"), "{path}: {html}");
}

async fn melder_of_school_a_gets_404_on_school_b(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let melder_b = app.login(MELDER_B).await;
    let mut fields = full_melding(&app, &bsn(11), UTRECHT);
    for f in &mut fields {
        if f.0 == "location" {
            f.1 = "Hoofdlocatie".to_owned();
        }
    }
    let nummer_b = file(&melder_b, "34CD", &fields).await;

    let melder = app.login(MELDER).await;
    for path in [
        "/scholen/34CD/meldingen".to_owned(),
        "/scholen/34CD/meldingen/nieuw".to_owned(),
        format!("/scholen/34CD/meldingen/{nummer_b}"),
        // School A's path with school B's melding: not found either.
        format!("/scholen/12AB/meldingen/{nummer_b}"),
        "/scholen/34CD/contactpersonen".to_owned(),
        "/scholen/34CD/locaties".to_owned(),
        "/scholen/34CD/rapportages".to_owned(),
        "/scholen/34CD/rapportages/maandrapportage.csv".to_owned(),
        format!("/gemeenten/{UTRECHT}/meldingen"),
        format!("/gemeenten/{UTRECHT}/meldingen/{nummer_b}"),
        "/beheer".to_owned(),
        "/beheer/audit".to_owned(),
        "/scholen/XXXX/meldingen".to_owned(),
    ] {
        assert_404(&melder, &path).await;
    }
    // Posting to school B is refused the same way, and nothing is stored.
    let r = melder
        .post_form(
            "/scholen/12AB/meldingen",
            &format!("/scholen/34CD/meldingen/{nummer_b}/intrekken"),
            &[("note", "niet van mij")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (_, html) = melder_b
        .get_page(&format!("/scholen/34CD/meldingen/{nummer_b}"))
        .await
        .unwrap();
    assert!(html.contains("status-R"), "still geregistreerd: {html}");
    // School A's own list does not show B's melding.
    let (status, html) = melder.get_page("/scholen/12AB/meldingen").await.unwrap();
    assert_eq!(status, 200);
    assert!(!html.contains(&nummer_b), "{html}");
    app.stop().await;
}
on_both_backends!(melder_of_school_a_gets_404_on_school_b);

async fn a_gemeente_sees_only_meldingen_of_its_residents(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let melder = app.login(MELDER).await;
    let utrecht = file(&melder, "12AB", &full_melding(&app, &bsn(21), UTRECHT)).await;
    let amsterdam = file(&melder, "12AB", &full_melding(&app, &bsn(22), AMSTERDAM)).await;

    let lpa = app.login(LPA).await;
    let (status, html) = lpa
        .get_page(&format!("/gemeenten/{UTRECHT}/meldingen"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(html.contains(&utrecht), "{html}");
    assert!(!html.contains(&amsterdam), "{html}");
    let (status, _) = lpa
        .get_page(&format!("/gemeenten/{UTRECHT}/meldingen/{utrecht}"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_404(&lpa, &format!("/gemeenten/{UTRECHT}/meldingen/{amsterdam}")).await;
    assert_404(&lpa, &format!("/gemeenten/{AMSTERDAM}/meldingen")).await;
    assert_404(
        &lpa,
        &format!("/gemeenten/{AMSTERDAM}/meldingen/{amsterdam}"),
    )
    .await;
    assert_404(&lpa, "/scholen/12AB/meldingen").await;
    assert_404(&lpa, &format!("/scholen/12AB/meldingen/{utrecht}")).await;

    let lpa_b = app.login(LPA_B).await;
    let (_, html) = lpa_b
        .get_page(&format!("/gemeenten/{AMSTERDAM}/meldingen"))
        .await
        .unwrap();
    assert!(
        html.contains(&amsterdam) && !html.contains(&utrecht),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(a_gemeente_sees_only_meldingen_of_its_residents);

async fn a_melder_cannot_manage_locations_or_contacts(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let melder = app.login(MELDER).await;
    // Looking is allowed (the melding form picks from the list), without the controls.
    let (status, html) = melder.get_page("/scholen/12AB/locaties").await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Hoofdgebouw"), "{html}");
    assert!(
        !html.contains("id=\"toevoegen\""),
        "no add button for a melder"
    );
    for path in [
        "/scholen/12AB/locaties/nieuw",
        "/scholen/12AB/contactpersonen/nieuw",
    ] {
        assert_404(&melder, path).await;
    }
    let r = melder
        .post_form(
            "/scholen/12AB/locaties",
            "/scholen/12AB/locaties/nieuw",
            &[("name", "Stiekeme locatie")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = melder
        .post_form(
            "/scholen/12AB/contactpersonen",
            "/scholen/12AB/contactpersonen/nieuw",
            &[
                ("name", "Stiekem"),
                ("function", "x"),
                ("phone", "0301234567"),
                ("email", "x@example.org"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let beheerder = app.login(BEHEERDER).await;
    let (_, html) = beheerder.get_page("/scholen/12AB/locaties").await.unwrap();
    assert!(!html.contains("Stiekeme locatie"), "{html}");
    assert!(html.contains("id=\"toevoegen\""), "the beheerder may add");
    app.stop().await;
}
on_both_backends!(a_melder_cannot_manage_locations_or_contacts);
