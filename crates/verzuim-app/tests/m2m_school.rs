//! The school side of the machine coupling on SQLite and PostgreSQL, against a REAL loket
//! (its own database) through an in-process transport that calls `Loket::m2m_exchange` with a
//! registered test-PKI client certificate — the real code of both ends minus TLS.
//!
//! The school is the demo school (its law engine proposes 16-uur meldingen); a person
//! confirms one, the sync sends it, the gemeente answers on the loket, and the next sync's
//! poll stores the terugmelding. Also: a lost answer is resent with the same document id and
//! gets the same nummer (one melding at the loket), an unreachable loket backs off 30 s,
//! 60 s, 120 s, a refusal makes the melding `geweigerd` and it is not resent, form errors per
//! field, a change sent as a mutatie, and only coordinating roles may report.
//!
//! PostgreSQL: `VERZUIM_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`),
//! `VERZUIM_SKIP_POSTGRES=1` skips it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::{Ca, Db, TestDb};
use verzuim_app::App;
use verzuim_app::loket::{
    ContactInput, LocationInput, Loket, LoketActor, LoketConfig, LoketRole, M2mPeer, M2mSettings,
    MeldingFilter,
};
use verzuim_app::m2m::{
    Confirmation, LoketTransport, M2mError, Proposal, SyncReport, SyncSettings, TransportError,
};
use verzuim_app::school::Actor;
use verzuim_demo::{DemoSpec, generate};
use verzuim_domain::{Brin, SchoolRole, Staff, StaffId};
use verzuim_edukoppeling::{Limits, Oin};
use verzuim_loket::{RetentionPolicy, TerugmeldingInput};
use verzuim_store::{AuditAction, LoketStore, M2mState, SchoolId, StaffRow, Store};

const PASSWORD: &str = "correct horse battery";
const LOKET_OIN: &str = "00000001800866472000";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

// ---------------------------------------------------------------------------------------
// Transport

/// Calls the loket in-process. `fail` answers nothing for the next N requests (the loket is
/// not even called); `lose` lets the loket handle the next N requests but loses the answer.
struct InProcess {
    loket: Loket,
    settings: M2mSettings,
    peer: M2mPeer,
    now: Mutex<DateTime<Utc>>,
    fail: AtomicUsize,
    lose: AtomicUsize,
    calls: AtomicUsize,
}

fn require_send<T: Send>(t: T) -> T {
    t
}

fn take_one(n: &AtomicUsize) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

impl LoketTransport for InProcess {
    async fn post(
        &self,
        soap_action: &str,
        body: String,
    ) -> Result<(u16, Vec<u8>), TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if take_one(&self.fail) {
            return Err(TransportError("verbinding geweigerd".into()));
        }
        let now = *self.now.lock().unwrap();
        let reply = self
            .loket
            .m2m_exchange(
                &self.settings,
                &self.peer,
                Some(soap_action),
                body.as_bytes(),
                now.date_naive(),
                now,
            )
            .await;
        if take_one(&self.lose) {
            return Err(TransportError(
                "verbinding verbroken voor het antwoord".into(),
            ));
        }
        Ok((reply.status, reply.body.into_bytes()))
    }
}

// ---------------------------------------------------------------------------------------
// PKI

fn school_cert(brin: &Brin, name: &str) -> Vec<u8> {
    Ca::new("Verzuim Test CA").school(brin.as_str(), name, (2026, 1, 1), (2027, 12, 31))
}

// ---------------------------------------------------------------------------------------
// World: the demo school and a loket that knows it

struct World {
    app: App,
    school: SchoolId,
    brin: Brin,
    coordinator: Actor,
    proposals: Vec<Proposal>,
    transport: InProcess,
    melder: LoketActor,
    lpa: Vec<(verzuim_domain::Gemeentecode, LoketActor)>,
    sync: SyncSettings,
    dbs: Vec<TestDb>,
}

impl World {
    /// The demo school on `db`, and a loket on `db` where the school is registered with its
    /// location `loket_location`, a contact person, the gemeenten of the proposals' students
    /// and the school's client certificate.
    async fn new(db: Db, name: &str, loket_location: Option<&str>) -> Option<Self> {
        let school_db = TestDb::new(db, "m2ms", &format!("{name}_s")).await?;
        let loket_db = TestDb::new(db, "m2ms", &format!("{name}_l")).await?;
        let (school_url, loket_url) = (school_db.url.clone(), loket_db.url.clone());

        let store = Store::connect(&school_url).await.unwrap();
        store.migrate().await.unwrap();
        let app = App::new(store);
        let mut spec = DemoSpec::for_today(today()).unwrap();
        spec.students = 150;
        let demo = generate(&spec).unwrap();
        let report = app
            .load_demo(&demo, t0() - Duration::days(1), verzuim_auth::hash_password)
            .await
            .unwrap();
        let school = report.school;
        let row = app.store.school(school).await.unwrap().unwrap();
        let brin = row.school.brin.clone();
        let location = row.school.locations[0].name.clone();
        let login = demo.login(SchoolRole::AttendanceCoordinator).unwrap();
        let (staff, _) = app
            .store
            .staff_for_login(&login.username)
            .await
            .unwrap()
            .unwrap();
        let coordinator = Actor::trusted(staff);
        let proposals = app
            .m2m_proposals(&coordinator, today(), t0())
            .await
            .unwrap();
        assert!(!proposals.is_empty(), "the demo school has no proposals");

        let store = LoketStore::connect(&loket_url).await.unwrap();
        store.migrate().await.unwrap();
        let loket = Loket::new(
            store,
            LoketConfig {
                retention: RetentionPolicy { days: 30 },
                max_attachment_bytes: 1000,
                max_attachments: 2,
            },
        );
        let t = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let admin = loket
            .bootstrap_admin("beheer", "Site Beheer", PASSWORD, t)
            .await
            .unwrap();
        loket
            .add_school(&admin, brin.as_str(), &row.school.name, "vo", t)
            .await
            .unwrap();
        for (u, role) in [
            ("beheer.s", LoketRole::Beheerder(brin.clone())),
            ("melder.s", LoketRole::Melder(brin.clone())),
        ] {
            loket.create_user(&admin, u, u, PASSWORD, t).await.unwrap();
            loket.grant_role(&admin, u, role, t).await.unwrap();
        }
        let beheer = loket.load_actor("beheer.s").await.unwrap().unwrap();
        let melder = loket.load_actor("melder.s").await.unwrap().unwrap();
        loket
            .add_location(
                &beheer,
                &brin,
                &LocationInput {
                    name: loket_location.unwrap_or(&location).into(),
                    city: "Maastricht".into(),
                    ..LocationInput::default()
                },
                t,
            )
            .await
            .unwrap();
        loket
            .add_contact(
                &beheer,
                &brin,
                &ContactInput {
                    name: "Karin de Vries".into(),
                    function: "Verzuimcoördinator".into(),
                    phone: "043 321 00 00".into(),
                    email: "verzuim@school.nl".into(),
                    username: String::new(),
                },
                t,
            )
            .await
            .unwrap();
        let mut gemeenten: Vec<String> = proposals
            .iter()
            .map(|p| p.draft.input.residence_gemeente.clone())
            .filter(|g| !g.is_empty())
            .collect();
        gemeenten.sort();
        gemeenten.dedup();
        let mut lpa = Vec::new();
        for (i, g) in gemeenten.iter().enumerate() {
            let code = loket
                .add_gemeente(&admin, g, &format!("Gemeente {g}"), t)
                .await
                .unwrap();
            let u = format!("lpa.{i}");
            loket
                .create_user(&admin, &u, &u, PASSWORD, t)
                .await
                .unwrap();
            loket
                .grant_role(&admin, &u, LoketRole::Leerplichtambtenaar(code.clone()), t)
                .await
                .unwrap();
            lpa.push((code, loket.load_actor(&u).await.unwrap().unwrap()));
        }
        let der = school_cert(&brin, &row.school.name);
        loket
            .upload_certificate(&beheer, &brin, "school.cer", &der, t)
            .await
            .unwrap();
        let transport = InProcess {
            loket,
            settings: M2mSettings {
                own_oin: Oin::parse(LOKET_OIN).unwrap(),
                limits: Limits::default(),
                proeftuin: false,
            },
            peer: M2mPeer {
                certificate_der: Some(der),
            },
            now: Mutex::new(t0()),
            fail: AtomicUsize::new(0),
            lose: AtomicUsize::new(0),
            calls: AtomicUsize::new(0),
        };
        Some(Self {
            sync: SyncSettings {
                loket_oin: Oin::parse(LOKET_OIN).unwrap(),
                school_oin: Oin::from_brin(&brin),
            },
            app,
            school,
            brin,
            coordinator,
            proposals,
            transport,
            melder,
            lpa,
            dbs: vec![school_db, loket_db],
        })
    }

    async fn close(self) {
        self.app.store.close().await;
        self.transport.loket.store.close().await;
        for db in self.dbs {
            db.drop_schema().await;
        }
    }

    /// The first proposal with a gemeente, completed the way a coordinator does.
    fn confirmation(&self) -> Confirmation {
        let p = self
            .proposals
            .iter()
            .find(|p| !p.draft.input.residence_gemeente.is_empty())
            .expect("a proposal for a student with a gemeente");
        let mut input = p.draft.input.clone();
        input.school_actions = "Gesprek met ouders op 10-11; mentor belt dagelijks.".into();
        input.action_wanted = "ja".into();
        input.priority = "NORMAAL".into();
        input.parent_phone = "06 12345678".into();
        Confirmation {
            key: p.key.clone(),
            input,
            day_spec: p.draft.day_spec.to_text(),
        }
    }

    async fn sync_at(&self, now: DateTime<Utc>) -> SyncReport {
        *self.transport.now.lock().unwrap() = now;
        // The sync's future must be Send: the server runs it on a spawned task.
        require_send(self.app.m2m_sync(
            self.school,
            &self.transport,
            &self.sync,
            now.date_naive(),
            now,
        ))
        .await
        .unwrap()
    }

    async fn loket_meldingen(&self) -> Vec<verzuim_store::loket::MeldingSummary> {
        self.transport
            .loket
            .school_meldingen(&self.melder, &self.brin, &MeldingFilter::default())
            .await
            .unwrap()
    }
}

async fn both(name: &str, loket_location: Option<&str>, scenario: impl AsyncFn(&World)) {
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(w) = World::new(db, name, loket_location).await else {
            continue;
        };
        scenario(&w).await;
        println!("{name} on {db:?}: ok");
        w.close().await;
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios

#[tokio::test]
async fn confirmed_melding_is_sent_and_the_terugmelding_comes_back_with_the_poll() {
    both("flow", None, async |w: &World| {
        let c = w.confirmation();
        let id = w
            .app
            .confirm_melding(&w.coordinator, &c, today(), t0())
            .await
            .unwrap();
        // the proposal is gone, a second confirmation is a conflict
        let open = w
            .app
            .m2m_proposals(&w.coordinator, today(), t0())
            .await
            .unwrap();
        assert!(open.iter().all(|p| p.key != c.key));
        assert!(matches!(
            w.app
                .confirm_melding(&w.coordinator, &c, today(), t0())
                .await,
            Err(M2mError::Conflict { .. })
        ));

        let report = w.sync_at(t0()).await;
        assert_eq!(
            (report.sent, report.refused, report.retry_later),
            (1, 0, 0),
            "{report:?}"
        );
        assert!(report.problems.is_empty(), "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, M2mState::Verzonden);
        assert_eq!(row.loket_status.as_deref(), Some("R"));
        let nummer = row.nummer.clone().unwrap();
        let at_loket = w.loket_meldingen().await;
        assert_eq!(at_loket.len(), 1);
        assert_eq!(at_loket[0].nummer, nummer);

        // the gemeente answers on the loket
        let gemeente = at_loket[0].gemeente.clone();
        let lpa = &w.lpa.iter().find(|(g, _)| *g == gemeente).unwrap().1;
        w.transport
            .loket
            .answer(
                lpa,
                &gemeente,
                &nummer,
                &TerugmeldingInput {
                    status: "G".into(),
                    closing_reason: "TERUG".into(),
                    explanation: "GEZIEN".into(),
                    contact_name: "Jan Leerplicht".into(),
                    contact_function: "Leerplichtambtenaar".into(),
                    contact_phone: "043 350 00 00".into(),
                    contact_email: "leerplicht@gemeente.nl".into(),
                },
                t0() + Duration::hours(1),
            )
            .await
            .unwrap();

        let later = t0() + Duration::hours(2);
        let report = w.sync_at(later).await;
        assert_eq!(report.sent, 0, "nothing is sent twice: {report:?}");
        assert_eq!(report.terugmeldingen, 1, "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.loket_status.as_deref(), Some("G"));
        assert_eq!(row.closing_reason.as_deref(), Some("TERUG"));
        assert_eq!(row.explanation.as_deref(), Some("GEZIEN"));
        assert_eq!(row.contact.as_ref().unwrap().name, "Jan Leerplicht");
        assert!(row.terugmelding_at.is_some());

        // a third poll finds nothing new (the cursor moved on)
        let report = w.sync_at(later + Duration::hours(1)).await;
        assert_eq!(
            (report.updated, report.terugmeldingen),
            (0, 0),
            "{report:?}"
        );

        // every message is kept: the request and answer, and the poll answer that updated it
        let log = w
            .app
            .m2m_melding_log(&w.coordinator, id, later)
            .await
            .unwrap();
        let ops: Vec<(String, String)> = log
            .messages
            .iter()
            .map(|m| (m.direction.clone(), m.operation.clone()))
            .collect();
        assert_eq!(
            ops[0],
            ("uit".to_owned(), "MeldenRelatiefVerzuim".to_owned())
        );
        assert_eq!(
            ops[1],
            ("in".to_owned(), "MeldenRelatiefVerzuim".to_owned())
        );
        assert!(ops[2..].contains(&(
            "in".to_owned(),
            "AanvraagGewijzigdeMeldingRelatiefVerzuim".to_owned()
        )));
        assert!(
            log.messages[0]
                .body
                .contains("identificatiecodeBedrijfsdocument")
        );
        assert_eq!(log.messages[1].relates_to, log.messages[0].message_id);
        assert_eq!(log.messages[1].http_status, Some(200));
        let all = w
            .app
            .store
            .m2m_recent_messages(w.school, 100)
            .await
            .unwrap();
        assert_eq!(all.len(), 8, "melden + 3 polls: 4 requests and 4 answers");

        // audit: confirmed by the coordinator, sent and answered by the machine coupling
        let audit = w
            .app
            .store
            .audit_of_student(w.school, row.student.unwrap())
            .await
            .unwrap();
        assert!(audit.iter().any(|a| a.action == AuditAction::Create
            && a.actor_label == w.coordinator.label()
            && a.detail.starts_with("verzuimmelding bevestigd")));
        assert!(audit.iter().any(|a| a.actor_label == "machinekoppeling"
            && a.detail.contains(&nummer)
            && a.detail.contains("verzonden")));
        assert!(
            audit
                .iter()
                .any(|a| a.actor_label == "machinekoppeling" && a.detail.contains("terugmelding"))
        );
    })
    .await;
}

#[tokio::test]
async fn a_lost_answer_is_resent_with_the_same_document_id_and_stores_one_melding() {
    both("lost", None, async |w: &World| {
        let id = w
            .app
            .confirm_melding(&w.coordinator, &w.confirmation(), today(), t0())
            .await
            .unwrap();
        w.transport.lose.store(1, Ordering::SeqCst);
        let report = w.sync_at(t0()).await;
        assert_eq!((report.sent, report.retry_later), (0, 1), "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, M2mState::Bevestigd);
        assert_eq!(row.attempts, 1);
        assert_eq!(row.next_attempt_at, Some(t0() + Duration::seconds(30)));
        assert!(row.last_error.unwrap().contains("verbroken"));
        assert_eq!(w.loket_meldingen().await.len(), 1, "the loket did file it");

        // not due yet: nothing is sent
        let calls = w.transport.calls.load(Ordering::SeqCst);
        let report = w.sync_at(t0() + Duration::seconds(10)).await;
        assert_eq!((report.sent, report.retry_later), (0, 0));
        assert_eq!(
            w.transport.calls.load(Ordering::SeqCst),
            calls + 1,
            "only the poll"
        );

        let report = w.sync_at(t0() + Duration::seconds(31)).await;
        assert_eq!(report.sent, 1, "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        let at_loket = w.loket_meldingen().await;
        assert_eq!(
            at_loket.len(),
            1,
            "one melding at the loket after the resend"
        );
        assert_eq!(row.nummer.as_deref(), Some(at_loket[0].nummer.as_str()));
        assert_eq!((row.attempts, row.next_attempt_at), (0, None));
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_loket_is_retried_with_exponential_backoff() {
    both("backoff", None, async |w: &World| {
        let id = w
            .app
            .confirm_melding(&w.coordinator, &w.confirmation(), today(), t0())
            .await
            .unwrap();
        w.transport.fail.store(usize::MAX, Ordering::SeqCst);
        let mut now = t0();
        for (attempt, wait) in [(1, 30), (2, 60), (3, 120), (4, 240)] {
            let report = w.sync_at(now).await;
            assert_eq!(report.retry_later, 1, "{report:?}");
            assert_eq!(report.problems.len(), 1, "the poll failed too: {report:?}");
            let row = w
                .app
                .store
                .m2m_melding(w.school, id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.attempts, attempt);
            assert_eq!(row.next_attempt_at, Some(now + Duration::seconds(wait)));
            assert!(
                row.last_error
                    .as_deref()
                    .unwrap()
                    .contains("verbinding geweigerd")
            );
            now += Duration::seconds(wait);
        }
        // the failures are in the message log, with the error
        let log = w
            .app
            .m2m_melding_log(&w.coordinator, id, now)
            .await
            .unwrap();
        assert_eq!(log.messages.len(), 8);
        assert!(
            log.messages
                .iter()
                .filter(|m| m.direction == "in")
                .all(|m| m.error.is_some())
        );
        // the loket comes back
        w.transport.fail.store(0, Ordering::SeqCst);
        let report = w.sync_at(now).await;
        assert_eq!(report.sent, 1, "{report:?}");
        assert!(report.problems.is_empty());
        assert_eq!(w.loket_meldingen().await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_refused_melding_is_geweigerd_with_the_reason_per_field_and_not_resent() {
    // The loket knows the school under another location name: Onderwijslocatienaam is refused.
    both("refused", Some("Dependance Oost"), async |w: &World| {
        let id = w
            .app
            .confirm_melding(&w.coordinator, &w.confirmation(), today(), t0())
            .await
            .unwrap();
        let report = w.sync_at(t0()).await;
        assert_eq!((report.sent, report.refused), (0, 1), "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, M2mState::Geweigerd);
        let r = row
            .refusal
            .iter()
            .find(|r| r.field.as_deref() == Some("location"));
        assert!(r.is_some(), "{:?}", row.refusal);
        assert_eq!(r.unwrap().code, "F001");
        assert!(w.loket_meldingen().await.is_empty());
        let calls = w.transport.calls.load(Ordering::SeqCst);
        let report = w.sync_at(t0() + Duration::hours(2)).await;
        assert_eq!((report.sent, report.refused, report.retry_later), (0, 0, 0));
        assert_eq!(
            w.transport.calls.load(Ordering::SeqCst),
            calls + 1,
            "only the poll"
        );
        // corrected and confirmed again: a new document id, back in the outbox, sent again
        let c = w.confirmation();
        w.app
            .m2m_correct_melding(&w.coordinator, id, &c.input, &c.day_spec, today(), t0())
            .await
            .unwrap();
        let again = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.state, M2mState::Bevestigd);
        assert!(again.refusal.is_empty());
        assert_ne!(again.document_id, row.document_id);
        let report = w.sync_at(t0() + Duration::hours(3)).await;
        assert_eq!(
            report.refused, 1,
            "sent again (and refused again): {report:?}"
        );
        // a melding that was not refused cannot be "corrected"
        assert!(matches!(
            w.app
                .m2m_correct_melding(
                    &w.coordinator,
                    999_999,
                    &c.input,
                    &c.day_spec,
                    today(),
                    t0()
                )
                .await,
            Err(M2mError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_confirm_form_is_checked_per_field_and_stores_nothing_when_wrong() {
    both("form", None, async |w: &World| {
        let mut c = w.confirmation();
        c.input.school_actions = "  ".into();
        c.input.parent_phone = "bel me".into();
        c.day_spec = "2020-01-06: hele dag\n".into();
        let Err(M2mError::Fields(e)) = w
            .app
            .confirm_melding(&w.coordinator, &c, today(), t0())
            .await
        else {
            panic!("expected field errors");
        };
        assert!(e.get("school_actions").is_some(), "{e:?}");
        assert!(e.get("parent_phone").is_some(), "{e:?}");
        // the day specification is checked once the rest is right
        let mut c = w.confirmation();
        c.day_spec = "2020-01-06: hele dag\n".into();
        let Err(M2mError::Fields(e)) = w
            .app
            .confirm_melding(&w.coordinator, &c, today(), t0())
            .await
        else {
            panic!("expected field errors");
        };
        assert!(
            e.get("day_specification").unwrap().contains("buiten"),
            "{e:?}"
        );
        assert!(
            w.app
                .store
                .m2m_meldingen(w.school)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn an_end_date_and_day_specification_are_sent_as_a_mutatie() {
    both("mutatie", None, async |w: &World| {
        let c = w.confirmation();
        let id = w
            .app
            .confirm_melding(&w.coordinator, &c, today(), t0())
            .await
            .unwrap();
        // not before it is sent
        assert!(matches!(
            w.app
                .m2m_change_melding(&w.coordinator, id, "2026-11-20", "", today(), t0())
                .await,
            Err(M2mError::Conflict { .. })
        ));
        assert_eq!(w.sync_at(t0()).await.sent, 1);
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        let end = today();
        assert!(matches!(
            w.app
                .m2m_change_melding(&w.coordinator, id, "", "", today(), t0())
                .await,
            Err(M2mError::Fields(_))
        ));
        w.app
            .m2m_change_melding(
                &w.coordinator,
                id,
                &end.to_string(),
                &row.day_spec,
                today(),
                t0(),
            )
            .await
            .unwrap();
        let pending = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert!(pending.pending.is_some());
        let report = w.sync_at(t0() + Duration::minutes(5)).await;
        assert_eq!((report.sent, report.refused), (1, 0), "{report:?}");
        let row = w
            .app
            .store
            .m2m_melding(w.school, id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            row.pending.is_none() && row.mutation_error.is_none(),
            "{row:?}"
        );
        assert!(row.input.contains(&end.to_string()));
        assert!(row.process_date.is_some());
        let at_loket = w.loket_meldingen().await;
        assert_eq!(at_loket[0].end_date, Some(end));
        let log = w
            .app
            .m2m_melding_log(&w.coordinator, id, t0())
            .await
            .unwrap();
        assert!(
            log.messages
                .iter()
                .any(|m| m.operation == "MutatieMeldingRelatiefVerzuim")
        );
    })
    .await;
}

#[tokio::test]
async fn only_coordinating_roles_see_and_confirm_meldingen() {
    both("roles", None, async |w: &World| {
        let teacher = Actor::trusted(StaffRow {
            id: StaffId(w.coordinator.id().0),
            school: w.school,
            staff: Staff {
                username: "x".into(),
                name: "X".into(),
                code: "X".into(),
                roles: vec![SchoolRole::Teacher, SchoolRole::Mentor],
            },
        });
        assert!(matches!(
            w.app.m2m_proposals(&teacher, today(), t0()).await,
            Err(M2mError::Forbidden)
        ));
        assert!(matches!(
            w.app
                .confirm_melding(&teacher, &w.confirmation(), today(), t0())
                .await,
            Err(M2mError::Forbidden)
        ));
        assert!(matches!(
            w.app.m2m_meldingen(&teacher, t0()).await,
            Err(M2mError::Forbidden)
        ));
        // another school's melding id is "not found"
        assert!(matches!(
            w.app.m2m_melding_log(&w.coordinator, 999_999, t0()).await,
            Err(M2mError::NotFound { .. })
        ));
    })
    .await;
}
