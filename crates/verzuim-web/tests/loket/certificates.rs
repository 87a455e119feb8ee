//! The certificate registry of the machine coupling (issue 5, seed 000): the beheerder
//! uploads the school's certificate (PEM or DER), sees it with its dates and a warning 30 days
//! before expiry, revokes it with a confirmation and the history keeps it; a melder only looks;
//! another school's beheerder gets 404; the site administrator registers subject + issuer and
//! sees the expiring ones across schools.

use chrono::{Datelike, Days, NaiveDate};
use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair};
use verzuim_domain::Brin;
use verzuim_testkit::Backend;

use crate::kit::{
    ADMIN, BEHEERDER, BEHEERDER_B, LoketApp, MELDER, SCHOOL_A, SCHOOL_B, Seed, post_multipart,
    spawn_loket,
};

/// A test CA that signs school certificates.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, KeyPair>,
}

/// A school certificate as PEM text and DER bytes.
pub struct SchoolCert {
    /// PEM (`-----BEGIN CERTIFICATE-----`).
    pub pem: String,
    /// DER.
    pub der: Vec<u8>,
}

fn ymd(d: NaiveDate) -> (i32, u8, u8) {
    (
        d.year(),
        u8::try_from(d.month()).unwrap(),
        u8::try_from(d.day()).unwrap(),
    )
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, "Verzuim test-PKI");
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        Self {
            issuer: rcgen::Issuer::new(params, key),
        }
    }

    /// A client certificate with CN `cn` for the school `org`, valid from `from` until `until`.
    pub fn school(&self, org: &str, cn: &str, from: NaiveDate, until: NaiveDate) -> SchoolCert {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, org);
        dn.push(DnType::CommonName, cn);
        params.distinguished_name = dn;
        let (y, m, d) = ymd(from);
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = ymd(until);
        params.not_after = rcgen::date_time_ymd(y, m, d);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        SchoolCert {
            pem: cert.pem(),
            der: cert.der().to_vec(),
        }
    }
}

fn plus(app: &LoketApp, days: u64) -> NaiveDate {
    app.today.checked_add_days(Days::new(days)).unwrap()
}

const PAGE_A: &str = "/scholen/12AB/certificaten";
const PAGE_B: &str = "/scholen/34CD/certificaten";

/// Uploads `bytes` as `filename` to the school page `page`.
async fn upload(
    b: &verzuim_testkit::Browser,
    page: &str,
    filename: &str,
    bytes: &[u8],
) -> reqwest::Response {
    post_multipart(
        b,
        page,
        page,
        &[],
        Some(("certificate", filename, "application/octet-stream", bytes)),
    )
    .await
}

/// The ids of the `certificaat-{id}` blocks on a page, in page order.
fn ids_on(html: &str) -> Vec<i64> {
    html.split("id=\"certificaat-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

async fn beheerder_uploads_pem_and_der_certificates_and_sees_their_dates(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let ca = TestCa::new("Test PKIoverheid Private Services CA");
    let first = ca.school(
        "Testschool De Linde",
        "las-oud.linde.example",
        app.days_ago(300),
        plus(&app, 200),
    );
    let second = ca.school(
        "Testschool De Linde",
        "las.linde.example",
        app.days_ago(1),
        plus(&app, 400),
    );
    let b = app.login(BEHEERDER).await;
    let (status, html) = b.get_page(PAGE_A).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("nog geen certificaat geregistreerd"),
        "{html}"
    );
    assert!(html.contains("name=\"certificate\""), "upload form: {html}");

    let r = upload(&b, PAGE_A, "school.crt", first.pem.as_bytes()).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        r.headers()["location"],
        "/scholen/12AB/certificaten?gedaan=geregistreerd&aantal=1"
    );
    let r = upload(&b, PAGE_A, "nieuw.cer", &second.der).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    let (status, html) = b
        .get_page("/scholen/12AB/certificaten?gedaan=geregistreerd&aantal=1")
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Het certificaat is geregistreerd."), "{html}");
    // Newest first; the older one is replaced but stays valid until it expires.
    let new_at = html.find("las.linde.example").expect("nieuw certificaat");
    let old_at = html.find("las-oud.linde.example").expect("oud certificaat");
    assert!(new_at < old_at, "nieuwste eerst");
    assert_eq!(ids_on(&html).len(), 2);
    assert!(html.contains(">Geldig<"), "{html}");
    assert!(html.contains(">Vervangen<"), "{html}");
    assert!(
        html.contains("Test PKIoverheid Private Services CA"),
        "issuer"
    );
    for d in [
        app.days_ago(300),
        plus(&app, 200),
        app.days_ago(1),
        plus(&app, 400),
    ] {
        let shown = d.format("%d-%m-%Y").to_string();
        assert!(html.contains(&shown), "datum {shown}: {html}");
    }
    assert!(html.contains("SHA-256-vingerafdruk"));
    assert!(html.contains("geüpload"));
    assert!(
        html.contains("door beheerder"),
        "registered by the beheerder"
    );
    // No warning: neither expires within 30 days.
    assert!(!html.contains("notice warn"), "{html}");

    // The melder of the school looks, without the upload form, and cannot upload.
    let m = app.login(MELDER).await;
    let (status, html) = m.get_page(PAGE_A).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("las.linde.example"));
    assert!(!html.contains("name=\"certificate\""), "{html}");
    assert!(!html.contains("/intrekken"), "{html}");
    let r = upload(&m, PAGE_A, "school.crt", first.pem.as_bytes()).await;
    assert_eq!(r.status(), 404);
    let (_, home) = m.get_page("/").await.unwrap();
    assert!(
        home.contains("href=\"/scholen/12AB/certificaten\""),
        "{home}"
    );

    // The loket holds both, with their data.
    let actor = app.loket.load_actor(BEHEERDER.0).await.unwrap().unwrap();
    let rows = app
        .loket
        .certificates(&actor, &Brin::parse(SCHOOL_A).unwrap())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.sha256.is_some() && r.serial.is_some())
    );
    app.stop().await;
}

async fn another_schools_beheerder_gets_not_found(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let ca = TestCa::new("Test CA");
    let cert_b = ca.school(
        "Andere School",
        "las.andere.example",
        app.days_ago(1),
        plus(&app, 300),
    );
    let bb = app.login(BEHEERDER_B).await;
    let r = upload(&bb, PAGE_B, "b.cer", &cert_b.der).await;
    assert_eq!(r.status(), 303);
    let (_, html) = bb.get_page(PAGE_B).await.unwrap();
    let id_b = ids_on(&html)[0];

    let a = app.login(BEHEERDER).await;
    let (status, html) = a.get_page(PAGE_B).await.unwrap();
    assert_eq!(status, 404);
    assert!(!html.contains("las.andere.example"));
    let (status, _) = a
        .get_page(&format!("{PAGE_B}/{id_b}/intrekken"))
        .await
        .unwrap();
    assert_eq!(status, 404);
    // A POST with A's own valid CSRF token still finds nothing at B.
    let r = a
        .post_form(PAGE_A, &format!("{PAGE_B}/{id_b}/intrekken"), &[])
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = post_multipart(
        &a,
        PAGE_A,
        PAGE_B,
        &[],
        Some(("certificate", "b.cer", "application/pkix-cert", &cert_b.der)),
    )
    .await;
    assert_eq!(r.status(), 404);
    // B's certificate, revoked through A's own page path, is not found either.
    let r = a
        .post_form(PAGE_A, &format!("{PAGE_A}/{id_b}/intrekken"), &[])
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The admin pages do not exist for a beheerder.
    let (status, _) = a.get_page("/beheer/certificaten").await.unwrap();
    assert_eq!(status, 404);

    let actor = app.loket.load_actor(BEHEERDER_B.0).await.unwrap().unwrap();
    let rows = app
        .loket
        .certificates(&actor, &Brin::parse(SCHOOL_B).unwrap())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].revoked_at.is_none());
    app.stop().await;
}

async fn an_unreadable_file_gets_a_dutch_message_at_the_field(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let b = app.login(BEHEERDER).await;
    for (name, bytes, says) in [
        (
            "school.cer",
            b"dit is geen certificaat".as_slice(),
            "certificaat",
        ),
        (
            "school.pdf",
            b"%PDF-1.4".as_slice(),
            ".cer, .crt, .cert of .p7b",
        ),
        ("", b"".as_slice(), "Kies een certificaatbestand"),
    ] {
        let r = upload(&b, PAGE_A, name, bytes).await;
        assert_eq!(r.status(), 422, "{name}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"certificate-error\""), "{name}: {html}");
        assert!(html.contains("href=\"#certificate\""), "{name}: summary");
        assert!(html.contains("aria-describedby=\"certificate-hint certificate-error\""));
        assert!(html.contains(says), "{name}: {says}: {html}");
    }
    // An expired certificate is refused too.
    let ca = TestCa::new("Test CA");
    let expired = ca.school(
        "Testschool De Linde",
        "oud",
        app.days_ago(400),
        app.days_ago(2),
    );
    let r = upload(&b, PAGE_A, "oud.cer", &expired.der).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("is verlopen op"), "{html}");
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    assert!(ids_on(&html).is_empty(), "nothing registered");
    app.stop().await;
}

async fn a_certificate_expiring_within_30_days_is_warned_about(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let ca = TestCa::new("Test CA");
    let soon = ca.school(
        "Testschool De Linde",
        "las.linde.example",
        app.days_ago(355),
        plus(&app, 10),
    );
    let b = app.login(BEHEERDER).await;
    let r = upload(&b, PAGE_A, "school.cert", soon.pem.as_bytes()).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    assert!(html.contains(">Verloopt over 10 dagen<"), "{html}");
    assert!(html.contains("id=\"waarschuwing-1\""), "{html}");
    assert!(html.contains("verloopt over 10 dagen"), "{html}");
    // The start page warns the school's people, and the site administrator.
    let (_, home) = b.get_page("/").await.unwrap();
    assert!(home.contains("id=\"certificaat-waarschuwing-1\""), "{home}");
    assert!(home.contains("verloopt over 10 dagen"), "{home}");
    let m = app.login(MELDER).await;
    let (_, home) = m.get_page("/").await.unwrap();
    assert!(home.contains("verloopt over 10 dagen"), "{home}");
    // The melder cannot register one, so is told to ask the beheerder.
    assert!(home.contains("Vraag de beheerder van uw school"), "{home}");
    let (_, html) = m.get_page(PAGE_A).await.unwrap();
    assert!(html.contains("id=\"waarschuwing-1\""), "{html}");
    assert!(html.contains("Vraag de beheerder van uw school"), "{html}");
    let admin = app.login(ADMIN).await;
    let (_, home) = admin.get_page("/").await.unwrap();
    assert!(
        home.contains("1 certificaat van de machinekoppeling verloopt"),
        "{home}"
    );
    let (_, overview) = admin.get_page("/beheer/certificaten").await.unwrap();
    assert!(overview.contains("las.linde.example"), "{overview}");
    assert!(
        overview.contains("Testschool De Linde (12AB)"),
        "{overview}"
    );

    // A renewal: the new one is current, the old one is replaced and no longer warned about.
    let renewed = ca.school(
        "Testschool De Linde",
        "las.linde.example",
        app.days_ago(1),
        plus(&app, 365),
    );
    let r = upload(&b, PAGE_A, "verlengd.crt", renewed.pem.as_bytes()).await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    assert!(!html.contains("id=\"waarschuwing-1\""), "{html}");
    assert!(html.contains(">Vervangen<"), "{html}");
    assert_eq!(ids_on(&html).len(), 2);
    let (_, home) = b.get_page("/").await.unwrap();
    assert!(!home.contains("certificaat-waarschuwing"), "{home}");
    app.stop().await;
}

async fn the_site_administrator_registers_subject_and_issuer(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let admin = app.login(ADMIN).await;
    let page = "/beheer/certificaten";
    let (status, html) = admin.get_page(page).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Geen enkel geregistreerd certificaat verloopt"));

    // Empty subject and a wrong date: refused beside the fields.
    let until = plus(&app, 20).format("%d-%m-%Y").to_string();
    let r = admin
        .post_form(
            page,
            page,
            &[
                ("brin", SCHOOL_A),
                ("subject", ""),
                ("issuer", "C=NL, O=Test CA"),
                ("not_after", ""),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"subject-error\""), "{html}");
    assert!(html.contains("C=NL, O=Test CA"), "typed values are kept");
    let r = admin
        .post_form(
            page,
            page,
            &[
                ("brin", SCHOOL_A),
                (
                    "subject",
                    "C=NL, O=Testschool De Linde, CN=las.linde.example",
                ),
                ("issuer", "C=NL, O=Test CA"),
                ("not_after", "31-02-2027"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"not_after-error\""));

    let r = admin
        .post_form(
            page,
            page,
            &[
                ("brin", SCHOOL_A),
                (
                    "subject",
                    "C=NL, O=Testschool De Linde, CN=las.linde.example",
                ),
                ("issuer", "C=NL, O=Test CA, CN=Test PKIoverheid CA"),
                ("not_after", &until),
            ],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        "/beheer/certificaten?gedaan=geregistreerd&brin=12AB"
    );
    let (_, html) = admin.get_page(&location).await.unwrap();
    assert!(
        html.contains("Het certificaat is geregistreerd voor 12AB."),
        "{html}"
    );
    assert!(
        html.contains("CN=las.linde.example"),
        "in the overview: {html}"
    );
    assert!(html.contains(">Verloopt over 20 dagen<"), "{html}");
    assert!(html.contains(&until), "{html}");

    // The lookup opens the school's page; an unknown BRIN is said so.
    let r = admin.get("/beheer/certificaten?school=12ab").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], PAGE_A);
    let (status, html) = admin
        .get_page("/beheer/certificaten?school=99ZZ")
        .await
        .unwrap();
    assert_eq!(status, 422);
    assert!(html.contains("id=\"school-error\""), "{html}");

    // The school's page shows it to the administrator and to the beheerder.
    let (status, html) = admin.get_page(PAGE_A).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("door beheerder geregistreerd"), "{html}");
    assert!(
        !html.contains("name=\"certificate\""),
        "only the beheerder uploads"
    );
    let b = app.login(BEHEERDER).await;
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    assert!(html.contains("CN=las.linde.example"));
    assert!(html.contains("door beheer"), "registered by the admin");
    app.stop().await;
}

async fn revoking_asks_first_and_the_history_keeps_the_certificate(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let ca = TestCa::new("Test CA");
    let cert = ca.school(
        "Testschool De Linde",
        "las.linde.example",
        app.days_ago(1),
        plus(&app, 300),
    );
    let b = app.login(BEHEERDER).await;
    let r = upload(&b, PAGE_A, "school.crt", cert.pem.as_bytes()).await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    let id = ids_on(&html)[0];
    let confirm = format!("{PAGE_A}/{id}/intrekken");
    assert!(html.contains(&format!("href=\"{confirm}\"")), "{html}");

    // The melder may not revoke.
    let m = app.login(MELDER).await;
    let (status, _) = m.get_page(&confirm).await.unwrap();
    assert_eq!(status, 404);

    let (status, html) = b.get_page(&confirm).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Ja, intrekken"), "{html}");
    assert!(html.contains("las.linde.example"), "{html}");
    let r = b.post_form(&confirm, &confirm, &[]).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/scholen/12AB/certificaten?gedaan=ingetrokken"
    );
    let (_, html) = b
        .get_page("/scholen/12AB/certificaten?gedaan=ingetrokken")
        .await
        .unwrap();
    assert!(html.contains("Het certificaat is ingetrokken."), "{html}");
    assert!(html.contains(">Ingetrokken<"), "{html}");
    assert_eq!(ids_on(&html), vec![id], "the history keeps it");
    assert!(
        !html.contains(&format!("href=\"{confirm}\"")),
        "no second revoke"
    );

    let actor = app.loket.load_actor(BEHEERDER.0).await.unwrap().unwrap();
    let rows = app
        .loket
        .certificates(&actor, &Brin::parse(SCHOOL_A).unwrap())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].revoked_at.is_some());

    // The site administrator may revoke a school's certificate too.
    let second = ca.school(
        "Testschool De Linde",
        "las2.linde.example",
        app.days_ago(1),
        plus(&app, 300),
    );
    let r = upload(&b, PAGE_A, "school2.crt", second.pem.as_bytes()).await;
    assert_eq!(r.status(), 303);
    let (_, html) = b.get_page(PAGE_A).await.unwrap();
    let id2 = ids_on(&html)[0];
    let admin = app.login(ADMIN).await;
    let confirm2 = format!("{PAGE_A}/{id2}/intrekken");
    let r = admin.post_form(&confirm2, &confirm2, &[]).await.unwrap();
    assert_eq!(r.status(), 303);
    let rows = app
        .loket
        .certificates(&actor, &Brin::parse(SCHOOL_A).unwrap())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.revoked_at.is_some()));
    app.stop().await;
}

on_both_backends!(beheerder_uploads_pem_and_der_certificates_and_sees_their_dates);
on_both_backends!(another_schools_beheerder_gets_not_found);
on_both_backends!(an_unreadable_file_gets_a_dutch_message_at_the_field);
on_both_backends!(a_certificate_expiring_within_30_days_is_warned_about);
on_both_backends!(the_site_administrator_registers_subject_and_issuer);
on_both_backends!(revoking_asks_first_and_the_history_keeps_the_certificate);
