//! The loket's end of the machine coupling on SQLite and PostgreSQL: `Loket::m2m_exchange`
//! with requests written by `verzuim-edukoppeling` and client certificates of the test PKI (`verzuim-pki`) —
//! the real loket code minus TLS. Authorisation by registered certificate (A for B, unknown,
//! expired, revoked, none), refusal of unsafe or malformed messages with nothing stored,
//! idempotency on MessageID and on the document id, the five operations, polling with a
//! cursor, and the certificate registry with its history.
//!
//! Every scenario runs on a fresh SQLite file and on a fresh PostgreSQL schema
//! (`VERZUIM_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`; set
//! `VERZUIM_SKIP_POSTGRES=1` to skip it when no server runs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use verzuim_app::loket::{
    CertificateState, ContactInput, Loket, LoketActor, LoketError, LoketRole, M2mPeer, M2mReply,
    M2mSettings, decode_cursor, encode_cursor,
};
use verzuim_domain::{Brin, Gemeentecode};

use common::loket::{LoketBase, set_up_at};
use common::{Ca, Db, TestDb};
use verzuim_edukoppeling::messages::{
    AanvraagGewijzigdeMeldingRelatiefVerzuimRequest,
    AanvraagGewijzigdeMeldingRelatiefVerzuimResponse, AanvraagMeldingRelatiefVerzuimRequest,
    Bijlage, FoutCode, Foutmelding, IntrekkenMeldingRelatiefVerzuimRequest,
    MeldenRelatiefVerzuimRequest, MeldingGegevens, MutatieMeldingRelatiefVerzuimRequest,
    Selectieperiode, Verzuimdag, Verzuimdagspecificatie,
};
use verzuim_edukoppeling::{
    DocumentId, FaultCode, Limits, MessageId, Oin, Operation, RequestMessage, ResponseBody,
    ResponseMessage, WsaHeaders, parse_response, write_request,
};
use verzuim_loket::{MeldingStatus, Priority, TerugmeldingInput, Verzuimsoort};

const LOKET_OIN: &str = "00000001800866472000";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(s).and_hms_opt(9, 30, 0).unwrap())
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

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh MessageID (unique within the test run).
fn message_id() -> MessageId {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    MessageId::from_uuid(&format!("00000000-0000-4000-8000-{n:012x}")).unwrap()
}

fn document_id() -> DocumentId {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    DocumentId::parse(&format!("d0c00000-0000-4000-8000-{n:012x}")).unwrap()
}

// ---------------------------------------------------------------------------------------
// Test PKI

struct Certs {
    /// School A's registered certificate.
    a: Vec<u8>,
    /// School B's registered certificate.
    b: Vec<u8>,
    /// Same subject and issuer as `a`, expired on 2026-06-01.
    a_expired: Vec<u8>,
    /// Same subject as `a`, another CA: not registered.
    a_other_ca: Vec<u8>,
    /// A renewal of `a` (new key, same names), valid into 2028.
    a_renewed: Vec<u8>,
}

fn certs() -> Certs {
    let ca = Ca::new("Verzuim Test CA");
    let other = Ca::new("Andere CA");
    let valid = ((2026, 1, 1), (2027, 12, 31));
    Certs {
        a: ca.school("12AB", "Sint-Maartenscollege", valid.0, valid.1),
        b: ca.school("34CD", "Bonnefanten College", valid.0, valid.1),
        a_expired: ca.school("12AB", "Sint-Maartenscollege", (2025, 1, 1), (2026, 6, 1)),
        a_other_ca: other.school("12AB", "Sint-Maartenscollege", valid.0, valid.1),
        a_renewed: ca.school(
            "12AB",
            "Sint-Maartenscollege",
            (2026, 11, 1),
            (2028, 12, 31),
        ),
    }
}

fn peer(der: &[u8]) -> M2mPeer {
    M2mPeer {
        certificate_der: Some(der.to_vec()),
    }
}

// ---------------------------------------------------------------------------------------
// World

struct World {
    loket: Loket,
    admin: LoketActor,
    beheer_a: LoketActor,
    melder_a: LoketActor,
    beheer_b: LoketActor,
    lpa_x: LoketActor,
    a: Brin,
    b: Brin,
    x: Gemeentecode,
    certs: Certs,
    settings: M2mSettings,
    db: TestDb,
}

impl World {
    async fn new(db: Db, name: &str) -> Option<Self> {
        let base = LoketBase::new(db, "m2m", name).await?;
        let beheer_a = base
            .user("beheer.a", vec![LoketRole::Beheerder(base.a.clone())])
            .await;
        let melder_a = base
            .user("melder.a", vec![LoketRole::Melder(base.a.clone())])
            .await;
        let beheer_b = base
            .user("beheer.b", vec![LoketRole::Beheerder(base.b.clone())])
            .await;
        let lpa_x = base
            .user(
                "lpa.x",
                vec![LoketRole::Leerplichtambtenaar(base.x.clone())],
            )
            .await;
        for (who, brin, contact) in [
            (&beheer_a, &base.a, "Karin de Vries"),
            (&beheer_b, &base.b, "Ruud Hermans"),
        ] {
            base.location(who, brin).await;
            base.contact(
                who,
                brin,
                ContactInput {
                    name: contact.into(),
                    function: "Verzuimcoördinator".into(),
                    phone: "043 321 00 00".into(),
                    email: "verzuim@school.nl".into(),
                    username: String::new(),
                },
            )
            .await;
        }
        let certs = certs();
        let t = set_up_at();
        base.loket
            .upload_certificate(&beheer_a, &base.a, "school-a.cer", &certs.a, t)
            .await
            .unwrap();
        base.loket
            .upload_certificate(&beheer_b, &base.b, "school-b.cer", &certs.b, t)
            .await
            .unwrap();
        let LoketBase {
            loket,
            admin,
            a,
            b,
            x,
            db,
            ..
        } = base;
        Some(Self {
            melder_a,
            lpa_x,
            loket,
            admin,
            beheer_a,
            beheer_b,
            a,
            b,
            x,
            certs,
            settings: M2mSettings {
                own_oin: Oin::parse(LOKET_OIN).unwrap(),
                limits: Limits::default(),
                proeftuin: false,
            },
            db,
        })
    }

    async fn close(self) {
        LoketBase::close(self.loket, self.db).await;
    }

    /// The envelope of `message` from the school it names, with MessageID `id`.
    fn envelope(&self, id: MessageId, message: &RequestMessage) -> String {
        let brin = Brin::parse(message.brin()).unwrap_or_else(|_| self.a.clone());
        let headers = WsaHeaders::request(
            &self.settings.own_oin,
            &Oin::from_brin(&brin),
            message.operation(),
            id,
        );
        write_request(&headers, message).unwrap()
    }

    /// Sends raw bytes.
    async fn raw(&self, peer: &M2mPeer, action: Option<&str>, body: &[u8]) -> M2mReply {
        self.loket
            .m2m_exchange(&self.settings, peer, action, body, today(), now())
            .await
    }

    /// Sends `message` with MessageID `id` as `cert`; returns the reply and its parsed body.
    async fn send_id(
        &self,
        cert: &[u8],
        id: MessageId,
        message: &RequestMessage,
    ) -> (M2mReply, ResponseBody) {
        let xml = self.envelope(id, message);
        let reply = self
            .raw(
                &peer(cert),
                Some(message.operation().action()),
                xml.as_bytes(),
            )
            .await;
        let parsed = parse_response(reply.body.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("answer does not parse: {e}\n{}", reply.body));
        (reply, parsed.body)
    }

    async fn send(&self, cert: &[u8], message: &RequestMessage) -> (M2mReply, ResponseBody) {
        self.send_id(cert, message_id(), message).await
    }

    /// Submits a melding for school A; returns its nummer.
    async fn submit_a(&self, gegevens: MeldingGegevens) -> String {
        let (reply, body) = self
            .send(&self.certs.a, &melden(&self.a, gegevens, None))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        match body {
            ResponseBody::Message(ResponseMessage::Melden(r)) => r.id.number,
            other => panic!("expected a nummer, got {other:?}"),
        }
    }

    async fn count_meldingen(&self) -> usize {
        let mut n = 0;
        for (brin, actor) in [(&self.a, &self.melder_a)] {
            n += self
                .loket
                .school_meldingen(actor, brin, &Default::default())
                .await
                .unwrap()
                .len();
        }
        n + self.count_b().await
    }

    async fn count_b(&self) -> usize {
        let melder_b = LoketActor::trusted(0, "t", "t", vec![LoketRole::Melder(self.b.clone())]);
        self.loket
            .school_meldingen(&melder_b, &self.b, &Default::default())
            .await
            .unwrap()
            .len()
    }

    async fn messages(&self) -> i64 {
        self.loket.store.count_m2m_messages().await.unwrap()
    }
}

/// A complete 16-uur melding for a student of a school in Maastricht.
fn gegevens(student: &str) -> MeldingGegevens {
    MeldingGegevens {
        student_number: student.into(),
        first_names: "Sanne".into(),
        prefix: Some("van".into()),
        surname: "Dijk".into(),
        birth_date: day("2012-05-04"),
        gender: "V".into(),
        residence_gemeente: "0935".into(),
        start_qualification: false,
        kind: Verzuimsoort::ZestienUur,
        begin_date: day("2026-10-05"),
        end_date: Some(day("2026-10-28")),
        suspected_reason: "Spijbelen, vermoedelijk problemen thuis".into(),
        all_lessons_missed: false,
        school_actions: "Mentor heeft twee keer met ouders gebeld".into(),
        action_wanted: true,
        priority: Some(Priority::Hoog),
        no_action_explanation: None,
        location: "Hoofdgebouw".into(),
        parent_phone: "06 12 34 56 78".into(),
        address: None,
        absence_days: Some(6),
        absence_hours: Some(18),
    }
}

fn melden(brin: &Brin, g: MeldingGegevens, doc: Option<DocumentId>) -> RequestMessage {
    RequestMessage::Melden(Box::new(MeldenRelatiefVerzuimRequest {
        document_id: doc,
        brin: brin.as_str().to_owned(),
        melding: g,
        day_specification: None,
    }))
}

fn aanvraag(brin: &Brin, nummer: &str) -> RequestMessage {
    RequestMessage::Aanvraag(AanvraagMeldingRelatiefVerzuimRequest {
        brin: brin.as_str().to_owned(),
        number: nummer.to_owned(),
    })
}

fn poll(brin: &Brin, cursor: Option<String>, limit: Option<u32>) -> RequestMessage {
    RequestMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
        brin: brin.as_str().to_owned(),
        period: None,
        cursor,
        limit,
    })
}

fn mutatie(brin: &Brin, nummer: &str) -> MutatieMeldingRelatiefVerzuimRequest {
    MutatieMeldingRelatiefVerzuimRequest {
        document_id: None,
        brin: brin.as_str().to_owned(),
        number: nummer.to_owned(),
        last_known: None,
        end_date: None,
        day_specification: None,
        attachments: Vec::new(),
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

fn fault_code(reply: &M2mReply) -> FaultCode {
    assert_eq!(reply.status, 500, "expected a fault: {}", reply.body);
    let parsed = parse_response(reply.body.as_bytes(), &Limits::default());
    let fault = match parsed {
        Ok(r) => match r.body {
            ResponseBody::Fault(f) => f,
            other => panic!("expected a fault, got {other:?}"),
        },
        // a fault without headers (the request's could not be read) has no RelatesTo
        Err(_) => {
            let start = reply.body.find("<faultcode>").unwrap() + "<faultcode>".len();
            let end = reply.body.find("</faultcode>").unwrap();
            return FaultCode::parse(&reply.body[start..end]).unwrap();
        }
    };
    fault.code
}

fn foutmelding(body: ResponseBody) -> Foutmelding {
    match body {
        ResponseBody::Message(ResponseMessage::Foutmelding(f)) => f,
        other => panic!("expected a Foutmelding, got {other:?}"),
    }
}

fn fout_codes(f: &Foutmelding) -> Vec<(FoutCode, Option<String>)> {
    f.errors.iter().map(|e| (e.code, e.field.clone())).collect()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

// ---------------------------------------------------------------------------------------
// Scenarios

async fn a_submitted_melding_is_filed_numbered_stored_and_audited(w: &World) {
    let mut request = MeldenRelatiefVerzuimRequest {
        document_id: Some(document_id()),
        brin: "12AB".into(),
        melding: gegevens(&bsn(1)),
        day_specification: Some(Verzuimdagspecificatie {
            days: vec![
                Verzuimdag {
                    date: day("2026-10-05"),
                    whole_day: true,
                    lesuren: vec![],
                },
                Verzuimdag {
                    date: day("2026-10-06"),
                    whole_day: false,
                    lesuren: vec![1, 2, 5],
                },
            ],
        }),
    };
    let id = message_id();
    let (reply, body) = w
        .send_id(
            &w.certs.a,
            id.clone(),
            &RequestMessage::Melden(Box::new(request.clone())),
        )
        .await;
    assert_eq!(reply.status, 200);
    let answer = match body {
        ResponseBody::Message(ResponseMessage::Melden(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(answer.status, MeldingStatus::Geregistreerd);
    assert_eq!(answer.document_id, request.document_id);
    let nummer = answer.id.number;
    assert!(nummer.starts_with("VM"), "{nummer}");
    let view = w
        .loket
        .school_melding(&w.melder_a, &w.a, &nummer, now())
        .await
        .unwrap();
    assert_eq!(view.melding.surname, "Dijk");
    assert_eq!(view.reporter.name, "Karin de Vries");
    assert_eq!(
        view.day_spec_text(),
        "2026-10-05: hele dag\n2026-10-06: 1, 2, 5\n"
    );
    assert_eq!(view.events[0].username.as_deref(), Some("m2m:12AB"));
    // the exchange is stored under its MessageID, with its audit row
    let stored = w
        .loket
        .store
        .m2m_message(&id.to_uri())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.nummer.as_deref(), Some(nummer.as_str()));
    assert_eq!(stored.response_body, reply.body);
    assert_eq!(stored.operation, "MeldenRelatiefVerzuim");
    let row = w
        .loket
        .store
        .melding(
            &verzuim_store::loket::MeldingScope::School(w.a.clone()),
            &nummer,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.client_melding_id.as_deref(),
        request.document_id.as_ref().map(DocumentId::as_str)
    );
    let audit = w.loket.store.audit_of_melding(row.id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.action == "m2m.MeldenRelatiefVerzuim" && r.username == "m2m:12AB"),
        "{audit:?}"
    );
    // a day specification outside the period is refused per element, nothing filed
    request.document_id = None;
    request.day_specification = Some(Verzuimdagspecificatie {
        days: vec![Verzuimdag {
            date: day("2026-11-01"),
            whole_day: true,
            lesuren: vec![],
        }],
    });
    let before = w.count_meldingen().await;
    let (_, body) = w
        .send(&w.certs.a, &RequestMessage::Melden(Box::new(request)))
        .await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(
            FoutCode::OngeldigVeld,
            Some("Verzuimdagspecificatie".into())
        )]
    );
    assert_eq!(w.count_meldingen().await, before);
}

async fn field_errors_come_back_as_a_foutmelding_per_element_and_are_stored(w: &World) {
    let mut g = gegevens("123");
    g.location = "Bijgebouw".into();
    let id = message_id();
    let (reply, body) = w
        .send_id(&w.certs.a, id.clone(), &melden(&w.a, g, None))
        .await;
    assert_eq!(reply.status, 200, "a Foutmelding is an answer, not a fault");
    let f = foutmelding(body);
    let fields: Vec<String> = f.errors.iter().filter_map(|e| e.field.clone()).collect();
    assert!(
        fields.contains(&"PersoonsgebondenNummer".to_owned()),
        "{f:?}"
    );
    assert!(fields.contains(&"Onderwijslocatienaam".to_owned()), "{f:?}");
    assert!(f.errors.iter().all(|e| e.code == FoutCode::OngeldigVeld));
    assert_eq!(w.count_meldingen().await, 0);
    let stored = w
        .loket
        .store
        .m2m_message(&id.to_uri())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.response_body, reply.body);
    // a school without contact person cannot file: F001 on Contactpersoon
    let contacts = w.loket.list_contacts(&w.beheer_b, &w.b, "").await.unwrap();
    for c in contacts {
        w.loket
            .delete_contact(&w.beheer_b, &w.b, c.id, now())
            .await
            .unwrap();
    }
    let (_, body) = w
        .send(&w.certs.b, &melden(&w.b, gegevens(&bsn(2)), None))
        .await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(FoutCode::OngeldigVeld, Some("Contactpersoon".into()))]
    );
}

async fn a_repeated_message_id_returns_the_stored_answer_and_files_once(w: &World) {
    let id = message_id();
    let request = melden(&w.a, gegevens(&bsn(3)), None);
    let (first, _) = w.send_id(&w.certs.a, id.clone(), &request).await;
    let (second, _) = w.send_id(&w.certs.a, id.clone(), &request).await;
    assert_eq!(first, second, "byte for byte the same answer");
    // even with a different body under the same MessageID: the stored answer, nothing run
    let (third, _) = w
        .send_id(
            &w.certs.a,
            id.clone(),
            &melden(&w.a, gegevens(&bsn(4)), None),
        )
        .await;
    assert_eq!(third, first);
    assert_eq!(w.count_meldingen().await, 1);
    assert_eq!(w.messages().await, 1);
    // school B cannot fetch A's answer with A's MessageID
    let (reply, _) = w
        .send_id(&w.certs.b, id, &melden(&w.b, gegevens(&bsn(3)), None))
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0011);
    assert_eq!(w.count_meldingen().await, 1);
}

async fn a_repeated_document_id_returns_the_same_nummer_and_other_data_is_f005(w: &World) {
    let doc = document_id();
    let (first, body) = w
        .send(
            &w.certs.a,
            &melden(&w.a, gegevens(&bsn(5)), Some(doc.clone())),
        )
        .await;
    assert_eq!(first.status, 200);
    let nummer = match body {
        ResponseBody::Message(ResponseMessage::Melden(r)) => r.id.number,
        other => panic!("{other:?}"),
    };
    // a retry with a new MessageID (the first answer was lost)
    let (_, body) = w
        .send(
            &w.certs.a,
            &melden(&w.a, gegevens(&bsn(5)), Some(doc.clone())),
        )
        .await;
    match body {
        ResponseBody::Message(ResponseMessage::Melden(r)) => {
            assert_eq!(r.id.number, nummer);
            assert_eq!(r.document_id, Some(doc.clone()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.count_meldingen().await, 1);
    // the same document id for another student: F005, nothing filed
    let (_, body) = w
        .send(
            &w.certs.a,
            &melden(&w.a, gegevens(&bsn(6)), Some(doc.clone())),
        )
        .await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(
            FoutCode::DubbelDocument,
            Some("identificatiecodeBedrijfsdocument".into())
        )]
    );
    assert_eq!(w.count_meldingen().await, 1);
    // another school may use the same document id for its own melding
    let (reply, body) = w
        .send(&w.certs.b, &melden(&w.b, gegevens(&bsn(7)), Some(doc)))
        .await;
    assert_eq!(reply.status, 200);
    assert!(matches!(
        body,
        ResponseBody::Message(ResponseMessage::Melden(_))
    ));
    assert_eq!(w.count_meldingen().await, 2);
}

async fn concurrent_retries_of_one_submission_file_one_melding(w: &World) {
    let id = message_id();
    let doc = document_id();
    let request = melden(&w.a, gegevens(&bsn(8)), Some(doc.clone()));
    let xml = w.envelope(id, &request);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let loket = w.loket.clone();
        let settings = w.settings.clone();
        let cert = peer(&w.certs.a);
        let xml = xml.clone();
        tasks.push(tokio::spawn(async move {
            loket
                .m2m_exchange(
                    &settings,
                    &cert,
                    Some(Operation::MeldenRelatiefVerzuim.action()),
                    xml.as_bytes(),
                    today(),
                    now(),
                )
                .await
        }));
    }
    // and the same document under other MessageIDs at the same time
    for _ in 0..4 {
        let loket = w.loket.clone();
        let settings = w.settings.clone();
        let cert = peer(&w.certs.a);
        let xml = w.envelope(message_id(), &request);
        tasks.push(tokio::spawn(async move {
            loket
                .m2m_exchange(
                    &settings,
                    &cert,
                    Some(Operation::MeldenRelatiefVerzuim.action()),
                    xml.as_bytes(),
                    today(),
                    now(),
                )
                .await
        }));
    }
    let mut nummers = Vec::new();
    for t in tasks {
        let reply = t.await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        match parse_response(reply.body.as_bytes(), &Limits::default())
            .unwrap()
            .body
        {
            ResponseBody::Message(ResponseMessage::Melden(r)) => nummers.push(r.id.number),
            other => panic!("{other:?}"),
        }
    }
    nummers.dedup();
    assert_eq!(nummers.len(), 1, "{nummers:?}");
    assert_eq!(w.count_meldingen().await, 1);
    assert_eq!(w.messages().await, 5);
}

async fn a_certificate_of_school_a_cannot_send_for_school_b(w: &World) {
    let (reply, _) = w
        .send(&w.certs.a, &melden(&w.b, gegevens(&bsn(9)), None))
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    assert!(reply.body.contains("niet geregistreerd"), "{}", reply.body);
    // nor read B's meldingen
    let nummer_b = {
        let (_, body) = w
            .send(&w.certs.b, &melden(&w.b, gegevens(&bsn(10)), None))
            .await;
        match body {
            ResponseBody::Message(ResponseMessage::Melden(r)) => r.id.number,
            other => panic!("{other:?}"),
        }
    };
    let (reply, _) = w.send(&w.certs.a, &aanvraag(&w.b, &nummer_b)).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    let (reply, _) = w.send(&w.certs.a, &poll(&w.b, None, None)).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    // asking for B's nummer as A: not found for this school
    let (_, body) = w.send(&w.certs.a, &aanvraag(&w.a, &nummer_b)).await;
    assert_eq!(fout_codes(&foutmelding(body))[0].0, FoutCode::NietGevonden);
    assert_eq!(w.count_meldingen().await, 1);
    // the refusals are in the audit log, as stored nothing else
    assert_eq!(w.messages().await, 2);
}

async fn an_unknown_certificate_is_refused_and_nothing_is_stored(w: &World) {
    let (reply, _) = w
        .send(&w.certs.a_other_ca, &melden(&w.a, gegevens(&bsn(11)), None))
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    assert_eq!(w.count_meldingen().await, 0);
    assert_eq!(w.messages().await, 0);
}

async fn an_expired_certificate_is_refused_even_with_registered_names(w: &World) {
    let (reply, _) = w
        .send(&w.certs.a_expired, &melden(&w.a, gegevens(&bsn(12)), None))
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    assert!(reply.body.contains("verlopen"), "{}", reply.body);
    assert_eq!(w.count_meldingen().await, 0);
    assert_eq!(w.messages().await, 0);
}

async fn no_or_an_unreadable_client_certificate_is_refused(w: &World) {
    let xml = w.envelope(message_id(), &melden(&w.a, gegevens(&bsn(13)), None));
    let action = Some(Operation::MeldenRelatiefVerzuim.action());
    let reply = w.raw(&M2mPeer::default(), action, xml.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    let reply = w
        .raw(&peer(b"\x30\x03\x02\x01\x01"), action, xml.as_bytes())
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Ek0030);
    assert_eq!(w.count_meldingen().await, 0);
    assert_eq!(w.messages().await, 0);
}

async fn a_revoked_certificate_is_refused(w: &World) {
    let id = w
        .loket
        .certificates(&w.beheer_a, &w.a)
        .await
        .unwrap()
        .first()
        .unwrap()
        .id;
    w.loket
        .revoke_certificate(&w.beheer_a, &w.a, id, now())
        .await
        .unwrap();
    let (reply, _) = w
        .send(&w.certs.a, &melden(&w.a, gegevens(&bsn(14)), None))
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    assert_eq!(w.count_meldingen().await, 0);
}

async fn xxe_and_entity_expansion_are_refused_before_parsing(w: &World) {
    let action = Some(Operation::AanvraagMeldingRelatiefVerzuim.action());
    let xml = w.envelope(message_id(), &aanvraag(&w.a, "VM000000001"));
    let xxe = xml.replacen(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        1,
    );
    let xxe = xxe.replacen("VM000000001", "&xxe;", 1);
    let reply = w.raw(&peer(&w.certs.a), action, xxe.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    assert!(!reply.body.contains("root:"), "{}", reply.body);
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
    let reply = w.raw(&peer(&w.certs.a), action, laughs.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    assert_eq!(w.messages().await, 0);
}

async fn an_oversized_message_is_refused(w: &World) {
    let mut g = gegevens(&bsn(15));
    g.school_actions = "x".repeat(Limits::default().max_bytes);
    let xml = w.envelope(message_id(), &melden(&w.a, g, None));
    let reply = w
        .raw(
            &peer(&w.certs.a),
            Some(Operation::MeldenRelatiefVerzuim.action()),
            xml.as_bytes(),
        )
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    assert!(reply.body.contains("grens"), "{}", reply.body);
    assert_eq!(w.count_meldingen().await, 0);
    assert_eq!(w.messages().await, 0);
}

async fn malformed_messages_get_a_fault_and_store_nothing(w: &World) {
    let cert = peer(&w.certs.a);
    let action = Operation::MeldenRelatiefVerzuim.action();
    let xml = w.envelope(message_id(), &melden(&w.a, gegevens(&bsn(16)), None));
    // cut off
    let reply = w
        .raw(&cert, Some(action), &xml.as_bytes()[..xml.len() / 2])
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    // not XML at all
    let reply = w.raw(&cert, Some(action), b"hallo").await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    // SOAP 1.2
    let soap12 = xml.replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    );
    let reply = w.raw(&cert, Some(action), soap12.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0001);
    // SOAPAction differs from wsa:Action
    let reply = w
        .raw(
            &cert,
            Some(Operation::AanvraagMeldingRelatiefVerzuim.action()),
            xml.as_bytes(),
        )
        .await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0003);
    // an unknown element in the body
    let extra = xml.replacen("<Voornamen>", "<Onbekend>x</Onbekend><Voornamen>", 1);
    let reply = w.raw(&cert, Some(action), extra.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0004);
    // addressed to another loket
    let other = xml.replace(LOKET_OIN, "00000001999999999000");
    let reply = w.raw(&cert, Some(action), other.as_bytes()).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0011);
    // the fault relates to the request when its MessageID could be read
    assert!(reply.body.contains("RelatesTo"), "{}", reply.body);
    assert_eq!(w.count_meldingen().await, 0);
    assert_eq!(w.messages().await, 0);
}

async fn mutatie_sets_end_date_day_spec_and_attachments_and_checks_procesverloop(w: &World) {
    let mut g = gegevens(&bsn(17));
    g.kind = Verzuimsoort::Lrv;
    g.end_date = None;
    let nummer = w.submit_a(g).await;
    let process = |body: ResponseBody| match body {
        ResponseBody::Message(ResponseMessage::Mutatie(r)) => r.confirmation,
        other => panic!("{other:?}"),
    };
    // end date and day specification in one mutatie
    let mut m = mutatie(&w.a, &nummer);
    m.end_date = Some(day("2026-10-09"));
    m.day_specification = Some(Verzuimdagspecificatie {
        days: vec![Verzuimdag {
            date: day("2026-10-08"),
            whole_day: true,
            lesuren: vec![],
        }],
    });
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    let c = process(body);
    assert_eq!(c.number, nummer);
    assert_eq!(c.status, MeldingStatus::Geregistreerd);
    let view = w
        .loket
        .school_melding(&w.melder_a, &w.a, &nummer, now())
        .await
        .unwrap();
    assert_eq!(view.melding.end_date, Some(day("2026-10-09")));
    assert_eq!(view.day_spec_text(), "2026-10-08: hele dag\n");
    // an attachment, with the Procesverloop of the last answer: accepted
    let mut m = mutatie(&w.a, &nummer);
    m.last_known = Some(c.process);
    m.attachments = vec![Bijlage {
        filename: "verslag.pdf".into(),
        mime_type: "application/pdf".into(),
        content: PDF.to_vec(),
    }];
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    let c2 = process(body);
    assert!(c2.process >= c.process);
    let view = w
        .loket
        .school_melding(&w.melder_a, &w.a, &nummer, now())
        .await
        .unwrap();
    assert_eq!(view.attachments.len(), 1);
    // the gemeente changes the melding; a mutatie with the old Procesverloop: F003
    let later = at("2026-11-23") + chrono::Duration::minutes(5);
    let mut answer = closing();
    answer.status = "B".into();
    answer.closing_reason = String::new();
    answer.explanation = String::new();
    w.loket
        .answer(&w.lpa_x, &w.x, &nummer, &answer, later)
        .await
        .unwrap();
    let mut m = mutatie(&w.a, &nummer);
    m.last_known = Some(c2.process);
    m.end_date = Some(day("2026-10-10"));
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(FoutCode::Gewijzigd, Some("Procesverloop".into()))]
    );
    // refusals change nothing: a bad day spec together with an end date
    let mut m = mutatie(&w.a, &nummer);
    m.end_date = Some(day("2026-10-12"));
    m.day_specification = Some(Verzuimdagspecificatie {
        days: vec![Verzuimdag {
            date: day("2026-10-20"),
            whole_day: true,
            lesuren: vec![],
        }],
    });
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(
            FoutCode::OngeldigVeld,
            Some("Verzuimdagspecificatie".into())
        )]
    );
    // not a PDF/PNG/JPEG: F001 on Bijlage; an empty mutatie: F001; unknown nummer: F002
    let mut m = mutatie(&w.a, &nummer);
    m.attachments = vec![Bijlage {
        filename: "x.exe".into(),
        mime_type: "application/pdf".into(),
        content: b"MZ\x90\x00".to_vec(),
    }];
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(FoutCode::OngeldigVeld, Some("Bijlage".into()))]
    );
    let (_, body) = w
        .send(&w.certs.a, &RequestMessage::Mutatie(mutatie(&w.a, &nummer)))
        .await;
    assert_eq!(fout_codes(&foutmelding(body))[0].0, FoutCode::OngeldigVeld);
    let mut m = mutatie(&w.a, "VM999999999");
    m.end_date = Some(day("2026-10-10"));
    let (_, body) = w.send(&w.certs.a, &RequestMessage::Mutatie(m)).await;
    assert_eq!(fout_codes(&foutmelding(body))[0].0, FoutCode::NietGevonden);
    let view = w
        .loket
        .school_melding(&w.melder_a, &w.a, &nummer, now())
        .await
        .unwrap();
    assert_eq!(view.melding.end_date, Some(day("2026-10-09")));
    assert_eq!(view.day_spec_text(), "2026-10-08: hele dag\n");
    assert_eq!(view.attachments.len(), 1);
}

async fn intrekken_withdraws_and_a_retry_is_confirmed_again(w: &World) {
    let nummer = w.submit_a(gegevens(&bsn(18))).await;
    let request = RequestMessage::Intrekken(IntrekkenMeldingRelatiefVerzuimRequest {
        document_id: None,
        brin: "12AB".into(),
        number: nummer.clone(),
        note: "Leerling was ziek gemeld".into(),
    });
    let (_, body) = w.send(&w.certs.a, &request).await;
    match body {
        ResponseBody::Message(ResponseMessage::Intrekken(r)) => {
            assert_eq!(r.confirmation.status, MeldingStatus::Ingetrokken);
        }
        other => panic!("{other:?}"),
    }
    let view = w
        .loket
        .school_melding(&w.melder_a, &w.a, &nummer, now())
        .await
        .unwrap();
    assert_eq!(view.status, MeldingStatus::Ingetrokken);
    // a retry under a new MessageID (the answer was lost): confirmed again, nothing new
    let (_, body) = w.send(&w.certs.a, &request).await;
    assert!(matches!(
        body,
        ResponseBody::Message(ResponseMessage::Intrekken(_))
    ));
    // a melding the gemeente closed cannot be withdrawn: F004
    let closed = w.submit_a(gegevens(&bsn(19))).await;
    w.loket
        .answer(&w.lpa_x, &w.x, &closed, &closing(), now())
        .await
        .unwrap();
    let (_, body) = w
        .send(
            &w.certs.a,
            &RequestMessage::Intrekken(IntrekkenMeldingRelatiefVerzuimRequest {
                document_id: None,
                brin: "12AB".into(),
                number: closed,
                note: String::new(),
            }),
        )
        .await;
    assert_eq!(
        fout_codes(&foutmelding(body))[0].0,
        FoutCode::NietToegestaan
    );
}

async fn aanvraag_returns_the_melding_with_status_and_terugmelding(w: &World) {
    let nummer = w.submit_a(gegevens(&bsn(20))).await;
    let (_, body) = w.send(&w.certs.a, &aanvraag(&w.a, &nummer)).await;
    match body {
        ResponseBody::Message(ResponseMessage::Aanvraag(r)) => {
            assert_eq!(r.melding.status, MeldingStatus::Geregistreerd);
            assert!(r.melding.contact.is_none());
            // as validated: the telephone number without spaces
            let mut expected = gegevens(&bsn(20));
            expected.parent_phone = "0612345678".into();
            assert_eq!(r.melding.melding, expected);
        }
        other => panic!("{other:?}"),
    }
    w.loket
        .answer(&w.lpa_x, &w.x, &nummer, &closing(), now())
        .await
        .unwrap();
    let (_, body) = w.send(&w.certs.a, &aanvraag(&w.a, &nummer)).await;
    match body {
        ResponseBody::Message(ResponseMessage::Aanvraag(r)) => {
            assert_eq!(r.melding.status, MeldingStatus::Afgesloten);
            assert_eq!(r.melding.contact.unwrap().name, "M. Jansen");
            assert!(r.melding.closing_reason.is_some());
        }
        other => panic!("{other:?}"),
    }
    let (_, body) = w.send(&w.certs.a, &aanvraag(&w.a, "VM000009999")).await;
    assert_eq!(fout_codes(&foutmelding(body))[0].0, FoutCode::NietGevonden);
}

async fn polling_with_a_cursor_returns_each_change_once_in_commit_order(w: &World) {
    let gewijzigd = |body: ResponseBody| -> AanvraagGewijzigdeMeldingRelatiefVerzuimResponse {
        match body {
            ResponseBody::Message(ResponseMessage::AanvraagGewijzigde(r)) => r,
            other => panic!("{other:?}"),
        }
    };
    // nothing yet: an empty answer with a cursor to continue from
    let (_, body) = w.send(&w.certs.a, &poll(&w.a, None, None)).await;
    let r = gewijzigd(body);
    assert!(r.cases.is_empty());
    assert!(!r.more);
    let start = r.next_cursor;
    let n1 = w.submit_a(gegevens(&bsn(21))).await;
    let n2 = w.submit_a(gegevens(&bsn(22))).await;
    let n3 = w.submit_a(gegevens(&bsn(23))).await;
    // B's melding never shows up in A's poll
    w.send(&w.certs.b, &melden(&w.b, gegevens(&bsn(24)), None))
        .await;
    // two per page: MeerBeschikbaar, then the rest
    let (_, body) = w
        .send(&w.certs.a, &poll(&w.a, Some(start.clone()), Some(2)))
        .await;
    let page1 = gewijzigd(body);
    assert!(page1.more);
    let numbers: Vec<String> = page1
        .cases
        .iter()
        .map(|c| c.melding.id.number.clone())
        .collect();
    assert_eq!(numbers, vec![n1.clone(), n2.clone()]);
    let (_, body) = w
        .send(
            &w.certs.a,
            &poll(&w.a, Some(page1.next_cursor.clone()), Some(2)),
        )
        .await;
    let page2 = gewijzigd(body);
    assert!(!page2.more);
    assert_eq!(page2.cases.len(), 1);
    assert_eq!(page2.cases[0].melding.id.number, n3);
    // the gemeente answers n1: the next poll brings exactly that terugmelding
    w.loket
        .answer(&w.lpa_x, &w.x, &n1, &closing(), now())
        .await
        .unwrap();
    let (_, body) = w
        .send(
            &w.certs.a,
            &poll(&w.a, Some(page2.next_cursor.clone()), None),
        )
        .await;
    let page3 = gewijzigd(body);
    assert_eq!(page3.cases.len(), 1);
    let case = &page3.cases[0];
    assert_eq!(case.melding.id.number, n1);
    assert_eq!(case.melding.status, MeldingStatus::Afgesloten);
    assert_eq!(
        case.contact.as_ref().unwrap().email,
        "leerplicht@maastricht.nl"
    );
    // nothing new: empty, the cursor stays
    let (_, body) = w
        .send(
            &w.certs.a,
            &poll(&w.a, Some(page3.next_cursor.clone()), None),
        )
        .await;
    let page4 = gewijzigd(body);
    assert!(page4.cases.is_empty());
    assert_eq!(page4.next_cursor, page3.next_cursor);
    // a withdrawal is a change too
    w.loket
        .withdraw(&w.melder_a, &w.a, &n2, "", now())
        .await
        .unwrap();
    let (_, body) = w
        .send(&w.certs.a, &poll(&w.a, Some(page4.next_cursor), None))
        .await;
    let page5 = gewijzigd(body);
    assert_eq!(page5.cases.len(), 1);
    assert_eq!(page5.cases[0].melding.status, MeldingStatus::Ingetrokken);
    // from the start: every melding once, latest state, in change order
    let (_, body) = w.send(&w.certs.a, &poll(&w.a, None, None)).await;
    let all = gewijzigd(body);
    let numbers: Vec<String> = all
        .cases
        .iter()
        .map(|c| c.melding.id.number.clone())
        .collect();
    assert_eq!(numbers, vec![n3, n1, n2]);
    // a cursor we did not hand out, a cursor with a period, MaximumAantal 0: F001
    let (_, body) = w
        .send(&w.certs.a, &poll(&w.a, Some("bogus!".into()), None))
        .await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(FoutCode::OngeldigVeld, Some("Cursor".into()))]
    );
    let (_, body) = w.send(&w.certs.a, &poll(&w.a, None, Some(0))).await;
    assert_eq!(
        fout_codes(&foutmelding(body)),
        vec![(FoutCode::OngeldigVeld, Some("MaximumAantal".into()))]
    );
    // by Selectieperiode: the changes from that moment, the period echoed
    let since = |d: &str| {
        RequestMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
            brin: "12AB".into(),
            period: Some(Selectieperiode {
                date: day(d),
                time: None,
            }),
            cursor: None,
            limit: None,
        })
    };
    let (_, body) = w.send(&w.certs.a, &since("2026-11-23")).await;
    let r = gewijzigd(body);
    assert_eq!(r.cases.len(), 3);
    assert_eq!(r.period.unwrap().date, day("2026-11-23"));
    let (_, body) = w.send(&w.certs.a, &since("2026-11-24")).await;
    let r = gewijzigd(body);
    assert!(r.cases.is_empty());
    assert_eq!(
        r.next_cursor, all.next_cursor,
        "continue after everything seen so far"
    );
    assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
    assert_eq!(decode_cursor("djE6LTE"), None, "negative");
}

async fn every_status_change_takes_a_higher_change_sequence_value(w: &World) {
    let scope = verzuim_store::loket::MeldingScope::School(w.a.clone());
    let seq = |nummer: String| {
        let store = w.loket.store.clone();
        let scope = scope.clone();
        async move {
            let row = store.melding(&scope, &nummer).await.unwrap().unwrap();
            store.change_seq_of(row.id).await.unwrap().unwrap()
        }
    };
    // concurrent submissions: distinct values
    let mut tasks = Vec::new();
    for i in 0..8 {
        let loket = w.loket.clone();
        let settings = w.settings.clone();
        let cert = peer(&w.certs.a);
        let xml = w.envelope(message_id(), &melden(&w.a, gegevens(&bsn(30 + i)), None));
        tasks.push(tokio::spawn(async move {
            let reply = loket
                .m2m_exchange(
                    &settings,
                    &cert,
                    Some(Operation::MeldenRelatiefVerzuim.action()),
                    xml.as_bytes(),
                    today(),
                    now(),
                )
                .await;
            match parse_response(reply.body.as_bytes(), &Limits::default())
                .unwrap()
                .body
            {
                ResponseBody::Message(ResponseMessage::Melden(r)) => r.id.number,
                other => panic!("{other:?}"),
            }
        }));
    }
    let mut seqs = Vec::new();
    let mut nummers = Vec::new();
    for t in tasks {
        let n = t.await.unwrap();
        seqs.push(seq(n.clone()).await);
        nummers.push(n);
    }
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 8, "{seqs:?}");
    // a terugmelding moves the melding past all others
    let before = *sorted.last().unwrap();
    w.loket
        .answer(&w.lpa_x, &w.x, &nummers[0], &closing(), now())
        .await
        .unwrap();
    assert!(seq(nummers[0].clone()).await > before);
    // an end date is no status change: the value stays
    let s1 = seq(nummers[1].clone()).await;
    w.loket
        .set_end_date(&w.melder_a, &w.a, &nummers[1], "2026-10-29", today(), now())
        .await
        .unwrap();
    assert_eq!(seq(nummers[1].clone()).await, s1);
}

async fn the_certificate_registry_keeps_history_warns_and_checks_roles(w: &World) {
    // renewal: a second upload does not end the first; both are accepted
    let rows = w
        .loket
        .upload_certificate(
            &w.beheer_a,
            &w.a,
            "vernieuwd.crt",
            &w.certs.a_renewed,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let list = w.loket.certificates(&w.melder_a, &w.a).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, rows[0].id, "newest first");
    assert!(list[1].replaced_at.is_some());
    assert!(list[1].revoked_at.is_none());
    assert_eq!(list[1].state(today()), CertificateState::Geldig);
    for cert in [&w.certs.a, &w.certs.a_renewed] {
        let (reply, _) = w.send(cert, &poll(&w.a, None, None)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    // the same file again, an expired one, a wrong extension, not a certificate: refused
    let again = w
        .loket
        .upload_certificate(
            &w.beheer_a,
            &w.a,
            "vernieuwd.cer",
            &w.certs.a_renewed,
            now(),
        )
        .await;
    assert!(
        matches!(again, Err(LoketError::Fields(ref e)) if e.get("certificate").unwrap().contains("al geregistreerd"))
    );
    let expired = w
        .loket
        .upload_certificate(&w.beheer_a, &w.a, "oud.cer", &w.certs.a_expired, now())
        .await;
    assert!(
        matches!(expired, Err(LoketError::Fields(ref e)) if e.get("certificate").unwrap().contains("verlopen"))
    );
    let ext = w
        .loket
        .upload_certificate(&w.beheer_a, &w.a, "cert.exe", &w.certs.a, now())
        .await;
    assert!(matches!(ext, Err(LoketError::Fields(_))));
    let junk = w
        .loket
        .upload_certificate(&w.beheer_a, &w.a, "cert.cer", b"geen certificaat", now())
        .await;
    assert!(
        matches!(junk, Err(LoketError::Fields(ref e)) if e.get("certificate").unwrap().starts_with("geen certificaat gevonden"))
    );
    // only the school's beheerder uploads; another school's people see nothing
    assert!(matches!(
        w.loket
            .upload_certificate(&w.melder_a, &w.a, "a.cer", &w.certs.a, now())
            .await,
        Err(LoketError::NotFound { .. })
    ));
    assert!(matches!(
        w.loket.certificates(&w.beheer_b, &w.a).await,
        Err(LoketError::NotFound { .. })
    ));
    assert!(matches!(
        w.loket
            .revoke_certificate(&w.beheer_b, &w.a, list[0].id, now())
            .await,
        Err(LoketError::NotFound { .. })
    ));
    // states: 30 days before expiry a warning, after it expired
    let b_row = w.loket.certificates(&w.admin, &w.b).await.unwrap()[0].clone();
    assert_eq!(b_row.state(day("2027-11-30")), CertificateState::Geldig);
    assert_eq!(
        b_row.state(day("2027-12-01")),
        CertificateState::VerlooptBinnenkort { days: 30 }
    );
    assert_eq!(b_row.state(day("2028-01-01")), CertificateState::Verlopen);
    assert_eq!(
        CertificateState::VerlooptBinnenkort { days: 3 }.label(),
        "verloopt over 3 dagen"
    );
    // the admin overview lists B's (current) certificate near its expiry, not A's replaced one
    let soon = w
        .loket
        .expiring_certificates(&w.admin, day("2027-12-10"))
        .await
        .unwrap();
    let brins: Vec<&str> = soon.iter().map(|c| c.brin.as_str()).collect();
    assert_eq!(brins, vec!["34CD"]);
    assert!(matches!(
        w.loket.expiring_certificates(&w.beheer_a, today()).await,
        Err(LoketError::NotFound { .. })
    ));
    // the site administrator registers subject + issuer (as typed, in another order)
    let other = Ca::new("Handmatige CA");
    let manual = other.school("34CD", "Bonnefanten College", (2026, 1, 1), (2027, 12, 31));
    let (reply, _) = w.send(&manual, &poll(&w.b, None, None)).await;
    assert_eq!(fault_code(&reply), FaultCode::Dk0002);
    let info = verzuim_edukoppeling::CertificateInfo::from_der(&manual).unwrap();
    let typed_issuer = "CN=Handmatige CA, O=Verzuim test-PKI, C=NL";
    let row = w
        .loket
        .register_certificate(
            &w.admin,
            &w.b,
            &info.subject,
            typed_issuer,
            Some(day("2027-12-31")),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(row.source, verzuim_app::loket::CertificateSource::Admin);
    let (reply, _) = w.send(&manual, &poll(&w.b, None, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(matches!(
        w.loket
            .register_certificate(&w.beheer_b, &w.b, "CN=x", "CN=y", None, now())
            .await,
        Err(LoketError::NotFound { .. })
    ));
    assert!(matches!(
        w.loket
            .register_certificate(&w.admin, &w.b, "  ", "CN=y", None, now())
            .await,
        Err(LoketError::Fields(_))
    ));
    // changes to the registry are audited
    let audit = w.loket.audit_log(&w.admin, 1).await.unwrap();
    let actions: Vec<&str> = audit.rows.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"certificate.upload"), "{actions:?}");
    assert!(actions.contains(&"certificate.register"), "{actions:?}");
}

async fn retention_deletes_the_m2m_log_with_the_meldingen(w: &World) {
    let kept = w.submit_a(gegevens(&bsn(40))).await;
    let gone = w.submit_a(gegevens(&bsn(41))).await;
    w.send(&w.certs.a, &poll(&w.a, None, None)).await;
    w.loket
        .withdraw(&w.melder_a, &w.a, &gone, "", now())
        .await
        .unwrap();
    assert_eq!(w.messages().await, 3);
    // 30 days of retention (config) have passed for the withdrawn melding and the poll
    let later = day("2026-12-24");
    let counts = w
        .loket
        .run_retention(later, at("2026-12-24"))
        .await
        .unwrap();
    assert_eq!(counts.meldingen, 1);
    assert_eq!(
        w.messages().await,
        1,
        "only the exchange of the open melding {kept} stays"
    );
}

/// Transports run the exchange on a multi-threaded runtime: its future must be `Send`.
#[allow(dead_code)]
fn the_exchange_future_is_send(w: &World) {
    fn send<T: Send>(_: &T) {}
    let peer = M2mPeer::default();
    let fut = w
        .loket
        .m2m_exchange(&w.settings, &peer, None, b"", today(), now());
    send(&fut);
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
        a_submitted_melding_is_filed_numbered_stored_and_audited,
        field_errors_come_back_as_a_foutmelding_per_element_and_are_stored,
        a_repeated_message_id_returns_the_stored_answer_and_files_once,
        a_repeated_document_id_returns_the_same_nummer_and_other_data_is_f005,
        concurrent_retries_of_one_submission_file_one_melding,
        a_certificate_of_school_a_cannot_send_for_school_b,
        an_unknown_certificate_is_refused_and_nothing_is_stored,
        an_expired_certificate_is_refused_even_with_registered_names,
        no_or_an_unreadable_client_certificate_is_refused,
        a_revoked_certificate_is_refused,
        xxe_and_entity_expansion_are_refused_before_parsing,
        an_oversized_message_is_refused,
        malformed_messages_get_a_fault_and_store_nothing,
        mutatie_sets_end_date_day_spec_and_attachments_and_checks_procesverloop,
        intrekken_withdraws_and_a_retry_is_confirmed_again,
        aanvraag_returns_the_melding_with_status_and_terugmelding,
        polling_with_a_cursor_returns_each_change_once_in_commit_order,
        every_status_change_takes_a_higher_change_sequence_value,
        the_certificate_registry_keeps_history_warns_and_checks_roles,
        retention_deletes_the_m2m_log_with_the_meldingen,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn m2m_on_sqlite() {
    all(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn m2m_on_postgres() {
    all(Db::Postgres).await;
}
