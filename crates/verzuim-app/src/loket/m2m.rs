//! The loket's end of the machine coupling (issue 5): one SOAP exchange, as the transport
//! (`verzuim-m2m`'s mTLS listener, or an in-process transport in tests) hands it over.
//!
//! [`Loket::m2m_exchange`] checks, in this order, and the first refusal answers:
//! 1. the envelope (`verzuim_edukoppeling::parse_request`: size, UTF-8, no DTD, depth,
//!    WS-Addressing, `SOAPAction`, schema) → a SOAP fault, nothing stored;
//! 2. the client certificate: none → `Client.DK0002`; unreadable → `Client.EK0030`; expired
//!    or not yet valid → `Client.DK0002`; its subject + issuer must be registered (and not
//!    revoked) for the message's `VerzendendeInstantie`, else `Client.DK0002` (school A's
//!    certificate cannot speak for school B) → a fault, nothing stored but an audit row;
//! 3. a `wsa:MessageID` seen before → the stored answer, unchanged, without running anything
//!    again (the idempotency of retries over a flaky network);
//! 4. the operation, acting as `verzuimloket melder` of the BRIN (a synthetic actor
//!    `m2m:<BRIN>`), through the same use cases and validation as the web form. A functional
//!    refusal is a `Foutmelding` (HTTP 200) and is stored like any answer.
//!
//! Every accepted exchange is stored in `loket_m2m_messages` (request, answer, MessageID)
//! with a `loket_audit` row `m2m.<Operation>`; for a new melding in the very transaction
//! that files it, so an acknowledged meldingsnummer is never lost and a crash before commit
//! leaves neither. `identificatiecodeBedrijfsdocument` on `MeldenRelatiefVerzuim` is the
//! school's `client_melding_id`: sending it again (with a new MessageID) answers with the
//! melding filed the first time (`F005` when it names another student, kind or begin date).
//!
//! `Procesverloop` times are UTC (the loket's `updated_at` to the millisecond). Poll cursors
//! are opaque to schools: base64url of `v1:<change sequence>` (see
//! `verzuim_store::loket` `m2m`: values become visible in commit order).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use verzuim_domain::{Brin, PersonalNumber};
use verzuim_edukoppeling::messages::{
    AanvraagGewijzigdeMeldingRelatiefVerzuimRequest,
    AanvraagGewijzigdeMeldingRelatiefVerzuimResponse, AanvraagMeldingRelatiefVerzuimRequest,
    AanvraagMeldingRelatiefVerzuimResponse, Bevestiging, Contactpersoon, Fout, FoutCode,
    Foutmelding, IdentificatieMelding, IntrekkenMeldingRelatiefVerzuimRequest,
    IntrekkenMeldingRelatiefVerzuimResponse, MeldenRelatiefVerzuimRequest,
    MeldenRelatiefVerzuimResponse, MeldingGegevens, MeldingRelatiefVerzuim,
    MutatieMeldingRelatiefVerzuimRequest, MutatieMeldingRelatiefVerzuimResponse, Procesverloop,
    Selection, Tijdstip, Verzuimdagspecificatie, Verzuimgeval, VerzuimgevalMelding,
    element_for_field,
};
use verzuim_edukoppeling::{
    CertificateInfo, Fault, FaultCode, IncomingRequest, Limits, MessageId, Oin, RequestMessage,
    RequestPolicy, ResponseMessage, WSA_FAULT_ACTION, WsaHeaders, parse_request, recover_headers,
    write_fault, write_response,
};
use verzuim_loket::{DaySpecification, MeldingStatus, ValidationContext, WithdrawReason};
use verzuim_store::StoreError;
use verzuim_store::loket::{
    Filed, LoketAuditEntry, MeldingRow, MeldingScope, MeldingToFile, NewM2mMessage,
    ReporterSnapshot, Who,
};

use super::{Loket, LoketActor, LoketError, LoketRole};
use crate::m2m::new_message_id;

/// Cases per poll answer when the school does not say (`MaximumAantal`).
pub const DEFAULT_POLL_LIMIT: u32 = 100;
/// Most cases per poll answer, whatever the school asks.
pub const MAX_POLL_LIMIT: u32 = 1000;

/// The TLS peer as the transport saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct M2mPeer {
    /// DER of the client's leaf certificate; `None` when it sent none.
    pub certificate_der: Option<Vec<u8>>,
}

/// The HTTP answer to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mReply {
    /// 200 (an answer, possibly a `Foutmelding`) or 500 (a SOAP fault).
    pub status: u16,
    /// The SOAP envelope (`Content-Type: text/xml; charset=UTF-8`).
    pub body: String,
}

/// How the loket's M2M endpoint is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mSettings {
    /// The loket's own OIN: `wsa:To` must carry it, answers carry it in `wsa:From`.
    pub own_oin: Oin,
    /// Size and depth limits (the transport caps the HTTP body at `limits.max_bytes` too).
    pub limits: Limits,
    /// Test environment ("proeftuin"): the trust store differs (configured in the CLI);
    /// every check here is the same. Marked in the audit log.
    pub proeftuin: bool,
}

/// What an operation produced.
enum Handled {
    /// An answer to store and send.
    Answer {
        message: ResponseMessage,
        nummer: Option<String>,
        melding_id: Option<i64>,
        note: String,
    },
    /// Already stored (with the melding it filed, or by a concurrent duplicate).
    Stored(M2mReply),
}

/// A refusal before the operation runs: a fault and why.
struct Refusal {
    fault: Fault,
    note: String,
}

/// The synthetic actor the machine coupling acts as: melder of `brin`.
pub fn machine_actor(brin: &Brin) -> LoketActor {
    LoketActor::trusted(
        0,
        &format!("m2m:{brin}"),
        &format!("Machinekoppeling {brin}"),
        vec![LoketRole::Melder(brin.clone())],
    )
}

/// `Procesverloop` of a change moment (UTC, to the millisecond).
pub fn procesverloop(at: DateTime<Utc>) -> Procesverloop {
    let at = truncate_ms(at);
    Procesverloop {
        date: at.date_naive(),
        time: Tijdstip(at.time()),
    }
}

fn truncate_ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// The opaque poll cursor for a change-sequence value.
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

/// The change-sequence value in a cursor, if it is one of ours.
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let n: i64 = text.strip_prefix("v1:")?.parse().ok()?;
    (n >= 0).then_some(n)
}

fn fout(code: FoutCode, field: Option<&str>, message: impl Into<String>) -> Foutmelding {
    Foutmelding::single(code, field, message)
}

/// The XML element for a field name of the loket's use cases.
fn element_of(field: &str) -> String {
    match field {
        "day_spec" | "day_specification" => "Verzuimdagspecificatie",
        "attachment" => "Bijlage",
        "note" => "Toelichting",
        "reporter" => "Contactpersoon",
        "end_date" => "EinddatumVerzuim",
        other => element_for_field(other),
    }
    .to_owned()
}

/// A functional refusal of a use case as a `Foutmelding`; anything else stays an error (the
/// loket failed: a `Server` fault, nothing stored).
fn foutmelding_of(e: LoketError) -> Result<Foutmelding, LoketError> {
    Ok(match e {
        LoketError::Fields(fe) => Foutmelding {
            errors: fe
                .0
                .iter()
                .map(|v| Fout {
                    code: FoutCode::OngeldigVeld,
                    field: Some(element_of(&v.field)),
                    message: v.reason.clone(),
                })
                .collect(),
        },
        LoketError::NotFound { .. } => fout(
            FoutCode::NietGevonden,
            Some("NummerMeldingRelatiefVerzuim"),
            "deze melding is niet gevonden voor deze school",
        ),
        LoketError::Transition(t) => fout(
            FoutCode::NietToegestaan,
            Some("StatusMeldingRelatiefVerzuim"),
            t.to_string(),
        ),
        LoketError::Invalid(v) if v.field == "status" => fout(
            FoutCode::Gewijzigd,
            Some("Procesverloop"),
            "de melding is intussen gewijzigd; vraag haar opnieuw op",
        ),
        LoketError::Invalid(v) => fout(
            FoutCode::OngeldigVeld,
            Some(&element_of(&v.field)),
            v.reason,
        ),
        other => return Err(other),
    })
}

fn foutmelding_note(f: &Foutmelding) -> String {
    let parts: Vec<String> = f
        .errors
        .iter()
        .map(|e| match &e.field {
            Some(field) => format!("{} {field}", e.code.code()),
            None => e.code.code().to_owned(),
        })
        .collect();
    format!("Foutmelding: {}", parts.join(", "))
}

fn refused(f: Foutmelding) -> Handled {
    Handled::Answer {
        note: foutmelding_note(&f),
        message: ResponseMessage::Foutmelding(f),
        nummer: None,
        melding_id: None,
    }
}

fn fault_reply(headers: Option<&WsaHeaders>, own: &Oin, fault: &Fault) -> M2mReply {
    let answer =
        headers.map(|h| WsaHeaders::response_to(h, own, WSA_FAULT_ACTION, new_message_id()));
    M2mReply {
        status: 500,
        body: write_fault(answer.as_ref(), fault),
    }
}

/// The status part of a melding in an answer.
fn status_part(row: &MeldingRow) -> VerzuimgevalMelding {
    let t = row.terugmelding.as_ref().map(|t| &t.terugmelding);
    VerzuimgevalMelding {
        id: IdentificatieMelding {
            number: row.nummer.clone(),
        },
        status: row.status,
        closing_reason: t.and_then(|t| t.closing_reason),
        explanation: t.and_then(|t| t.explanation),
        withdraw_reason: row.withdraw_reason,
    }
}

fn contact_of(row: &MeldingRow) -> Option<Contactpersoon> {
    row.terugmelding
        .as_ref()
        .map(|t| Contactpersoon::from(&t.terugmelding))
}

fn confirmation(row: &MeldingRow, today: NaiveDate) -> Bevestiging {
    Bevestiging {
        date: today,
        number: row.nummer.clone(),
        status: row.status,
        process: procesverloop(row.updated_at),
    }
}

impl Loket {
    /// Handles one M2M SOAP exchange: `body` as received (the transport caps it at
    /// `settings.limits.max_bytes`), `soap_action` the HTTP `SOAPAction` header, `peer` the
    /// TLS client certificate. Never fails: every outcome is an HTTP answer (see the module
    /// docs for the order of checks). A `Server` fault (500, `DK0050`/`DK0051`) means the
    /// loket failed and stored nothing; the client may resend the same message.
    pub async fn m2m_exchange(
        &self,
        settings: &M2mSettings,
        peer: &M2mPeer,
        soap_action: Option<&str>,
        body: &[u8],
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> M2mReply {
        let policy = RequestPolicy {
            limits: settings.limits,
            own_oin: Some(settings.own_oin.clone()),
        };
        let req = match parse_request(body, soap_action, &policy) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = %e, "M2M-bericht geweigerd");
                let headers = recover_headers(body, &settings.limits);
                return fault_reply(headers.as_ref(), &settings.own_oin, &e.fault());
            }
        };
        let brin = match self.m2m_authorise(peer, &req, now).await {
            Ok(brin) => brin,
            Err(r) => {
                tracing::warn!(
                    operation = req.operation.name(),
                    brin = req.message.brin(),
                    reason = %r.note,
                    "M2M-bericht niet geautoriseerd"
                );
                let detail = format!(
                    "{}: geweigerd ({}) {}{}",
                    req.headers.message_id,
                    r.fault.code,
                    r.note,
                    if settings.proeftuin {
                        " [proeftuin]"
                    } else {
                        ""
                    }
                );
                let entry = LoketAuditEntry {
                    at: now,
                    username: "m2m".to_owned(),
                    action: format!("m2m.{}", req.operation.name()),
                    organisation: Some(req.message.brin().chars().take(20).collect()),
                    melding_id: None,
                    detail,
                };
                if let Err(e) = self.store.append_audit(&entry).await {
                    tracing::error!(error = %e, "auditregel niet geschreven");
                }
                return fault_reply(Some(&req.headers), &settings.own_oin, &r.fault);
            }
        };
        let message_id = req.headers.message_id.to_uri();
        match self.store.m2m_message(&message_id).await {
            Ok(Some(stored)) => return self.stored_reply(settings, &req, &brin, stored),
            Ok(None) => {}
            Err(e) => return self.server_fault(settings, &req, LoketError::from(e)),
        }
        let exchange = Exchange {
            settings,
            req: &req,
            brin: &brin,
            request_text: String::from_utf8_lossy(body).into_owned(),
            today,
            now,
            response_id: new_message_id(),
        };
        let handled = match &req.message {
            RequestMessage::Melden(m) => self.m2m_melden(&exchange, m).await,
            RequestMessage::Mutatie(m) => self.m2m_mutatie(&exchange, m).await,
            RequestMessage::Intrekken(m) => self.m2m_intrekken(&exchange, m).await,
            RequestMessage::Aanvraag(m) => self.m2m_aanvraag(&exchange, m).await,
            RequestMessage::AanvraagGewijzigde(m) => self.m2m_gewijzigd(&exchange, m).await,
        };
        match handled {
            Ok(Handled::Stored(reply)) => reply,
            Ok(Handled::Answer {
                message,
                nummer,
                melding_id,
                note,
            }) => {
                let msg = match exchange.record(&message, nummer, melding_id, &note) {
                    Ok(m) => m,
                    Err(e) => return self.server_fault(settings, &req, e),
                };
                match self.store.record_m2m_message(&msg).await {
                    Ok(()) => M2mReply {
                        status: msg.response_status,
                        body: msg.response_body,
                    },
                    Err(e) => self.after_conflict(settings, &req, &brin, e).await,
                }
            }
            Err(e) => self.server_fault(settings, &req, e),
        }
    }

    /// The BRIN the peer may speak for in this message, or the refusal.
    async fn m2m_authorise(
        &self,
        peer: &M2mPeer,
        req: &IncomingRequest,
        now: DateTime<Utc>,
    ) -> Result<Brin, Refusal> {
        let not_authorised = |string: &str, note: String| Refusal {
            fault: Fault {
                code: FaultCode::Dk0002,
                string: string.to_owned(),
                detail: Some(note.clone()),
            },
            note,
        };
        let Some(der) = &peer.certificate_der else {
            return Err(not_authorised(
                "Niet geautoriseerd: er is geen clientcertificaat meegestuurd",
                "geen clientcertificaat".to_owned(),
            ));
        };
        let cert = CertificateInfo::from_der(der).map_err(|e| Refusal {
            fault: Fault::new(FaultCode::Ek0030).with_detail(e.to_string()),
            note: format!("clientcertificaat onleesbaar: {e}"),
        })?;
        if cert.is_expired_at(now) {
            return Err(not_authorised(
                "Niet geautoriseerd: het certificaat is verlopen",
                format!(
                    "certificaat '{}' verlopen op {}",
                    cert.subject,
                    cert.not_after.format("%d-%m-%Y")
                ),
            ));
        }
        if cert.is_not_yet_valid_at(now) {
            return Err(not_authorised(
                "Niet geautoriseerd: het certificaat is nog niet geldig",
                format!(
                    "certificaat '{}' geldig vanaf {}",
                    cert.subject,
                    cert.not_before.format("%d-%m-%Y")
                ),
            ));
        }
        let claimed = req.message.brin();
        let brins = self
            .store
            .brins_for_certificate(&cert.subject_key(), &cert.issuer_key(), now)
            .await
            .map_err(|e| Refusal {
                fault: Fault::new(FaultCode::Dk0051),
                note: format!("certificaatregister niet leesbaar: {e}"),
            })?;
        match Brin::parse(claimed) {
            Ok(brin) if brins.contains(&brin) => Ok(brin),
            _ => Err(not_authorised(
                FaultCode::Dk0002.text(),
                format!(
                    "certificaat '{}' (uitgegeven door '{}') is niet geregistreerd voor {}",
                    cert.subject, cert.issuer, claimed
                ),
            )),
        }
    }

    fn stored_reply(
        &self,
        settings: &M2mSettings,
        req: &IncomingRequest,
        brin: &Brin,
        stored: verzuim_store::loket::M2mMessageRow,
    ) -> M2mReply {
        if stored.brin.as_deref() != Some(brin.as_str()) {
            // a MessageID is a UUID: another school's can only be reused on purpose
            let fault = Fault::new(FaultCode::Dk0011)
                .with_detail("deze wsa:MessageID is al gebruikt voor een ander bericht");
            return fault_reply(Some(&req.headers), &settings.own_oin, &fault);
        }
        tracing::info!(message_id = %req.headers.message_id, "herhaald M2M-bericht: opgeslagen antwoord");
        M2mReply {
            status: stored.response_status,
            body: stored.response_body,
        }
    }

    /// After storing failed: a concurrent duplicate MessageID gets the stored answer; other
    /// failures are a server fault.
    async fn after_conflict(
        &self,
        settings: &M2mSettings,
        req: &IncomingRequest,
        brin: &Brin,
        e: StoreError,
    ) -> M2mReply {
        if let StoreError::Conflict { field, .. } = &e
            && field == "message_id"
            && let Ok(Some(stored)) = self
                .store
                .m2m_message(&req.headers.message_id.to_uri())
                .await
        {
            return self.stored_reply(settings, req, brin, stored);
        }
        self.server_fault(settings, req, LoketError::from(e))
    }

    fn server_fault(
        &self,
        settings: &M2mSettings,
        req: &IncomingRequest,
        e: LoketError,
    ) -> M2mReply {
        tracing::error!(error = %e, operation = req.operation.name(), "M2M-bericht niet verwerkt");
        let fault = match e {
            LoketError::Store(_) => Fault::new(FaultCode::Dk0051),
            _ => Fault::functional("Het loket kon het bericht niet verwerken"),
        };
        fault_reply(Some(&req.headers), &settings.own_oin, &fault)
    }

    async fn m2m_melden(
        &self,
        x: &Exchange<'_>,
        m: &MeldenRelatiefVerzuimRequest,
    ) -> Result<Handled, LoketError> {
        let brin = x.brin;
        let doc = m.document_id.as_ref().map(|d| d.as_str().to_owned());
        if let Some(doc) = &doc
            && let Some(row) = self.store.melding_by_client_id(brin, doc).await?
        {
            return Ok(same_document(&row, m));
        }
        let locations = self.store.location_names(brin).await?;
        let melding = match m.melding.to_melding_input().validate(&ValidationContext {
            today: x.today,
            locations: &locations,
        }) {
            Ok(v) => v,
            Err(fe) => return Ok(refused(Foutmelding::from(&fe))),
        };
        let day_spec = match &m.day_specification {
            Some(spec) if !spec.days.is_empty() => {
                let end = melding.end_date.unwrap_or(x.today);
                match DaySpecification::parse(
                    "day_specification",
                    &spec.to_loket_text(),
                    melding.begin_date,
                    end,
                ) {
                    Ok(s) => Some(s.to_text()),
                    Err(v) => {
                        return Ok(refused(fout(
                            FoutCode::OngeldigVeld,
                            Some("Verzuimdagspecificatie"),
                            v.reason,
                        )));
                    }
                }
            }
            _ => None,
        };
        let Some(contact) = self.store.contacts(brin, "").await?.into_iter().next() else {
            return Ok(refused(fout(
                FoutCode::OngeldigVeld,
                Some("Contactpersoon"),
                "de school heeft bij het loket geen contactpersoon; laat de beheerder er een vastleggen",
            )));
        };
        let reporter = ReporterSnapshot {
            name: contact.name,
            function: contact.function,
            phone: contact.phone,
            email: contact.email,
        };
        let routing = match self.route(&melding).await {
            Ok(r) => r,
            Err(e) => return foutmelding_of(e).map(refused),
        };
        let actor = machine_actor(brin);
        let answer = |filed: &Filed| -> ResponseMessage {
            ResponseMessage::Melden(MeldenRelatiefVerzuimResponse {
                document_id: m.document_id.clone(),
                id: IdentificatieMelding {
                    number: filed.nummer.clone(),
                },
                status: if filed.withdrawn_by.is_some() {
                    MeldingStatus::Ingetrokken
                } else {
                    MeldingStatus::Geregistreerd
                },
            })
        };
        let build = |filed: &Filed| -> Result<NewM2mMessage, String> {
            let note = format!("melding {} ingediend", filed.nummer);
            x.record(
                &answer(filed),
                Some(filed.nummer.clone()),
                Some(filed.id),
                &note,
            )
            .map_err(|e| e.to_string())
        };
        let filed = self
            .store
            .file_melding_from_message(
                &MeldingToFile {
                    brin,
                    melding: &melding,
                    reporter: &reporter,
                    routing: &routing,
                    cloned_from: None,
                    client_melding_id: doc.as_deref(),
                    who: Who {
                        username: &actor.username,
                        organisation: brin.as_str(),
                    },
                    now: x.now,
                },
                day_spec.as_deref(),
                &build,
            )
            .await;
        match filed {
            Ok(filed) => {
                tracing::info!(nummer = %filed.nummer, brin = %brin, "verzuimmelding ingediend via de machinekoppeling");
                // the same bytes as stored: the headers and answer are deterministic
                let msg = build(&filed).map_err(LoketError::Internal)?;
                Ok(Handled::Stored(M2mReply {
                    status: msg.response_status,
                    body: msg.response_body,
                }))
            }
            Err(StoreError::Conflict { field, .. }) if field == "client_melding_id" => {
                // the same document filed concurrently: answer as for a repeat
                let existing = match &doc {
                    Some(d) => self.store.melding_by_client_id(brin, d).await?,
                    None => None,
                };
                match existing {
                    Some(row) => Ok(same_document(&row, m)),
                    None => Err(LoketError::Internal(
                        "melding met dit kenmerk niet teruggevonden".to_owned(),
                    )),
                }
            }
            Err(StoreError::Conflict { field, .. }) if field == "message_id" => {
                match self
                    .store
                    .m2m_message(&x.req.headers.message_id.to_uri())
                    .await?
                {
                    Some(stored) => Ok(Handled::Stored(
                        self.stored_reply(x.settings, x.req, brin, stored),
                    )),
                    None => Err(LoketError::Internal(
                        "bericht niet teruggevonden".to_owned(),
                    )),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn m2m_mutatie(
        &self,
        x: &Exchange<'_>,
        m: &MutatieMeldingRelatiefVerzuimRequest,
    ) -> Result<Handled, LoketError> {
        let brin = x.brin;
        let scope = MeldingScope::School(brin.clone());
        let Some(row) = self.store.melding(&scope, &m.number).await? else {
            return Ok(refused(foutmelding_of(LoketError::NotFound {
                what: "melding".to_owned(),
            })?));
        };
        if let Some(known) = m.last_known {
            let known_at = known.date.and_time(known.time.0).and_utc();
            if truncate_ms(row.updated_at) > truncate_ms(known_at) {
                return Ok(refused(fout(
                    FoutCode::Gewijzigd,
                    Some("Procesverloop"),
                    format!(
                        "de melding is gewijzigd na {} {}; vraag haar opnieuw op",
                        known.date.format("%Y-%m-%d"),
                        known.time.0.format("%H:%M:%S%.3f")
                    ),
                )));
            }
        }
        if m.end_date.is_none() && m.day_specification.is_none() && m.attachments.is_empty() {
            return Ok(refused(fout(
                FoutCode::OngeldigVeld,
                None,
                "geef een EinddatumVerzuim, een Verzuimdagspecificatie of een Bijlage",
            )));
        }
        // check everything before changing anything, so a refusal leaves the melding as it was
        if let Some(spec) = &m.day_specification {
            let end = m.end_date.or(row.melding.end_date).unwrap_or(x.today);
            if let Err(v) = DaySpecification::parse(
                "day_spec",
                &spec.to_loket_text(),
                row.melding.begin_date,
                end,
            ) {
                return Ok(refused(fout(
                    FoutCode::OngeldigVeld,
                    Some("Verzuimdagspecificatie"),
                    v.reason,
                )));
            }
        }
        let have = self.store.attachments_of(row.id).await?.len();
        if !m.attachments.is_empty() && have + m.attachments.len() > self.config.max_attachments {
            return Ok(refused(fout(
                FoutCode::OngeldigVeld,
                Some("Bijlage"),
                format!(
                    "een melding heeft hoogstens {} bijlagen",
                    self.config.max_attachments
                ),
            )));
        }
        for b in &m.attachments {
            if let Err(e) =
                super::meldingen::check_attachment(&b.content, self.config.max_attachment_bytes)
            {
                return foutmelding_of(e).map(refused);
            }
        }
        let actor = machine_actor(brin);
        let mut done = Vec::new();
        let result: Result<(), LoketError> = async {
            if let Some(end) = m.end_date {
                self.set_end_date(
                    &actor,
                    brin,
                    &row.nummer,
                    &end.format("%Y-%m-%d").to_string(),
                    x.today,
                    x.now,
                )
                .await?;
                done.push("einddatum".to_owned());
            }
            if let Some(spec) = &m.day_specification {
                self.set_day_spec(
                    &actor,
                    brin,
                    &row.nummer,
                    &spec.to_loket_text(),
                    x.today,
                    x.now,
                )
                .await?;
                done.push("verzuimdagspecificatie".to_owned());
            }
            for b in &m.attachments {
                self.add_attachment(&actor, brin, &row.nummer, &b.filename, &b.content, x.now)
                    .await?;
                done.push(format!("bijlage {}", b.filename));
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            return foutmelding_of(e).map(refused);
        }
        let Some(row) = self.store.melding(&scope, &row.nummer).await? else {
            return Err(LoketError::NotFound {
                what: "melding".to_owned(),
            });
        };
        Ok(Handled::Answer {
            message: ResponseMessage::Mutatie(MutatieMeldingRelatiefVerzuimResponse {
                confirmation: confirmation(&row, x.today),
            }),
            nummer: Some(row.nummer.clone()),
            melding_id: Some(row.id),
            note: format!("melding {} gewijzigd: {}", row.nummer, done.join(", ")),
        })
    }

    async fn m2m_intrekken(
        &self,
        x: &Exchange<'_>,
        m: &IntrekkenMeldingRelatiefVerzuimRequest,
    ) -> Result<Handled, LoketError> {
        let brin = x.brin;
        let scope = MeldingScope::School(brin.clone());
        let Some(row) = self.store.melding(&scope, &m.number).await? else {
            return Ok(refused(foutmelding_of(LoketError::NotFound {
                what: "melding".to_owned(),
            })?));
        };
        // withdrawn by the school already (a retry whose answer was lost): confirm again
        let already = row.status == MeldingStatus::Ingetrokken
            && row.withdraw_reason == Some(WithdrawReason::DoorSchool);
        if !already
            && let Err(e) = self
                .withdraw(&machine_actor(brin), brin, &row.nummer, &m.note, x.now)
                .await
        {
            return foutmelding_of(e).map(refused);
        }
        let Some(row) = self.store.melding(&scope, &row.nummer).await? else {
            return Err(LoketError::NotFound {
                what: "melding".to_owned(),
            });
        };
        Ok(Handled::Answer {
            message: ResponseMessage::Intrekken(IntrekkenMeldingRelatiefVerzuimResponse {
                confirmation: confirmation(&row, x.today),
            }),
            nummer: Some(row.nummer.clone()),
            melding_id: Some(row.id),
            note: format!("melding {} ingetrokken", row.nummer),
        })
    }

    async fn m2m_aanvraag(
        &self,
        x: &Exchange<'_>,
        m: &AanvraagMeldingRelatiefVerzuimRequest,
    ) -> Result<Handled, LoketError> {
        let scope = MeldingScope::School(x.brin.clone());
        let Some(row) = self.store.melding(&scope, &m.number).await? else {
            return Ok(refused(foutmelding_of(LoketError::NotFound {
                what: "melding".to_owned(),
            })?));
        };
        let part = status_part(&row);
        let melding = MeldingRelatiefVerzuim {
            id: part.id,
            status: part.status,
            closing_reason: part.closing_reason,
            explanation: part.explanation,
            withdraw_reason: part.withdraw_reason,
            contact: contact_of(&row),
            melding: MeldingGegevens::from_new_melding(&row.melding),
            day_specification: row
                .day_spec
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(Verzuimdagspecificatie::from),
            process: procesverloop(row.updated_at),
        };
        Ok(Handled::Answer {
            message: ResponseMessage::Aanvraag(Box::new(AanvraagMeldingRelatiefVerzuimResponse {
                melding,
            })),
            nummer: Some(row.nummer.clone()),
            melding_id: Some(row.id),
            note: format!("melding {} opgevraagd", row.nummer),
        })
    }

    async fn m2m_gewijzigd(
        &self,
        x: &Exchange<'_>,
        m: &AanvraagGewijzigdeMeldingRelatiefVerzuimRequest,
    ) -> Result<Handled, LoketError> {
        let selection = match m.selection() {
            Ok(s) => s,
            Err(f) => return Ok(refused(f)),
        };
        let limit = match m.limit {
            Some(0) => {
                return Ok(refused(fout(
                    FoutCode::OngeldigVeld,
                    Some("MaximumAantal"),
                    "MaximumAantal moet minstens 1 zijn",
                )));
            }
            Some(n) => n.min(MAX_POLL_LIMIT),
            None => DEFAULT_POLL_LIMIT,
        };
        // read before the changes: everything committed later has a higher value
        let last = self.store.last_change_seq(x.brin).await?;
        let (after, since, from_cursor) = match selection {
            Selection::Everything => (0, None, false),
            Selection::Since(date, time) => (
                0,
                Some(date.and_time(time.unwrap_or(NaiveTime::MIN)).and_utc()),
                false,
            ),
            Selection::Cursor(c) => match decode_cursor(&c) {
                Some(n) => (n, None, true),
                None => {
                    return Ok(refused(fout(
                        FoutCode::OngeldigVeld,
                        Some("Cursor"),
                        "deze cursor is niet door het loket uitgegeven; gebruik VolgendeCursor uit het vorige antwoord",
                    )));
                }
            },
        };
        let mut rows = self
            .store
            .changed_meldingen(x.brin, after, since, i64::from(limit) + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = match rows.last() {
            Some(r) => r.seq,
            None if from_cursor => after,
            None => last,
        };
        let cases: Vec<Verzuimgeval> = rows
            .iter()
            .map(|c| Verzuimgeval {
                melding: status_part(&c.melding),
                contact: contact_of(&c.melding),
                process: procesverloop(c.melding.updated_at),
            })
            .collect();
        let note = format!(
            "{} gewijzigde melding(en) opgevraagd{}",
            cases.len(),
            if more { ", meer beschikbaar" } else { "" }
        );
        Ok(Handled::Answer {
            message: ResponseMessage::AanvraagGewijzigde(
                AanvraagGewijzigdeMeldingRelatiefVerzuimResponse {
                    period: m.period,
                    cases,
                    next_cursor: encode_cursor(next),
                    more,
                },
            ),
            nummer: None,
            melding_id: None,
            note,
        })
    }
}

/// The answer to a `MeldenRelatiefVerzuim` whose document id the school used before: the
/// melding filed then, or `F005` when the data name another student, kind or begin date.
fn same_document(row: &MeldingRow, m: &MeldenRelatiefVerzuimRequest) -> Handled {
    let g = &m.melding;
    let same = PersonalNumber::parse(&g.student_number)
        .is_ok_and(|n| n == row.melding.student_number)
        && g.kind == row.melding.kind
        && g.begin_date == row.melding.begin_date;
    if !same {
        return refused(fout(
            FoutCode::DubbelDocument,
            Some("identificatiecodeBedrijfsdocument"),
            format!(
                "dit kenmerk is al gebruikt voor melding {} (een andere leerling, soort of begindatum)",
                row.nummer
            ),
        ));
    }
    Handled::Answer {
        message: ResponseMessage::Melden(MeldenRelatiefVerzuimResponse {
            document_id: m.document_id.clone(),
            id: IdentificatieMelding {
                number: row.nummer.clone(),
            },
            status: row.status,
        }),
        nummer: Some(row.nummer.clone()),
        melding_id: Some(row.id),
        note: format!("melding {} was al ingediend met dit kenmerk", row.nummer),
    }
}

/// One exchange in progress.
struct Exchange<'a> {
    settings: &'a M2mSettings,
    req: &'a IncomingRequest,
    brin: &'a Brin,
    request_text: String,
    today: NaiveDate,
    now: DateTime<Utc>,
    /// The answer's own MessageID (fixed, so the answer can be written twice identically).
    response_id: MessageId,
}

impl Exchange<'_> {
    /// The answer envelope and what is stored with it.
    fn record(
        &self,
        message: &ResponseMessage,
        nummer: Option<String>,
        melding_id: Option<i64>,
        note: &str,
    ) -> Result<NewM2mMessage, LoketError> {
        let op = self.req.operation;
        let headers = WsaHeaders::response_to(
            &self.req.headers,
            &self.settings.own_oin,
            op.response_action(),
            self.response_id.clone(),
        );
        let body =
            write_response(&headers, message).map_err(|e| LoketError::Internal(e.to_string()))?;
        let message_id = self.req.headers.message_id.to_uri();
        Ok(NewM2mMessage {
            brin: Some(self.brin.as_str().to_owned()),
            message_id: message_id.clone(),
            operation: op.name().to_owned(),
            received_at: self.now,
            request_body: Some(self.request_text.clone()),
            response_status: 200,
            response_body: body,
            nummer,
            audit: LoketAuditEntry {
                at: self.now,
                username: format!("m2m:{}", self.brin),
                action: format!("m2m.{}", op.name()),
                organisation: Some(self.brin.as_str().to_owned()),
                melding_id,
                detail: format!(
                    "{message_id}: {note}{}",
                    if self.settings.proeftuin {
                        " [proeftuin]"
                    } else {
                        ""
                    }
                ),
            },
        })
    }
}
