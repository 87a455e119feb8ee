//! "Beheer locaties" and "Beheer contactpersonen": add, view, change, delete, and search
//! where an empty search lists all; the beheerder's first login goes to add a location.

use verzuim_testkit::{Backend, Browser};

use crate::kit::{BEHEERDER, MELDER, Seed, spawn_loket};

async fn post(
    b: &Browser,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    b.post_form(form_page, path, fields).await.unwrap()
}

/// The id in `/scholen/12AB/<family>/<id>` links of a list page, for the row named `name`.
fn id_of(html: &str, family: &str, name: &str) -> String {
    let marker = format!("/scholen/12AB/{family}/");
    html.split(&marker)
        .skip(1)
        .find(|chunk| {
            chunk
                .split("</a>")
                .next()
                .is_some_and(|link| link.ends_with(&format!(">{name}")))
        })
        .and_then(|chunk| chunk.split('"').next())
        .unwrap_or_else(|| panic!("{name} staat niet in de lijst: {html}"))
        .to_owned()
}

async fn locations_can_be_added_searched_changed_and_deleted(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let b = app.login(BEHEERDER).await;
    let list = "/scholen/12AB/locaties";
    let new = "/scholen/12AB/locaties/nieuw";
    let r = post(
        &b,
        new,
        new,
        &[
            ("name", "Dependance Noord"),
            ("street", "Noorderlaan"),
            ("number", "5"),
            ("postcode", "3512 CD"),
            ("city", "Utrecht"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/scholen/12AB/locaties?gedaan=toegevoegd"
    );
    let r = post(
        &b,
        new,
        new,
        &[("name", "Sportcomplex Zuid"), ("city", "Houten")],
    )
    .await;
    assert_eq!(r.status(), 303);

    // An empty name is refused beside the field, with a summary that links to it.
    let r = post(&b, new, new, &[("name", ""), ("city", "Utrecht")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#name\""), "{html}");
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(html.contains("value=\"Utrecht\""), "typed values are kept");

    // Empty search lists all; a search finds by name or city, case-insensitively.
    let (status, html) = b.get_page(&format!("{list}?zoek=")).await.unwrap();
    assert_eq!(status, 200);
    for name in ["Hoofdgebouw", "Dependance Noord", "Sportcomplex Zuid"] {
        assert!(html.contains(name), "{name}: {html}");
    }
    let (_, html) = b.get_page(&format!("{list}?zoek=noord")).await.unwrap();
    assert!(
        html.contains("Dependance Noord") && !html.contains("Sportcomplex Zuid"),
        "{html}"
    );
    let (_, html) = b.get_page(&format!("{list}?zoek=HOUTEN")).await.unwrap();
    assert!(
        html.contains("Sportcomplex Zuid") && !html.contains("Dependance Noord"),
        "{html}"
    );
    let (_, html) = b
        .get_page(&format!("{list}?zoek=bestaatniet"))
        .await
        .unwrap();
    assert!(html.contains("Geen locaties gevonden"), "{html}");

    // View and change.
    let (_, html) = b.get_page(list).await.unwrap();
    let id = id_of(&html, "locaties", "Dependance Noord");
    let edit = format!("{list}/{id}");
    let (status, html) = b.get_page(&edit).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("value=\"Noorderlaan\""), "{html}");
    let r = post(
        &b,
        &edit,
        &edit,
        &[("name", "Dependance Noordpoort"), ("city", "Utrecht")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(list).await.unwrap();
    assert!(html.contains("Dependance Noordpoort"), "{html}");

    // Delete asks first.
    let confirm = format!("{list}/{id}/verwijderen");
    let (status, html) = b.get_page(&confirm).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Weet u zeker"), "{html}");
    let r = post(&b, &confirm, &confirm, &[]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = b
        .get_page(r.headers()["location"].to_str().unwrap())
        .await
        .unwrap();
    assert!(!html.contains("Dependance Noordpoort"), "{html}");
    assert!(html.contains("De locatie is verwijderd"), "{html}");
    let (status, _) = b.get_page(&edit).await.unwrap();
    assert_eq!(status, 404);
    app.stop().await;
}
on_both_backends!(locations_can_be_added_searched_changed_and_deleted);

async fn contacts_can_be_added_searched_changed_and_deleted(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let b = app.login(BEHEERDER).await;
    let list = "/scholen/12AB/contactpersonen";
    let new = "/scholen/12AB/contactpersonen/nieuw";
    let r = post(
        &b,
        new,
        new,
        &[
            ("name", "Tom Teamleider"),
            ("function", "teamleider bovenbouw"),
            ("phone", "030 765 4321"),
            ("email", "tom@linde.example"),
            ("username", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    // Every required field refused with its own message.
    let r = post(
        &b,
        new,
        new,
        &[
            ("name", ""),
            ("function", ""),
            ("phone", "abc"),
            ("email", "geen-mail"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for field in ["name", "function", "phone", "email"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "{field}: {html}"
        );
    }

    let (_, html) = b.get_page(&format!("{list}?zoek=")).await.unwrap();
    assert!(
        html.contains("Tom Teamleider") && html.contains("Mia Melder"),
        "{html}"
    );
    let (_, html) = b.get_page(&format!("{list}?zoek=bovenbouw")).await.unwrap();
    assert!(
        html.contains("Tom Teamleider") && !html.contains("Mia Melder"),
        "{html}"
    );
    let (_, html) = b
        .get_page(&format!("{list}?zoek=TOM%40LINDE"))
        .await
        .unwrap();
    assert!(html.contains("Tom Teamleider"), "search by e-mail: {html}");

    let (_, html) = b.get_page(list).await.unwrap();
    let id = id_of(&html, "contactpersonen", "Tom Teamleider");
    let edit = format!("{list}/{id}");
    let r = post(
        &b,
        &edit,
        &edit,
        &[
            ("name", "Tom Teamleider"),
            ("function", "afdelingsleider"),
            ("phone", "030 765 4321"),
            ("email", "tom@linde.example"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(list).await.unwrap();
    assert!(html.contains("afdelingsleider"), "{html}");
    let confirm = format!("{edit}/verwijderen");
    let r = post(&b, &confirm, &confirm, &[]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(list).await.unwrap();
    assert!(!html.contains("Tom Teamleider"), "{html}");
    app.stop().await;
}
on_both_backends!(contacts_can_be_added_searched_changed_and_deleted);

async fn a_beheerder_without_locations_is_sent_to_add_one_first(backend: Backend) {
    let app = spawn_loket(backend, Seed::Bare).await;
    let b = app.login(BEHEERDER).await;
    let r = b.get("/").await.unwrap();
    assert_eq!(r.status(), 303);
    let target = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        target.starts_with("/scholen/12AB/locaties/nieuw"),
        "{target}"
    );
    let (status, html) = b.get_page(&target).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("nog geen locaties"), "{html}");
    let r = b
        .post_form(
            &target,
            "/scholen/12AB/locaties/nieuw",
            &[("name", "Hoofdgebouw")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (status, html) = b.get_page("/").await.unwrap();
    assert_eq!(status, 200, "{html}");

    // A melder without a linked contact person cannot file.
    let m = app.login(MELDER).await;
    let (status, html) = m.get_page("/scholen/12AB/meldingen/nieuw").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("Alleen contactpersonen kunnen verzuimmeldingen doen"),
        "{html}"
    );
    assert!(!html.contains("id=\"versturen\""), "{html}");
    app.stop().await;
}
on_both_backends!(a_beheerder_without_locations_is_sent_to_add_one_first);
