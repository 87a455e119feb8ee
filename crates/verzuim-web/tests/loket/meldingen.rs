//! The school's meldingen: the full form accepted and numbered, each invalid field refused
//! with its message, and what comes later (end date, lesuren, attachments, withdrawal, a new
//! melding for continuing absence).

use verzuim_testkit::Backend;

use crate::kit::{MELDER, Seed, UTRECHT, bsn, file, full_melding, post_multipart, spawn_loket};

/// The smallest valid PNG (1×1 pixel).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

async fn a_melding_with_every_field_is_accepted_and_numbered(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let (status, html) = m.get_page("/scholen/12AB/meldingen/nieuw").await.unwrap();
    assert_eq!(status, 200);
    // The form has every field, the locations as choices and the melder read-only.
    for (field, _) in full_melding(&app, "x", UTRECHT) {
        assert!(
            html.contains(&format!("name=\"{field}\"")),
            "{field} ontbreekt: {html}"
        );
    }
    assert!(html.contains("<option value=\"Hoofdgebouw\""), "{html}");
    assert!(
        html.contains("Mia Melder") && html.contains("melder@school.example"),
        "{html}"
    );

    let student = bsn(31);
    let first = file(&m, "12AB", &full_melding(&app, &student, UTRECHT)).await;
    let second = file(&m, "12AB", &full_melding(&app, &bsn(32), UTRECHT)).await;
    for n in [&first, &second] {
        assert!(
            n.len() == 11 && n.starts_with("VM") && n[2..].chars().all(|c| c.is_ascii_digit()),
            "meldingsnummer {n}"
        );
    }
    assert_ne!(first, second, "each melding has its own number");

    let (status, html) = m
        .get_page(&format!("/scholen/12AB/meldingen/{first}?gedaan=ingediend"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    for shown in [
        format!("Het meldingsnummer is {first}"),
        student.clone(),
        "Sanne Johanna van der Berg".to_owned(),
        "04-05-2011".to_owned(),
        "vrouw".to_owned(),
        "16 uur in 4 weken".to_owned(),
        app.days_ago(20).format("%d-%m-%Y").to_string(),
        app.days_ago(3).format("%d-%m-%Y").to_string(),
        "Spijbelt om te werken in de supermarkt".to_owned(),
        "Gesprek met leerling en ouders".to_owned(),
        "Hoog".to_owned(),
        "Hoofdgebouw".to_owned(),
        "Kanaalweg 12b-2".to_owned(),
        "3526 KL Utrecht".to_owned(),
        "woonboot".to_owned(),
        "Mia Melder".to_owned(),
        "verzuimcoördinator".to_owned(),
        "melder@school.example".to_owned(),
        "Geregistreerd".to_owned(),
    ] {
        assert!(html.contains(&shown), "{shown} niet getoond: {html}");
    }
    let (_, list) = m.get_page("/scholen/12AB/meldingen").await.unwrap();
    assert!(list.contains(&first) && list.contains(&second), "{list}");
    app.stop().await;
}
on_both_backends!(a_melding_with_every_field_is_accepted_and_numbered);

fn with(
    mut fields: Vec<(&'static str, String)>,
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = (*v).to_owned(),
            None => fields.push((k, (*v).to_owned())),
        }
    }
    fields
}

async fn refused(m: &verzuim_testkit::Browser, fields: &[(&'static str, String)]) -> String {
    let path = "/scholen/12AB/meldingen/nieuw";
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = m.post_form(path, path, &pairs).await.unwrap();
    assert_eq!(r.status(), 422);
    r.text().await.unwrap()
}

fn assert_refused(html: &str, field: &str, message: &str) {
    assert!(
        html.contains(&format!("id=\"{field}-error\"")),
        "{field} niet gemarkeerd: {html}"
    );
    assert!(
        html.contains(&format!("href=\"#{field}\"")),
        "{field} niet in de foutsamenvatting"
    );
    assert!(
        html.contains(message),
        "{field}: '{message}' ontbreekt: {html}"
    );
}

async fn each_invalid_field_is_refused_with_its_message(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    let future = app
        .today
        .checked_add_days(chrono::Days::new(5))
        .unwrap()
        .format("%d-%m-%Y")
        .to_string();
    let html = refused(
        &m,
        &with(
            full_melding(&app, &bsn(41), UTRECHT),
            &[
                ("student_number", "123456789"),
                ("first_names", ""),
                ("surname", ""),
                ("birth_date", "31-02-2011"),
                ("gender", "Q"),
                ("residence_gemeente", "12"),
                ("start_qualification", "misschien"),
                ("kind", "V9"),
                ("begin_date", "gisteren"),
                ("end_date", &future),
                ("suspected_reason", ""),
                ("all_lessons_missed", ""),
                ("school_actions", ""),
                ("action_wanted", ""),
                ("location", "Onbekend gebouw"),
                ("parent_phone", "abc"),
                ("address_number", ""),
                ("absence_days", "veel"),
                ("absence_hours", "-3"),
            ],
        ),
    )
    .await;
    assert!(html.contains("Er is iets niet goed ingevuld"), "{html}");
    for (field, message) in [
        ("student_number", ""),
        ("first_names", "Dit veld is verplicht"),
        ("surname", "Dit veld is verplicht"),
        ("birth_date", ""),
        ("gender", "geen geslacht"),
        ("residence_gemeente", ""),
        ("start_qualification", ""),
        ("kind", "V9"),
        ("begin_date", ""),
        ("end_date", "toekomst"),
        ("suspected_reason", "Dit veld is verplicht"),
        ("all_lessons_missed", ""),
        ("school_actions", "Dit veld is verplicht"),
        ("action_wanted", ""),
        ("location", "staat niet in de locaties van de school"),
        ("parent_phone", ""),
        ("address_number", "huisnummer"),
        ("absence_days", ""),
        ("absence_hours", ""),
    ] {
        assert_refused(&html, field, message);
    }
    // What was typed stays in the form; nothing was stored.
    assert!(html.contains("value=\"gisteren\""), "{html}");
    assert!(html.contains("Spijbelt") || html.contains("id=\"suspected_reason\""));
    let (_, list) = m.get_page("/scholen/12AB/meldingen").await.unwrap();
    assert!(list.contains("Er zijn geen meldingen"), "{list}");

    // Rules across fields.
    let html = refused(
        &m,
        &with(
            full_melding(&app, &bsn(42), UTRECHT),
            &[("action_wanted", "ja"), ("priority", "")],
        ),
    )
    .await;
    assert_refused(&html, "priority", "prioriteit");
    let html = refused(
        &m,
        &with(
            full_melding(&app, &bsn(42), UTRECHT),
            &[
                ("action_wanted", "nee"),
                ("priority", ""),
                ("no_action_explanation", ""),
            ],
        ),
    )
    .await;
    assert_refused(&html, "no_action_explanation", "waarom geen actie");
    let html = refused(
        &m,
        &with(full_melding(&app, &bsn(42), UTRECHT), &[("end_date", "")]),
    )
    .await;
    assert_refused(&html, "end_date", "16 uur");
    let html = refused(&m, &with(full_melding(&app, &bsn(42), "9999"), &[])).await;
    assert_refused(&html, "residence_gemeente", "");
    app.stop().await;
}
on_both_backends!(each_invalid_field_is_refused_with_its_message);

async fn a_melding_gets_its_end_date_lesuren_attachments_and_can_be_withdrawn_or_continued(
    backend: Backend,
) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    // LRV without an end date: the end date follows later.
    let nummer = file(
        &m,
        "12AB",
        &with(
            full_melding(&app, &bsn(51), UTRECHT),
            &[("kind", "LRV"), ("end_date", "")],
        ),
    )
    .await;
    let page = format!("/scholen/12AB/meldingen/{nummer}");

    // End date: refused before the begin date, then stored.
    let r = m
        .post_form(
            &page,
            &format!("{page}/einddatum"),
            &[("end_date", &app.days_ago(30).format("%d-%m-%Y").to_string())],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"end_date-error\""));
    let end = app.days_ago(2).format("%d-%m-%Y").to_string();
    let r = m
        .post_form(&page, &format!("{page}/einddatum"), &[("end_date", &end)])
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = m.get_page(&page).await.unwrap();
    assert!(
        html.contains("De einddatum is opgeslagen") || html.contains(&end),
        "{html}"
    );
    assert!(html.contains(&end), "{html}");

    // Lesuren: a wrong line is refused with its line number, a right one stored.
    let r = m
        .post_form(
            &page,
            &format!("{page}/lesuren"),
            &[("day_spec", "morgen: alles")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"day_spec-error\"") && html.contains("Regel 1"),
        "{html}"
    );
    assert!(html.contains("morgen: alles"), "typed text kept");
    let spec = format!(
        "{}: hele dag\n{}: 1, 2, 5",
        app.days_ago(10).format("%d-%m-%Y"),
        app.days_ago(9).format("%d-%m-%Y")
    );
    let r = m
        .post_form(&page, &format!("{page}/lesuren"), &[("day_spec", &spec)])
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = m.get_page(&page).await.unwrap();
    assert!(
        html.contains("Verzuimdagspecificatie") && html.contains("lesuur 1, 2, 5"),
        "{html}"
    );

    // Attachments: a PNG is stored and comes back as a download; a text file is refused.
    let r = post_multipart(
        &m,
        &page,
        &format!("{page}/bijlagen"),
        &[],
        Some(("attachment", "verzuimoverzicht.png", "image/png", PNG)),
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = post_multipart(
        &m,
        &page,
        &format!("{page}/bijlagen"),
        &[],
        Some((
            "attachment",
            "brief.pdf",
            "application/pdf",
            b"dit is geen pdf",
        )),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"attachment-error\""));
    let r = post_multipart(&m, &page, &format!("{page}/bijlagen"), &[], None).await;
    assert_eq!(r.status(), 422, "no file chosen");
    let (_, html) = m.get_page(&page).await.unwrap();
    let href = html
        .split("href=\"")
        .find(|s| s.starts_with(&format!("{page}/bijlagen/")))
        .and_then(|s| s.split('"').next())
        .expect("download link")
        .to_owned();
    let r = m.get(&href).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("verzuimoverzicht.png"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // "Nieuwe melding bij aanhoudend verzuim": the form comes prefilled.
    let (status, html) = m
        .get_page(&format!("/scholen/12AB/meldingen/nieuw?vervolg={nummer}"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("name=\"cloned_from\" value=\"{nummer}\"")),
        "{html}"
    );
    assert!(html.contains("value=\"Sanne Johanna\""), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", bsn(51))), "{html}");

    // Withdraw: the melding is ingetrokken, the forms disappear, and it cannot be withdrawn twice.
    let r = m
        .post_form(
            &page,
            &format!("{page}/intrekken"),
            &[("note", "Leerling was ziek gemeld")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = m.get_page(&page).await.unwrap();
    assert!(
        html.contains("status-I") && html.contains("Ingetrokken door de school"),
        "{html}"
    );
    assert!(!html.contains("Melding intrekken</button>"), "{html}");
    let r = m
        .post_form(&page, &format!("{page}/intrekken"), &[("note", "nog eens")])
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    app.stop().await;
}
on_both_backends!(
    a_melding_gets_its_end_date_lesuren_attachments_and_can_be_withdrawn_or_continued
);
