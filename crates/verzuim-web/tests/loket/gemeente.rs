//! The gemeente's side: routing by residence, the inbox and its filters, the terugmelding the
//! school sees, the day specification only when filled, and vrijstellingen.

use verzuim_testkit::Backend;

use crate::kit::{
    ADMIN, AMSTERDAM, LPA, LPA_B, MELDER, Seed, UTRECHT, bsn, file, full_melding, post_multipart,
    spawn_loket,
};

async fn a_melding_goes_to_the_gemeente_of_residence_and_the_register_wins(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let student = bsn(61);
    // The site admin imports the resident register: the student lives in Amsterdam.
    let admin = app.login(ADMIN).await;
    let text = format!("bsn;gemeentecode\n{student};{AMSTERDAM}\n");
    let r = post_multipart(
        &admin,
        "/beheer/inwoners",
        "/beheer/inwoners",
        &[("tekst", &text)],
        None,
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = admin
        .get_page(r.headers()["location"].to_str().unwrap())
        .await
        .unwrap();
    assert!(html.contains("1 regel ingelezen"), "{html}");
    // A bad line refuses the whole file, with its line number.
    let r = post_multipart(
        &admin,
        "/beheer/inwoners",
        "/beheer/inwoners",
        &[],
        Some(("bestand", "register.csv", "text/csv", b"123456789;0344\n")),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"file-error\""));

    // The school says Utrecht; the register says Amsterdam.
    let m = app.login(MELDER).await;
    let registered = file(&m, "12AB", &full_melding(&app, &student, UTRECHT)).await;
    let by_school = file(&m, "12AB", &full_melding(&app, &bsn(62), UTRECHT)).await;

    let amsterdam = app.login(LPA_B).await;
    let (_, html) = amsterdam
        .get_page(&format!("/gemeenten/{AMSTERDAM}/meldingen"))
        .await
        .unwrap();
    assert!(
        html.contains(&registered) && !html.contains(&by_school),
        "{html}"
    );
    let (_, html) = amsterdam
        .get_page(&format!("/gemeenten/{AMSTERDAM}/meldingen/{registered}"))
        .await
        .unwrap();
    assert!(html.contains("woonplaatsregister"), "{html}");

    let utrecht = app.login(LPA).await;
    let (_, html) = utrecht
        .get_page(&format!("/gemeenten/{UTRECHT}/meldingen"))
        .await
        .unwrap();
    assert!(
        html.contains(&by_school) && !html.contains(&registered),
        "{html}"
    );
    let (status, _) = utrecht
        .get_page(&format!("/gemeenten/{UTRECHT}/meldingen/{registered}"))
        .await
        .unwrap();
    assert_eq!(status, 404);
    app.stop().await;
}
on_both_backends!(a_melding_goes_to_the_gemeente_of_residence_and_the_register_wins);

async fn the_terugmelding_of_the_gemeente_is_visible_to_the_school(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let nummer = file(&m, "12AB", &full_melding(&app, &bsn(71), UTRECHT)).await;
    let school_page = format!("/scholen/12AB/meldingen/{nummer}");

    let lpa = app.login(LPA).await;
    let inbox = format!("/gemeenten/{UTRECHT}/meldingen");
    let (_, html) = lpa.get_page(&format!("{inbox}?status=R")).await.unwrap();
    assert!(html.contains(&nummer), "new meldingen: {html}");
    let page = format!("{inbox}/{nummer}");
    let (status, html) = lpa.get_page(&page).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Sanne Johanna van der Berg"), "{html}");
    // No day specification yet: the gemeente does not see the section.
    assert!(!html.contains("Verzuimdagspecificatie"), "{html}");
    // Every closing reason and explanation of the Besluit is offered.
    assert_eq!(html.matches("name=\"closing_reason\"").count(), 1);
    for reason in verzuim_loket::ClosingReason::ALL {
        assert!(
            html.contains(&format!("value=\"{}\"", reason.code())),
            "{reason:?}"
        );
    }
    for x in verzuim_loket::ClosingExplanation::ALL {
        assert!(html.contains(&format!("value=\"{}\"", x.code())), "{x:?}");
    }

    let contact = [
        ("contact_name", "Lotte Leerplicht"),
        ("contact_function", "leerplichtambtenaar"),
        ("contact_phone", "030 286 0000"),
        ("contact_email", "leerplicht@utrecht.example"),
    ];
    // In behandeling.
    let mut fields = vec![("status", "B")];
    fields.extend(contact);
    let r = lpa.post_form(&page, &page, &fields).await.unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = m.get_page(&school_page).await.unwrap();
    assert!(
        html.contains("status-B") && html.contains("In behandeling"),
        "{html}"
    );
    let (_, html) = lpa.get_page(&format!("{inbox}?status=B")).await.unwrap();
    assert!(html.contains(&nummer), "in behandeling: {html}");
    let (_, html) = lpa.get_page(&format!("{inbox}?status=R")).await.unwrap();
    assert!(!html.contains(&nummer), "no longer new: {html}");

    // Afgesloten without a reason is refused beside the field.
    let mut fields = vec![("status", "G"), ("closing_reason", ""), ("explanation", "")];
    fields.extend(contact);
    let r = lpa.post_form(&page, &page, &fields).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"closing_reason-error\"") && html.contains("id=\"explanation-error\""),
        "{html}"
    );

    // The school has added its lesuren meanwhile: now the gemeente sees them.
    let spec = format!("{}: hele dag", app.days_ago(10).format("%d-%m-%Y"));
    let r = m
        .post_form(
            &school_page,
            &format!("{school_page}/lesuren"),
            &[("day_spec", &spec)],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = lpa.get_page(&page).await.unwrap();
    assert!(
        html.contains("Verzuimdagspecificatie") && html.contains("hele dag"),
        "{html}"
    );

    // Afgesloten: terug naar school, gezien.
    let mut fields = vec![
        ("status", "G"),
        ("closing_reason", "TERUG"),
        ("explanation", "GEZIEN"),
    ];
    fields.extend(contact);
    let r = lpa.post_form(&page, &page, &fields).await.unwrap();
    assert_eq!(r.status(), 303);

    let (_, html) = m.get_page(&school_page).await.unwrap();
    for shown in [
        "Terugmelding van de gemeente",
        "Afgesloten",
        "Terug naar school, opleiding hervat",
        "Leerling/deelnemer is gezien door gemeente",
        "Lotte Leerplicht",
        "leerplicht@utrecht.example",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    assert!(
        !html.contains("Melding intrekken</button>"),
        "finished: {html}"
    );
    // A finished melding cannot change again.
    let r = m
        .post_form(
            &school_page,
            &format!("{school_page}/intrekken"),
            &[("note", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let mut fields = vec![("status", "B")];
    fields.extend(contact);
    let r = lpa.post_form(&page, &page, &fields).await.unwrap();
    assert_eq!(r.status(), 409);
    app.stop().await;
}
on_both_backends!(the_terugmelding_of_the_gemeente_is_visible_to_the_school);

async fn the_inbox_filters_by_school_kind_and_period(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let sixteen = file(&m, "12AB", &full_melding(&app, &bsn(81), UTRECHT)).await;
    let mut luxe = full_melding(&app, &bsn(82), UTRECHT);
    for f in &mut luxe {
        if f.0 == "kind" {
            f.1 = "L".to_owned();
        }
    }
    let luxe = file(&m, "12AB", &luxe).await;
    let lpa = app.login(LPA).await;
    let inbox = format!("/gemeenten/{UTRECHT}/meldingen");
    let (_, html) = lpa.get_page(&format!("{inbox}?soort=L")).await.unwrap();
    assert!(html.contains(&luxe) && !html.contains(&sixteen), "{html}");
    let (_, html) = lpa.get_page(&format!("{inbox}?school=12AB")).await.unwrap();
    assert!(html.contains(&luxe) && html.contains(&sixteen), "{html}");
    let (_, html) = lpa.get_page(&format!("{inbox}?school=34CD")).await.unwrap();
    assert!(!html.contains(&luxe) && !html.contains(&sixteen), "{html}");
    let today = app.today.format("%d-%m-%Y").to_string();
    let (_, html) = lpa
        .get_page(&format!("{inbox}?van={today}&tot={today}"))
        .await
        .unwrap();
    assert!(html.contains(&luxe) && html.contains(&sixteen), "{html}");
    let long_ago = app.days_ago(400).format("%d-%m-%Y").to_string();
    let (_, html) = lpa
        .get_page(&format!("{inbox}?tot={long_ago}"))
        .await
        .unwrap();
    assert!(!html.contains(&luxe), "{html}");
    let (status, html) = lpa
        .get_page(&format!("{inbox}?van=gisteren"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("id=\"van-error\""), "{html}");
    app.stop().await;
}
on_both_backends!(the_inbox_filters_by_school_kind_and_period);

async fn a_vrijstelling_withdraws_overlapping_meldingen_and_the_school_sees_why(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let student = bsn(91);
    let open = file(&m, "12AB", &full_melding(&app, &student, UTRECHT)).await;

    let lpa = app.login(LPA).await;
    let page = format!("/gemeenten/{UTRECHT}/vrijstellingen");
    // Invalid: refused beside the fields.
    let r = lpa
        .post_form(
            &page,
            &page,
            &[("student_number", "12"), ("from", ""), ("article", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for f in ["student_number", "from", "article"] {
        assert!(html.contains(&format!("id=\"{f}-error\"")), "{f}: {html}");
    }
    let from = app.days_ago(60).format("%d-%m-%Y").to_string();
    let r = lpa
        .post_form(
            &page,
            &page,
            &[
                ("student_number", &student),
                ("from", &from),
                ("until", ""),
                ("article", "art. 5 onder a Leerplichtwet 1969"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = lpa
        .get_page(r.headers()["location"].to_str().unwrap())
        .await
        .unwrap();
    assert!(
        html.contains(&open),
        "the withdrawn melding is named: {html}"
    );
    assert!(html.contains("art. 5 onder a Leerplichtwet 1969"), "{html}");

    let (_, html) = m
        .get_page(&format!("/scholen/12AB/meldingen/{open}"))
        .await
        .unwrap();
    assert!(
        html.contains("status-I") && html.contains("wegens vrijstelling"),
        "{html}"
    );

    // A new melding for the student is stored and withdrawn at once.
    let later = file(&m, "12AB", &full_melding(&app, &student, UTRECHT)).await;
    let (_, html) = m
        .get_page(&format!("/scholen/12AB/meldingen/{later}"))
        .await
        .unwrap();
    assert!(html.contains("wegens vrijstelling"), "{html}");

    // Delete it again.
    let (_, html) = lpa.get_page(&page).await.unwrap();
    let action = html
        .split("action=\"")
        .find(|s| s.contains("/verwijderen\""))
        .and_then(|s| s.split('"').next())
        .expect("verwijderknop")
        .to_owned();
    let r = lpa.post_form(&page, &action, &[]).await.unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = lpa.get_page(&page).await.unwrap();
    assert!(html.contains("Er zijn nog geen vrijstellingen"), "{html}");
    app.stop().await;
}
on_both_backends!(a_vrijstelling_withdraws_overlapping_meldingen_and_the_school_sees_why);
