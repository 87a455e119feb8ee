//! The loket's meldingen on SQLite and PostgreSQL: filing with every field of the Besluit
//! Verzuimmelding, refusals per field, the contact-person rule, routing (the resident
//! register wins), tenancy (another school or gemeente gets "niet gevonden"), the
//! terugmelding and the life cycle, vrijstellingen, completing a melding later (end date, day
//! specification, attachments), klonen, monthly reports, retention and the audit log.
//!
//! Every scenario runs on a fresh SQLite file and on a fresh PostgreSQL schema
//! (`VERZUIM_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`; set
//! `VERZUIM_SKIP_POSTGRES=1` to skip it when no server runs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use verzuim_app::loket::{
    ContactInput, Loket, LoketActor, LoketError, LoketRole, MeldingFilter, MeldingScope,
    MeldingView,
};
use verzuim_domain::{Brin, Gemeentecode};

use common::loket::LoketBase;
use common::{Db, TestDb};
use verzuim_loket::{
    MeldingInput, MeldingStatus, RoutingSource, TerugmeldingInput, Verzuimsoort, VrijstellingInput,
    WithdrawReason,
};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    let d = day(s);
    Utc.from_utc_datetime(&d.and_hms_opt(9, 30, 0).unwrap())
}

fn today() -> NaiveDate {
    day("2026-11-23")
}

fn now() -> DateTime<Utc> {
    at("2026-11-23")
}

/// A valid BSN (11-proef) made from `seed`.
fn bsn(seed: u32) -> String {
    verzuim_demo::test_bsn(seed)
}

/// The organisations and people of a scenario: school A (12AB) and school B (34CD), gemeente
/// X (0935, Maastricht) and Y (0917, Heerlen).
struct World {
    loket: Loket,
    admin: LoketActor,
    /// Melder of A, linked to contact person "Karin de Vries".
    melder_a: LoketActor,
    /// Melder of A without a contact person.
    loose_a: LoketActor,
    /// Melder of B, linked to a contact person of B.
    melder_b: LoketActor,
    /// Leerplichtambtenaar of X.
    lpa_x: LoketActor,
    /// Leerplichtambtenaar of Y.
    lpa_y: LoketActor,
    a: Brin,
    b: Brin,
    x: Gemeentecode,
    y: Gemeentecode,
    db: TestDb,
}

impl World {
    async fn new(db: Db, name: &str) -> Option<Self> {
        let base = LoketBase::new(db, "lm", name).await?;
        let beheer_a = base
            .user("beheer.a", vec![LoketRole::Beheerder(base.a.clone())])
            .await;
        base.user("melder.a", vec![LoketRole::Melder(base.a.clone())])
            .await;
        let loose_a = base
            .user("los.a", vec![LoketRole::Melder(base.a.clone())])
            .await;
        let melder_b = base
            .user(
                "melder.b",
                vec![
                    LoketRole::Melder(base.b.clone()),
                    LoketRole::Beheerder(base.b.clone()),
                ],
            )
            .await;
        let lpa_x = base
            .user(
                "lpa.x",
                vec![LoketRole::Leerplichtambtenaar(base.x.clone())],
            )
            .await;
        let lpa_y = base
            .user(
                "lpa.y",
                vec![LoketRole::Leerplichtambtenaar(base.y.clone())],
            )
            .await;
        base.location(&beheer_a, &base.a).await;
        base.location(&melder_b, &base.b).await;
        base.contact(
            &beheer_a,
            &base.a,
            ContactInput {
                name: "Karin de Vries".into(),
                function: "Verzuimcoördinator".into(),
                phone: "043 321 00 00".into(),
                email: "verzuim@smc.nl".into(),
                username: "melder.a".into(),
            },
        )
        .await;
        base.contact(
            &melder_b,
            &base.b,
            ContactInput {
                name: "Ruud Hermans".into(),
                function: "Teamleider".into(),
                phone: "043 654 00 00".into(),
                email: "verzuim@bonnefanten.nl".into(),
                username: "melder.b".into(),
            },
        )
        .await;
        // Linked to a contact person now: load melder A again.
        let melder_a = base.actor("melder.a").await;
        let LoketBase {
            loket,
            admin,
            a,
            b,
            x,
            y,
            db,
        } = base;
        Some(Self {
            loket,
            admin,
            melder_a,
            loose_a,
            melder_b,
            lpa_x,
            lpa_y,
            a,
            b,
            x,
            y,
            db,
        })
    }

    async fn close(self) {
        LoketBase::close(self.loket, self.db).await;
    }

    /// Files `input` for school A as melder A at `when`.
    async fn file_a(&self, input: &MeldingInput, when: DateTime<Utc>) -> MeldingView {
        self.loket
            .file_melding(
                &self.melder_a,
                &self.a,
                input,
                None,
                when.date_naive(),
                when,
            )
            .await
            .unwrap_or_else(|e| panic!("filing refused: {e:?}"))
    }

    async fn school_view(&self, nummer: &str) -> MeldingView {
        self.loket
            .school_melding(&self.melder_a, &self.a, nummer, now())
            .await
            .unwrap()
    }
}

/// A complete 16-uur melding for a student of school A living in Maastricht (X).
fn input(student: &str) -> MeldingInput {
    MeldingInput {
        student_number: student.into(),
        first_names: "Sanne".into(),
        prefix: "van".into(),
        surname: "Dijk".into(),
        birth_date: "2012-05-04".into(),
        gender: "V".into(),
        residence_gemeente: "0935".into(),
        start_qualification: "nee".into(),
        kind: "V3".into(),
        begin_date: "2026-10-05".into(),
        end_date: "2026-10-28".into(),
        suspected_reason: "Spijbelen, vermoedelijk problemen thuis".into(),
        all_lessons_missed: "nee".into(),
        school_actions: "Mentor heeft twee keer met ouders gebeld".into(),
        action_wanted: "ja".into(),
        priority: "HOOG".into(),
        location: "Hoofdgebouw".into(),
        parent_phone: "06 12 34 56 78".into(),
        absence_days: "6".into(),
        absence_hours: "18".into(),
        ..MeldingInput::default()
    }
}

fn closing() -> TerugmeldingInput {
    TerugmeldingInput {
        status: "G".into(),
        closing_reason: "TERUG".into(),
        explanation: "GEZIEN".into(),
        contact_name: "M. Jansen".into(),
        contact_function: "Leerplichtambtenaar".into(),
        contact_phone: "043 350 00 00".into(),
        contact_email: "leerplicht@maastricht.nl".into(),
    }
}

fn field_error(r: Result<impl std::fmt::Debug, LoketError>, field: &str) -> String {
    match r {
        Err(LoketError::Fields(e)) => e
            .get(field)
            .unwrap_or_else(|| panic!("no error on {field}: {e}"))
            .to_owned(),
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, LoketError>) -> bool {
    matches!(r, Err(LoketError::NotFound { .. }))
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

// ---------------------------------------------------------------------------------------
// Scenarios

async fn a_melding_with_every_field_is_accepted_and_numbered(w: &World) {
    let mut full = input(&bsn(1));
    full.address_street = "Markt".into();
    full.address_number = "12".into();
    full.address_letter = "a".into();
    full.address_addition = "bis".into();
    full.address_postcode = "6211ab".into();
    full.address_location = "achterhuis".into();
    full.address_city = "Maastricht".into();
    let v = w.file_a(&full, now()).await;
    assert!(
        v.nummer.len() == 11
            && v.nummer.starts_with("VM")
            && v.nummer[2..].bytes().all(|b| b.is_ascii_digit()),
        "{}",
        v.nummer
    );
    assert_eq!(v.status, MeldingStatus::Geregistreerd);
    assert_eq!(v.status_label(), "Geregistreerd");
    assert_eq!(v.brin, w.a);
    let m = &v.melding;
    assert_eq!(m.student_number.as_str(), bsn(1));
    assert_eq!(m.full_name(), "Sanne van Dijk");
    assert_eq!(m.birth_date, day("2012-05-04"));
    assert_eq!(m.gender, "V");
    assert_eq!(m.residence_gemeente, w.x);
    assert!(!m.start_qualification);
    assert_eq!(m.kind, Verzuimsoort::ZestienUur);
    assert_eq!(m.begin_date, day("2026-10-05"));
    assert_eq!(m.end_date, Some(day("2026-10-28")));
    assert_eq!(
        m.suspected_reason,
        "Spijbelen, vermoedelijk problemen thuis"
    );
    assert!(!m.all_lessons_missed);
    assert_eq!(m.school_actions, "Mentor heeft twee keer met ouders gebeld");
    assert!(m.action_wanted);
    assert_eq!(m.priority.map(|p| p.code()), Some("HOOG"));
    assert_eq!(m.location, "Hoofdgebouw");
    assert_eq!(m.parent_phone, "0612345678");
    let address = m.address.as_ref().unwrap();
    assert_eq!(
        (
            address.street.as_str(),
            address.number,
            address.letter.as_deref(),
            address.addition.as_deref(),
            address.postcode.as_str(),
            address.location.as_deref(),
            address.city.as_str()
        ),
        (
            "Markt",
            12,
            Some("a"),
            Some("bis"),
            "6211 AB",
            Some("achterhuis"),
            "Maastricht"
        )
    );
    assert_eq!((m.absence_days, m.absence_hours), (Some(6), Some(18)));
    assert_eq!(v.reporter.name, "Karin de Vries");
    assert_eq!(v.reporter.function, "Verzuimcoördinator");
    assert_eq!(v.reporter.email, "verzuim@smc.nl");
    assert_eq!(v.routing.gemeente, w.x);
    assert_eq!(v.routing.source, RoutingSource::School);
    assert_eq!(v.events.len(), 1);
    assert_eq!(v.events[0].to_status, MeldingStatus::Geregistreerd);
    assert_eq!(v.events[0].username.as_deref(), Some("melder.a"));
    assert!(v.day_spec.is_none() && v.terugmelding.is_none() && v.cloned_from.is_none());

    // Read back as stored, and a second melding gets the next number.
    let again = w.school_view(&v.nummer).await;
    assert_eq!(again.melding, v.melding);
    let second = w.file_a(&input(&bsn(2)), now()).await;
    assert_ne!(second.nummer, v.nummer);
    let list = w
        .loket
        .school_meldingen(&w.melder_a, &w.a, &MeldingFilter::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].nummer, second.nummer, "newest first");
    assert_eq!(list[1].student_name, "Sanne van Dijk");
}

async fn each_invalid_field_is_refused_with_its_message(w: &World) {
    type Case = (&'static str, fn(&mut MeldingInput), &'static str);
    let cases: &[Case] = &[
        (
            "student_number",
            |m| m.student_number = "123456789".into(),
            "11-proef",
        ),
        ("surname", |m| m.surname = String::new(), "verplicht"),
        (
            "birth_date",
            |m| m.birth_date = "31-02-2012".into(),
            "geen datum",
        ),
        ("kind", |m| m.kind = "X".into(), "kies uit"),
        (
            "location",
            |m| m.location = "Annexe".into(),
            "niet in de locaties",
        ),
        (
            "parent_phone",
            |m| m.parent_phone = "12345".into(),
            "10 cijfers",
        ),
        (
            "end_date",
            |m| m.end_date = "2026-10-01".into(),
            "voor de begindatum",
        ),
        (
            "end_date",
            |m| m.end_date = String::new(),
            "16 uur in 4 weken",
        ),
        (
            "begin_date",
            |m| {
                m.kind = "LRV".into();
                m.end_date = String::new();
                m.begin_date = "2026-12-01".into();
            },
            "toekomst",
        ),
        (
            "no_action_explanation",
            |m| m.action_wanted = "nee".into(),
            "waarom",
        ),
        ("priority", |m| m.priority = String::new(), "prioriteit"),
        (
            "kind",
            |m| {
                m.kind = "RMC".into();
                m.start_qualification = "ja".into();
            },
            "startkwalificatie",
        ),
        (
            "address_city",
            |m| {
                m.address_street = "Markt".into();
                m.address_number = "1".into();
                m.address_postcode = "6211 AB".into();
            },
            "plaatsnaam",
        ),
        (
            "absence_hours",
            |m| m.absence_hours = "veel".into(),
            "geheel getal",
        ),
    ];
    for (field, change, expect) in cases {
        let mut i = input(&bsn(3));
        change(&mut i);
        let r = w
            .loket
            .file_melding(&w.melder_a, &w.a, &i, None, today(), now())
            .await;
        let msg = field_error(r, field);
        assert!(
            msg.contains(expect),
            "{field}: '{msg}' should say '{expect}'"
        );
    }
    let stored = w
        .loket
        .school_meldingen(&w.melder_a, &w.a, &MeldingFilter::default())
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing is stored on a refusal");
}

async fn only_contact_persons_may_file(w: &World) {
    let r = w
        .loket
        .file_melding(&w.loose_a, &w.a, &input(&bsn(4)), None, today(), now())
        .await;
    let msg = field_error(r, "reporter");
    assert!(
        msg.contains("Alleen contactpersonen kunnen verzuimmeldingen doen"),
        "{msg}"
    );
    // A melder of another school may not file for A at all.
    let r = w
        .loket
        .file_melding(&w.melder_b, &w.a, &input(&bsn(4)), None, today(), now())
        .await;
    assert!(is_not_found(r));
}

async fn routing_follows_residence_and_the_register_wins(w: &World) {
    let to_x = w.file_a(&input(&bsn(5)), now()).await;
    assert_eq!(
        (to_x.routing.gemeente.clone(), to_x.routing.source),
        (w.x.clone(), RoutingSource::School)
    );
    let mut lives_in_y = input(&bsn(6));
    lives_in_y.residence_gemeente = "0917".into();
    let to_y = w.file_a(&lives_in_y, now()).await;
    assert_eq!(to_y.routing.gemeente, w.y);

    // The register says the student of bsn(7) lives in Y, the school says X: Y wins.
    w.loket
        .import_residents(&w.admin, &format!("{};0917\n", bsn(7)), now())
        .await
        .unwrap();
    let registered = w.file_a(&input(&bsn(7)), now()).await;
    assert_eq!(
        registered.melding.residence_gemeente, w.x,
        "as the school sent it"
    );
    assert_eq!(
        (
            registered.routing.gemeente.clone(),
            registered.routing.source
        ),
        (w.y.clone(), RoutingSource::Register)
    );
    let inbox_y = w
        .loket
        .inbox(&w.lpa_y, &w.y, &MeldingFilter::default())
        .await
        .unwrap();
    let mut in_y: Vec<&str> = inbox_y.iter().map(|s| s.nummer.as_str()).collect();
    in_y.sort_unstable();
    let mut expect = vec![to_y.nummer.as_str(), registered.nummer.as_str()];
    expect.sort_unstable();
    assert_eq!(in_y, expect);

    // A gemeente the loket does not know cannot receive.
    let mut amsterdam = input(&bsn(8));
    amsterdam.residence_gemeente = "0363".into();
    let r = w
        .loket
        .file_melding(&w.melder_a, &w.a, &amsterdam, None, today(), now())
        .await;
    let msg = field_error(r, "residence_gemeente");
    assert!(
        msg.contains("0363") && msg.contains("niet bij het loket bekend"),
        "{msg}"
    );
}

async fn schools_and_gemeenten_see_only_their_own(w: &World) {
    let v = w.file_a(&input(&bsn(9)), now()).await;
    let attachment = w
        .loket
        .add_attachment(&w.melder_a, &w.a, &v.nummer, "brief.pdf", PDF, now())
        .await
        .unwrap();
    // School B: through its own BRIN or through A's.
    assert!(is_not_found(
        w.loket
            .school_melding(&w.melder_b, &w.b, &v.nummer, now())
            .await
    ));
    assert!(is_not_found(
        w.loket
            .school_melding(&w.melder_b, &w.a, &v.nummer, now())
            .await
    ));
    assert!(is_not_found(
        w.loket
            .withdraw(&w.melder_b, &w.b, &v.nummer, "", now())
            .await
    ));
    assert!(is_not_found(
        w.loket
            .attachment(
                &w.melder_b,
                &MeldingScope::School(w.b.clone()),
                &v.nummer,
                attachment.id,
                now()
            )
            .await
    ));
    assert!(
        w.loket
            .school_meldingen(&w.melder_b, &w.b, &MeldingFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(is_not_found(
        w.loket
            .school_meldingen(&w.melder_b, &w.a, &MeldingFilter::default())
            .await
    ));
    // Gemeente Y: not its resident.
    assert!(is_not_found(
        w.loket
            .gemeente_melding(&w.lpa_y, &w.y, &v.nummer, now())
            .await
    ));
    assert!(is_not_found(
        w.loket
            .gemeente_melding(&w.lpa_y, &w.x, &v.nummer, now())
            .await
    ));
    assert!(is_not_found(
        w.loket
            .answer(&w.lpa_y, &w.y, &v.nummer, &closing(), now())
            .await
    ));
    assert!(
        w.loket
            .inbox(&w.lpa_y, &w.y, &MeldingFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    // A school cannot use the gemeente's side.
    assert!(is_not_found(
        w.loket
            .inbox(&w.melder_a, &w.x, &MeldingFilter::default())
            .await
    ));
    // Gemeente X sees it, with its attachment.
    let seen = w
        .loket
        .gemeente_melding(&w.lpa_x, &w.x, &v.nummer, now())
        .await
        .unwrap();
    assert_eq!(seen.attachments.len(), 1);
}

async fn the_terugmelding_reaches_the_school(w: &World) {
    let v = w.file_a(&input(&bsn(10)), now()).await;
    let mut taking = closing();
    taking.status = "B".into();
    taking.closing_reason.clear();
    taking.explanation.clear();
    let b = w
        .loket
        .answer(&w.lpa_x, &w.x, &v.nummer, &taking, at("2026-11-24"))
        .await
        .unwrap();
    assert_eq!(b.status, MeldingStatus::InBehandeling);
    assert!(b.final_at.is_none());

    // A closing without a reason is refused per field.
    let mut no_reason = closing();
    no_reason.closing_reason.clear();
    let msg = field_error(
        w.loket
            .answer(&w.lpa_x, &w.x, &v.nummer, &no_reason, at("2026-11-25"))
            .await,
        "closing_reason",
    );
    assert!(msg.contains("reden"), "{msg}");

    w.loket
        .answer(&w.lpa_x, &w.x, &v.nummer, &closing(), at("2026-11-25"))
        .await
        .unwrap();
    let school = w.school_view(&v.nummer).await;
    assert_eq!(school.status, MeldingStatus::Afgesloten);
    assert_eq!(school.final_at, Some(at("2026-11-25")));
    let t = school.terugmelding.as_ref().unwrap();
    assert_eq!(t.terugmelding.status, MeldingStatus::Afgesloten);
    assert_eq!(
        t.terugmelding.closing_reason.map(|r| r.label()),
        Some("Terug naar school, opleiding hervat")
    );
    assert_eq!(t.terugmelding.explanation.map(|e| e.code()), Some("GEZIEN"));
    assert_eq!(t.terugmelding.contact_name, "M. Jansen");
    assert_eq!(t.terugmelding.contact_function, "Leerplichtambtenaar");
    assert_eq!(t.terugmelding.contact_phone, "0433500000");
    assert_eq!(t.terugmelding.contact_email, "leerplicht@maastricht.nl");
    assert_eq!(t.at, at("2026-11-25"));
    let statuses: Vec<_> = school
        .events
        .iter()
        .map(|e| (e.from_status, e.to_status, e.party.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            (None, MeldingStatus::Geregistreerd, "school"),
            (
                Some(MeldingStatus::Geregistreerd),
                MeldingStatus::InBehandeling,
                "gemeente"
            ),
            (
                Some(MeldingStatus::InBehandeling),
                MeldingStatus::Afgesloten,
                "gemeente"
            ),
        ]
    );
    assert!(school.events[2].note.contains("Terug naar school"));

    // The inbox filters: nothing new, one afgesloten.
    let new = MeldingFilter {
        status: Some(MeldingStatus::Geregistreerd),
        ..MeldingFilter::default()
    };
    assert!(
        w.loket
            .inbox(&w.lpa_x, &w.x, &new)
            .await
            .unwrap()
            .is_empty()
    );
    let closed = MeldingFilter {
        status: Some(MeldingStatus::Afgesloten),
        brin: Some(w.a.clone()),
        kind: Some(Verzuimsoort::ZestienUur),
        from: Some(today()),
        until: Some(today()),
    };
    assert_eq!(
        w.loket.inbox(&w.lpa_x, &w.x, &closed).await.unwrap().len(),
        1
    );
    let other_school = MeldingFilter {
        brin: Some(w.b.clone()),
        ..MeldingFilter::default()
    };
    assert!(
        w.loket
            .inbox(&w.lpa_x, &w.x, &other_school)
            .await
            .unwrap()
            .is_empty()
    );
    let earlier = MeldingFilter {
        until: Some(day("2026-11-22")),
        ..MeldingFilter::default()
    };
    assert!(
        w.loket
            .inbox(&w.lpa_x, &w.x, &earlier)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn illegal_transitions_are_refused(w: &World) {
    // Withdrawn by the school: the gemeente can no longer close it.
    let v = w.file_a(&input(&bsn(11)), now()).await;
    w.loket
        .withdraw(&w.melder_a, &w.a, &v.nummer, "dubbel gemeld", now())
        .await
        .unwrap();
    let withdrawn = w.school_view(&v.nummer).await;
    assert_eq!(withdrawn.status, MeldingStatus::Ingetrokken);
    assert_eq!(withdrawn.withdraw_reason, Some(WithdrawReason::DoorSchool));
    assert!(withdrawn.final_at.is_some());
    assert!(withdrawn.events[1].note.contains("dubbel gemeld"));
    let r = w
        .loket
        .answer(&w.lpa_x, &w.x, &v.nummer, &closing(), now())
        .await;
    match r {
        Err(LoketError::Transition(e)) => assert_eq!(
            e.to_string(),
            "de gemeente kan een melding met status 'Ingetrokken' niet op 'Afgesloten' zetten"
        ),
        other => panic!("expected a refused transition, got {other:?}"),
    }
    // Withdrawing twice is refused too.
    assert!(matches!(
        w.loket
            .withdraw(&w.melder_a, &w.a, &v.nummer, "", now())
            .await,
        Err(LoketError::Transition(_))
    ));

    // Closed by the gemeente: the school cannot withdraw it, the gemeente cannot reopen it.
    let c = w.file_a(&input(&bsn(12)), now()).await;
    w.loket
        .answer(&w.lpa_x, &w.x, &c.nummer, &closing(), now())
        .await
        .unwrap();
    assert!(matches!(
        w.loket
            .withdraw(&w.melder_a, &w.a, &c.nummer, "", now())
            .await,
        Err(LoketError::Transition(_))
    ));
    let mut reopen = closing();
    reopen.status = "B".into();
    reopen.closing_reason.clear();
    reopen.explanation.clear();
    assert!(matches!(
        w.loket
            .answer(&w.lpa_x, &w.x, &c.nummer, &reopen, now())
            .await,
        Err(LoketError::Transition(_))
    ));
    // The school has no way to close: the gemeente's side is not theirs.
    assert!(is_not_found(
        w.loket
            .answer(&w.melder_a, &w.x, &c.nummer, &closing(), now())
            .await
    ));
    // The end date of a finished melding is fixed.
    let msg = field_error(
        w.loket
            .set_end_date(&w.melder_a, &w.a, &c.nummer, "2026-10-30", today(), now())
            .await,
        "end_date",
    );
    assert!(msg.contains("afgesloten"), "{msg}");
}

async fn a_vrijstelling_withdraws_overlapping_meldingen(w: &World) {
    let student = bsn(13);
    let october = w.file_a(&input(&student), at("2026-11-02")).await;
    let mut september = input(&student);
    september.begin_date = "2026-09-01".into();
    september.end_date = "2026-09-20".into();
    let september = w.file_a(&september, at("2026-11-02")).await;
    let other_student = w.file_a(&input(&bsn(14)), at("2026-11-02")).await;

    // A vrijstelling in Y does not touch meldingen routed to X.
    let v = VrijstellingInput {
        student_number: student.clone(),
        from: "2026-10-01".into(),
        until: "2027-07-31".into(),
        article: "art. 5 onder a Leerplichtwet 1969".into(),
    };
    let (_, none) = w
        .loket
        .add_vrijstelling(&w.lpa_y, &w.y, &v, now())
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(is_not_found(
        w.loket.add_vrijstelling(&w.lpa_y, &w.x, &v, now()).await
    ));

    let (row, withdrawn) = w
        .loket
        .add_vrijstelling(&w.lpa_x, &w.x, &v, now())
        .await
        .unwrap();
    assert_eq!(withdrawn, vec![october.nummer.clone()]);
    assert_eq!(row.created_by, "lpa.x");
    let seen = w.school_view(&october.nummer).await;
    assert_eq!(seen.status, MeldingStatus::Ingetrokken);
    assert_eq!(seen.withdraw_reason, Some(WithdrawReason::Vrijstelling));
    assert_eq!(
        seen.withdraw_reason.map(|r| r.label()),
        Some("Vrijstelling")
    );
    let last = seen.events.last().unwrap();
    assert_eq!(last.party, "vrijstelling");
    assert!(
        last.note.contains("art. 5 onder a Leerplichtwet 1969")
            && last.note.contains("01-10-2026")
            && last.note.contains("31-07-2027"),
        "{}",
        last.note
    );
    for n in [&september.nummer, &other_student.nummer] {
        assert_eq!(w.school_view(n).await.status, MeldingStatus::Geregistreerd);
    }

    // A new melding in the vrijstelling's period is stored and withdrawn at once.
    let mut later = input(&student);
    later.begin_date = "2026-11-02".into();
    later.end_date = "2026-11-20".into();
    let later = w.file_a(&later, now()).await;
    assert_eq!(later.status, MeldingStatus::Ingetrokken);
    assert_eq!(later.withdraw_reason, Some(WithdrawReason::Vrijstelling));
    assert!(later.events.last().unwrap().note.contains("art. 5 onder a"));

    let list = w.loket.vrijstellingen(&w.lpa_x, &w.x).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].vrijstelling.until, Some(day("2027-07-31")));
    let bad = VrijstellingInput {
        student_number: "1".into(),
        ..v.clone()
    };
    field_error(
        w.loket.add_vrijstelling(&w.lpa_x, &w.x, &bad, now()).await,
        "student_number",
    );
    assert!(is_not_found(
        w.loket
            .delete_vrijstelling(&w.lpa_y, &w.y, row.id, now())
            .await
    ));
    w.loket
        .delete_vrijstelling(&w.lpa_x, &w.x, row.id, now())
        .await
        .unwrap();
    assert!(
        w.loket
            .vrijstellingen(&w.lpa_x, &w.x)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn end_date_and_day_specification_come_later(w: &World) {
    let mut lrv = input(&bsn(15));
    lrv.kind = "LRV".into();
    lrv.end_date = String::new();
    let v = w.file_a(&lrv, now()).await;
    assert_eq!(v.melding.end_date, None);

    // The gemeente does not see a day specification until it is filled.
    let g = w
        .loket
        .gemeente_melding(&w.lpa_x, &w.x, &v.nummer, now())
        .await
        .unwrap();
    assert!(g.day_spec.is_none());
    assert_eq!(g.day_spec_text(), "");

    let msg = field_error(
        w.loket
            .set_day_spec(
                &w.melder_a,
                &w.a,
                &v.nummer,
                "2026-09-30: hele dag",
                today(),
                now(),
            )
            .await,
        "day_spec",
    );
    assert!(msg.contains("buiten de verzuimperiode"), "{msg}");
    w.loket
        .set_day_spec(
            &w.melder_a,
            &w.a,
            &v.nummer,
            "2026-10-05: hele dag\n06-10-2026: 3, 1",
            today(),
            now(),
        )
        .await
        .unwrap();
    let g = w
        .loket
        .gemeente_melding(&w.lpa_x, &w.x, &v.nummer, now())
        .await
        .unwrap();
    assert_eq!(g.day_spec.as_ref().map(|d| d.days()), Some(2));
    assert_eq!(
        g.day_spec_text(),
        "2026-10-05: hele dag\n2026-10-06: 1, 3\n"
    );

    // End date: not before the begin, not in the future, then set.
    let msg = field_error(
        w.loket
            .set_end_date(&w.melder_a, &w.a, &v.nummer, "2026-10-01", today(), now())
            .await,
        "end_date",
    );
    assert!(msg.contains("voor de begindatum"), "{msg}");
    let msg = field_error(
        w.loket
            .set_end_date(&w.melder_a, &w.a, &v.nummer, "2026-12-01", today(), now())
            .await,
        "end_date",
    );
    assert!(msg.contains("toekomst"), "{msg}");
    field_error(
        w.loket
            .set_end_date(&w.melder_a, &w.a, &v.nummer, "gisteren", today(), now())
            .await,
        "end_date",
    );
    w.loket
        .set_end_date(&w.melder_a, &w.a, &v.nummer, "30-10-2026", today(), now())
        .await
        .unwrap();
    let s = w.school_view(&v.nummer).await;
    assert_eq!(s.melding.end_date, Some(day("2026-10-30")));
    assert!(s.events.iter().any(|e| e.note.contains("30-10-2026")));
    // Now the specification must lie before the end date.
    field_error(
        w.loket
            .set_day_spec(
                &w.melder_a,
                &w.a,
                &v.nummer,
                "2026-11-02: 1",
                today(),
                now(),
            )
            .await,
        "day_spec",
    );
    // Clearing it hides it again.
    w.loket
        .set_day_spec(&w.melder_a, &w.a, &v.nummer, "  ", today(), now())
        .await
        .unwrap();
    assert!(w.school_view(&v.nummer).await.day_spec.is_none());
}

async fn attachments_are_checked_by_content_and_size(w: &World) {
    let v = w.file_a(&input(&bsn(16)), now()).await;
    let add = |name: &'static str, bytes: Vec<u8>| {
        let w = &*w;
        let nummer = v.nummer.clone();
        async move {
            w.loket
                .add_attachment(&w.melder_a, &w.a, &nummer, name, &bytes, now())
                .await
        }
    };
    // Not by the name: an executable called .pdf is refused, a PDF called .png is a PDF.
    let msg = field_error(
        add("brief.pdf", b"MZ\x90\0\x03".to_vec()).await,
        "attachment",
    );
    assert!(msg.contains("alleen PDF, PNG of JPEG"), "{msg}");
    let msg = field_error(add("leeg.pdf", Vec::new()).await, "attachment");
    assert!(msg.contains("leeg"), "{msg}");
    let mut big = PDF.to_vec();
    big.resize(1001, b' ');
    let msg = field_error(add("groot.pdf", big).await, "attachment");
    assert!(msg.contains("te groot"), "{msg}");

    let pdf = add("../../etc/verzuim<script>.png", PDF.to_vec())
        .await
        .unwrap();
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.filename, "verzuim_script_.png.pdf");
    assert_eq!(pdf.size, i64::try_from(PDF.len()).unwrap());
    assert_eq!(pdf.sha256.len(), 64);
    let png = add("foto.PNG", PNG.to_vec()).await.unwrap();
    assert_eq!(
        (png.content_type.as_str(), png.filename.as_str()),
        ("image/png", "foto.PNG")
    );
    let msg = field_error(add("derde.pdf", PDF.to_vec()).await, "attachment");
    assert!(msg.contains("hoogstens 2"), "{msg}");

    // Both sides download the same bytes.
    let school = w
        .loket
        .attachment(
            &w.melder_a,
            &MeldingScope::School(w.a.clone()),
            &v.nummer,
            pdf.id,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(school.bytes, PDF);
    assert_eq!(school.content_type, "application/pdf");
    let gemeente = w
        .loket
        .attachment(
            &w.lpa_x,
            &MeldingScope::Gemeente(w.x.clone()),
            &v.nummer,
            png.id,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(gemeente.bytes, PNG);
    assert!(is_not_found(
        w.loket
            .attachment(
                &w.lpa_y,
                &MeldingScope::Gemeente(w.y.clone()),
                &v.nummer,
                png.id,
                now()
            )
            .await
    ));
    let view = w.school_view(&v.nummer).await;
    assert_eq!(view.attachments.len(), 2);
    assert!(view.events.iter().any(|e| e.note.contains("foto.PNG")));
}

async fn a_continuing_absence_is_cloned(w: &World) {
    let old = w.file_a(&input(&bsn(17)), now()).await;
    let form = w
        .loket
        .clone_input(&w.melder_a, &w.a, &old.nummer, now())
        .await
        .unwrap();
    assert_eq!(form.student_number, bsn(17));
    assert_eq!(form.surname, "Dijk");
    assert_eq!(form.kind, "V3");
    assert_eq!(form.begin_date, "2026-10-29");
    assert_eq!(form.end_date, "");
    assert_eq!(form.location, "Hoofdgebouw");
    assert!(is_not_found(
        w.loket
            .clone_input(&w.melder_b, &w.b, &old.nummer, now())
            .await
    ));
    let mut next = form.clone();
    next.end_date = "2026-11-20".into();
    let new = w
        .loket
        .file_melding(&w.melder_a, &w.a, &next, Some(&old.nummer), today(), now())
        .await
        .unwrap();
    assert_eq!(new.cloned_from.as_deref(), Some(old.nummer.as_str()));
    assert_eq!(new.melding.begin_date, day("2026-10-29"));
    assert!(new.events[0].note.contains(&old.nummer));
    // Another school's number cannot be continued.
    let b_melding = w
        .loket
        .file_melding(&w.melder_b, &w.b, &input(&bsn(18)), None, today(), now())
        .await
        .unwrap();
    assert!(is_not_found(
        w.loket
            .file_melding(
                &w.melder_a,
                &w.a,
                &next,
                Some(&b_melding.nummer),
                today(),
                now()
            )
            .await
    ));
}

async fn monthly_reports_count_per_month_kind_and_status(w: &World) {
    let mut luxe = input(&bsn(19));
    luxe.kind = "L".into();
    luxe.begin_date = "2026-09-07".into();
    luxe.end_date = "2026-09-11".into();
    w.file_a(&luxe, at("2026-09-30")).await;
    w.file_a(&input(&bsn(20)), at("2026-10-30")).await;
    let withdrawn = w.file_a(&input(&bsn(21)), at("2026-10-30")).await;
    w.loket
        .withdraw(&w.melder_a, &w.a, &withdrawn.nummer, "", now())
        .await
        .unwrap();
    w.file_a(&input(&bsn(22)), now()).await;
    let mut elsewhere = input(&bsn(23));
    elsewhere.residence_gemeente = "0917".into();
    w.file_a(&elsewhere, now()).await;
    w.loket
        .file_melding(&w.melder_b, &w.b, &input(&bsn(24)), None, today(), now())
        .await
        .unwrap();

    let school = w.loket.school_report(&w.melder_a, &w.a).await.unwrap();
    let cells: Vec<(&str, &str, &str, u64)> = school
        .rows
        .iter()
        .map(|r| (r.month.as_str(), r.kind.code(), r.status.code(), r.count))
        .collect();
    assert_eq!(
        cells,
        [
            ("2026-09", "L", "R", 1),
            ("2026-10", "V3", "R", 1),
            ("2026-10", "V3", "I", 1),
            ("2026-11", "V3", "R", 2),
        ]
    );
    assert_eq!(school.total(), 5);
    assert!(
        school
            .to_csv()
            .contains("2026-10;V3;16 uur in 4 weken;I;Ingetrokken;1")
    );

    let x = w.loket.gemeente_report(&w.lpa_x, &w.x).await.unwrap();
    assert_eq!(x.total(), 5, "4 of school A and 1 of school B");
    assert_eq!(x.by_month().get("2026-11"), Some(&2));
    let y = w.loket.gemeente_report(&w.lpa_y, &w.y).await.unwrap();
    assert_eq!(y.total(), 1);
    assert!(is_not_found(w.loket.school_report(&w.melder_b, &w.a).await));
    assert!(is_not_found(w.loket.gemeente_report(&w.lpa_y, &w.x).await));
}

async fn retention_deletes_exactly_what_is_due(w: &World) {
    // Retention is 30 days; today is 2026-11-23, so what became final on or before
    // 2026-10-23 is due.
    let september = |n: u32| {
        let mut i = input(&bsn(n));
        i.begin_date = "2026-09-01".into();
        i.end_date = "2026-09-20".into();
        i
    };
    let due = w.file_a(&september(25), at("2026-10-01")).await;
    let recent = w.file_a(&september(26), at("2026-10-01")).await;
    let open = w.file_a(&september(27), at("2026-10-01")).await;
    for v in [&due, &open] {
        w.loket
            .add_attachment(
                &w.melder_a,
                &w.a,
                &v.nummer,
                "bewijs.pdf",
                PDF,
                at("2026-10-02"),
            )
            .await
            .unwrap();
    }
    w.loket
        .add_attachment(
            &w.melder_a,
            &w.a,
            &due.nummer,
            "foto.png",
            PNG,
            at("2026-10-02"),
        )
        .await
        .unwrap();
    w.loket
        .answer(&w.lpa_x, &w.x, &due.nummer, &closing(), at("2026-10-23"))
        .await
        .unwrap();
    w.loket
        .answer(&w.lpa_x, &w.x, &recent.nummer, &closing(), at("2026-10-24"))
        .await
        .unwrap();

    let counts = w.loket.run_retention(today(), now()).await.unwrap();
    assert_eq!((counts.meldingen, counts.attachments), (1, 2));
    assert_eq!(counts.events, 4, "filed, two attachments, closed");
    assert!(is_not_found(
        w.loket
            .school_melding(&w.melder_a, &w.a, &due.nummer, now())
            .await
    ));
    assert_eq!(
        w.school_view(&recent.nummer).await.status,
        MeldingStatus::Afgesloten
    );
    assert_eq!(w.school_view(&open.nummer).await.attachments.len(), 1);

    // Nothing more is due today; tomorrow the recent one is.
    let again = w.loket.run_retention(today(), now()).await.unwrap();
    assert_eq!(again.meldingen, 0);
    let tomorrow = w
        .loket
        .run_retention(day("2026-11-24"), at("2026-11-24"))
        .await
        .unwrap();
    assert_eq!((tomorrow.meldingen, tomorrow.attachments), (1, 0));

    let log = w.loket.audit_log(&w.admin, 1).await.unwrap();
    let schoning: Vec<_> = log
        .rows
        .iter()
        .filter(|r| r.action == "retention.run")
        .collect();
    assert_eq!(schoning.len(), 3);
    assert!(
        schoning
            .iter()
            .any(|r| r.detail.contains("1 meldingen, 2 bijlagen")),
        "{schoning:?}"
    );
    // The meldingsnummer of a deleted melding is never handed out again.
    let next = w.file_a(&input(&bsn(28)), now()).await;
    assert!(next.nummer > open.nummer);
}

async fn views_changes_and_downloads_are_audited(w: &World) {
    let v = w.file_a(&input(&bsn(29)), now()).await;
    let file = w
        .loket
        .add_attachment(&w.melder_a, &w.a, &v.nummer, "brief.pdf", PDF, now())
        .await
        .unwrap();
    w.loket
        .school_melding(&w.melder_a, &w.a, &v.nummer, now())
        .await
        .unwrap();
    w.loket
        .gemeente_melding(&w.lpa_x, &w.x, &v.nummer, now())
        .await
        .unwrap();
    w.loket
        .attachment(
            &w.lpa_x,
            &MeldingScope::Gemeente(w.x.clone()),
            &v.nummer,
            file.id,
            now(),
        )
        .await
        .unwrap();
    w.loket
        .answer(&w.lpa_x, &w.x, &v.nummer, &closing(), now())
        .await
        .unwrap();
    // A refused look leaves no trace of the melding for the other school.
    let _ = w
        .loket
        .school_melding(&w.melder_b, &w.b, &v.nummer, now())
        .await;

    let log = w.loket.audit_log(&w.admin, 1).await.unwrap();
    let mut rows: Vec<_> = log
        .rows
        .iter()
        .filter(|r| r.detail.contains(&v.nummer))
        .collect();
    rows.sort_by_key(|r| r.id);
    assert!(rows.iter().all(|r| r.melding_id.is_some()));
    let about: Vec<(String, String, Option<String>)> = rows
        .iter()
        .map(|r| (r.username.clone(), r.action.clone(), r.organisation.clone()))
        .collect();
    let expect = |u: &str, a: &str, o: &str| (u.to_owned(), a.to_owned(), Some(o.to_owned()));
    assert_eq!(
        about,
        [
            expect("melder.a", "melding.file", "12AB"),
            expect("melder.a", "melding.attach", "12AB"),
            expect("melder.a", "melding.view", "12AB"),
            expect("lpa.x", "melding.view", "0935"),
            expect("lpa.x", "attachment.download", "0935"),
            expect("lpa.x", "melding.answer", "0935"),
        ],
        "{:#?}",
        log.rows
    );
    let id = rows[0].melding_id;
    assert!(
        log.rows
            .iter()
            .filter(|r| r.melding_id == id)
            .all(|r| r.username != "melder.b"),
        "a refused look is not a view"
    );
}

// ---------------------------------------------------------------------------------------

macro_rules! scenarios {
    ($db:expr, $($name:ident),+ $(,)?) => {{
        $(
            match World::new($db, stringify!($name)).await {
                Some(w) => {
                    $name(&w).await;
                    println!("{:?}: {}", $db, stringify!($name));
                    w.close().await;
                }
                None => return,
            }
        )+
    }};
}

async fn all(db: Db) {
    scenarios!(
        db,
        a_melding_with_every_field_is_accepted_and_numbered,
        each_invalid_field_is_refused_with_its_message,
        only_contact_persons_may_file,
        routing_follows_residence_and_the_register_wins,
        schools_and_gemeenten_see_only_their_own,
        the_terugmelding_reaches_the_school,
        illegal_transitions_are_refused,
        a_vrijstelling_withdraws_overlapping_meldingen,
        end_date_and_day_specification_come_later,
        attachments_are_checked_by_content_and_size,
        a_continuing_absence_is_cloned,
        monthly_reports_count_per_month_kind_and_status,
        retention_deletes_exactly_what_is_due,
        views_changes_and_downloads_are_audited,
    );
}

#[tokio::test]
async fn meldingen_on_sqlite() {
    all(Db::Sqlite).await;
}

#[tokio::test]
async fn meldingen_on_postgres() {
    all(Db::Postgres).await;
}
