//! Reading and writing SOAP 1.1 envelopes with WS-Addressing headers, safely.
//!
//! Reading goes in this order, and the first failure decides the fault (research §2.1:
//! "most specific wins"):
//! 1. size ([`Limits::max_bytes`]), then UTF-8 (DK0009), then any `<!DOCTYPE`/`<!ENTITY`
//!    anywhere in the text is refused before the XML parser sees it (no XXE, no billion
//!    laughs; DK0004);
//! 2. one streaming pass with quick-xml's `NsReader`: well-formedness, nesting depth
//!    ([`Limits::max_depth`]), the envelope element and its namespace (SOAP 1.1 only, else
//!    `VersionMismatch.DK0001`), the WS-Addressing headers (other header blocks: DK0010;
//!    `wsse:Security` is let through for the signing layer), exactly one body element whose
//!    elements are all in [`crate::NAMESPACE`];
//! 3. the headers' rules (To/Action/MessageID/From present and valid, SOAPAction ==
//!    wsa:Action, a known action), then the body through serde (schema errors: DK0004 with
//!    detail), written again and compared element by element so that unknown or misplaced
//!    elements, which serde would skip, are refused too.
//!
//! quick-xml never expands entities other than the five predefined ones and character
//! references; step 1 makes sure no declaration can even be attempted.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::addressing::{MessageId, Oin, WsaHeaders};
use crate::fault::{Fault, FaultClass, FaultCode};
use crate::messages::{RequestMessage, ResponseMessage};
use crate::operation::Operation;
use crate::{NAMESPACE, SOAP11_ENVELOPE_NS, WSA_NS, WSSE_NS, WSU_NS};

/// Limits on what is read. The caller also enforces `max_bytes` on the HTTP body before
/// reading it; this crate checks it again on the text it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (the envelope is level 1).
    pub max_depth: usize,
}

impl Default for Limits {
    /// 4 MiB (room for a few base64 attachments) and 32 levels (our deepest message needs 7).
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 32,
        }
    }
}

/// What the server expects of a request besides [`Limits`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestPolicy {
    /// Size and depth limits.
    pub limits: Limits,
    /// The loket's own OIN: when set, `wsa:To` must carry it (`?oin=`).
    pub own_oin: Option<Oin>,
}

/// A WS-Addressing header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsaField {
    /// `wsa:To`.
    To,
    /// `wsa:Action`.
    Action,
    /// `wsa:MessageID`.
    MessageId,
    /// `wsa:RelatesTo`.
    RelatesTo,
    /// `wsa:From`.
    From,
    /// `wsa:ReplyTo`.
    ReplyTo,
    /// `wsa:FaultTo`.
    FaultTo,
}

impl WsaField {
    fn from_local(local: &str) -> Option<Self> {
        Some(match local {
            "To" => Self::To,
            "Action" => Self::Action,
            "MessageID" => Self::MessageId,
            "RelatesTo" => Self::RelatesTo,
            "From" => Self::From,
            "ReplyTo" => Self::ReplyTo,
            "FaultTo" => Self::FaultTo,
            _ => return None,
        })
    }

    /// The qualified name, `wsa:To`.
    pub fn name(self) -> &'static str {
        match self {
            Self::To => "wsa:To",
            Self::Action => "wsa:Action",
            Self::MessageId => "wsa:MessageID",
            Self::RelatesTo => "wsa:RelatesTo",
            Self::From => "wsa:From",
            Self::ReplyTo => "wsa:ReplyTo",
            Self::FaultTo => "wsa:FaultTo",
        }
    }

    /// Whether the value is an endpoint reference (`wsa:Address` inside).
    fn is_epr(self) -> bool {
        matches!(self, Self::From | Self::ReplyTo | Self::FaultTo)
    }
}

impl std::fmt::Display for WsaField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a message was refused; [`EnvelopeError::fault`] gives the fault to answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Larger than [`Limits::max_bytes`].
    #[error("het bericht is {size} bytes; de grens is {max} bytes")]
    TooLarge {
        /// Size received.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not UTF-8, or declared in another encoding.
    #[error("het bericht is niet in UTF-8 gecodeerd{0}")]
    NotUtf8(String),
    /// A DOCTYPE, DTD or entity declaration.
    #[error("een DOCTYPE, DTD of entiteitdeclaratie is niet toegestaan")]
    DtdForbidden,
    /// Nested deeper than [`Limits::max_depth`].
    #[error("het bericht is dieper genest dan {max} niveaus")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// Not well-formed XML.
    #[error("het bericht is geen goedgevormde XML: {0}")]
    Malformed(String),
    /// The root element is not `Envelope`.
    #[error("het bericht is geen SOAP-envelope: het hoofdelement is '{0}'")]
    NotAnEnvelope(String),
    /// `Envelope` in another namespace than SOAP 1.1.
    #[error("de envelope-namespace '{0}' is niet die van SOAP 1.1")]
    WrongEnvelopeNamespace(String),
    /// No `soap:Body`.
    #[error("soap:Body ontbreekt")]
    MissingBody,
    /// The structure or content does not conform to the schema.
    #[error("{0}")]
    Schema(String),
    /// A required WS-Addressing header is missing.
    #[error("de header {0} ontbreekt")]
    MissingHeader(WsaField),
    /// A WS-Addressing header appears twice.
    #[error("de header {0} staat er meer dan eens in")]
    DuplicateHeader(WsaField),
    /// A header block the profile does not allow (WS007: no custom headers).
    #[error("de header '{0}' is niet toegestaan")]
    UnknownHeader(String),
    /// `wsa:MessageID` is not `urn:uuid:<uuid>`.
    #[error("wsa:MessageID '{0}' is geen urn:uuid:<UUID>")]
    MessageIdNotUuid(String),
    /// `wsa:RelatesTo` is not a MessageID.
    #[error("wsa:RelatesTo '{0}' is geen urn:uuid:<UUID>")]
    BadRelatesTo(String),
    /// `wsa:From` carries no valid OIN.
    #[error("wsa:From '{0}' bevat geen geldig OIN (…/anonymous?oin=<20 tekens>)")]
    FromWithoutOin(String),
    /// `wsa:To` carries no valid OIN.
    #[error("wsa:To '{0}' bevat geen geldig OIN (…/anonymous?oin=<20 tekens>)")]
    ToWithoutOin(String),
    /// `wsa:To` is addressed to another organisation.
    #[error("wsa:To is gericht aan OIN {found}, niet aan deze dienst ({expected})")]
    WrongRecipient {
        /// OIN in the message.
        found: String,
        /// The loket's OIN.
        expected: String,
    },
    /// `wsa:Action` is not an operation of this service.
    #[error("wsa:Action '{0}' is geen operatie van deze dienst")]
    UnknownAction(String),
    /// HTTP `SOAPAction` missing or not equal to `wsa:Action`.
    #[error("SOAPAction '{soap_action}' is niet gelijk aan wsa:Action '{action}'")]
    SoapActionMismatch {
        /// The HTTP header, unquoted (empty when missing).
        soap_action: String,
        /// The `wsa:Action`.
        action: String,
    },
}

impl EnvelopeError {
    /// The fault to answer with: the DK/EK code, its Dutch text, and this error as detail.
    pub fn fault(&self) -> Fault {
        let code = match self {
            Self::TooLarge { .. } | Self::DtdForbidden | Self::TooDeep { .. } => FaultCode::Dk0004,
            Self::Malformed(_) | Self::Schema(_) | Self::MissingBody => FaultCode::Dk0004,
            Self::NotUtf8(_) => FaultCode::Dk0009,
            Self::NotAnEnvelope(_) | Self::WrongEnvelopeNamespace(_) => FaultCode::Dk0001,
            Self::MissingHeader(WsaField::To) => FaultCode::Dk0005,
            Self::MissingHeader(WsaField::Action) => FaultCode::Dk0006,
            Self::MissingHeader(WsaField::MessageId) => FaultCode::Dk0007,
            Self::MissingHeader(WsaField::RelatesTo) => FaultCode::Dk0008,
            Self::MissingHeader(_) => FaultCode::Ek0020,
            Self::DuplicateHeader(_)
            | Self::BadRelatesTo(_)
            | Self::WrongRecipient { .. }
            | Self::UnknownAction(_) => FaultCode::Dk0011,
            Self::UnknownHeader(_) => FaultCode::Dk0010,
            Self::MessageIdNotUuid(_) => FaultCode::Ek0023,
            Self::FromWithoutOin(_) => FaultCode::Ek0021,
            Self::ToWithoutOin(_) => FaultCode::Ek0022,
            Self::SoapActionMismatch { .. } => FaultCode::Dk0003,
        };
        Fault::new(code).with_detail(self.to_string())
    }
}

/// A request as read by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingRequest {
    /// Its WS-Addressing headers.
    pub headers: WsaHeaders,
    /// The sender's OIN from `wsa:From` (compare it with the TLS certificate's: EK0030).
    pub sender: Oin,
    /// The operation named by `wsa:Action`.
    pub operation: Operation,
    /// The body.
    pub message: RequestMessage,
}

/// A response body: a message or a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    /// The answer (possibly a `Foutmelding`).
    Message(ResponseMessage),
    /// A SOAP fault.
    Fault(Fault),
}

/// A response as read by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingResponse {
    /// Its WS-Addressing headers.
    pub headers: WsaHeaders,
    /// The body.
    pub body: ResponseBody,
}

/// Writing a body failed (a value serde cannot write).
#[derive(Debug, thiserror::Error)]
#[error("bericht kon niet worden opgebouwd: {0}")]
pub struct WriteError(#[from] quick_xml::SeError);

/// What the streaming pass found.
#[derive(Debug, Default)]
struct Scanned<'a> {
    fields: [Option<String>; 7],
    body_seen: bool,
    /// (namespace, local name, raw XML of the element).
    body: Option<(Option<String>, String, &'a str)>,
}

fn field_index(f: WsaField) -> usize {
    match f {
        WsaField::To => 0,
        WsaField::Action => 1,
        WsaField::MessageId => 2,
        WsaField::RelatesTo => 3,
        WsaField::From => 4,
        WsaField::ReplyTo => 5,
        WsaField::FaultTo => 6,
    }
}

impl Scanned<'_> {
    fn get(&self, f: WsaField) -> Option<&str> {
        self.fields[field_index(f)].as_deref().map(str::trim)
    }
}

/// Size, UTF-8 and the DTD ban, before any XML parsing.
fn precheck<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, EnvelopeError> {
    if input.len() > limits.max_bytes {
        return Err(EnvelopeError::TooLarge {
            size: input.len(),
            max: limits.max_bytes,
        });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| {
        EnvelopeError::NotUtf8(format!(" (ongeldige byte op positie {})", e.valid_up_to()))
    })?;
    if text.contains('\0') {
        return Err(EnvelopeError::NotUtf8(
            " (het bevat NUL-tekens; is het UTF-16?)".to_owned(),
        ));
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("<!doctype") || lower.contains("<!entity") {
        return Err(EnvelopeError::DtdForbidden);
    }
    Ok(text)
}

fn pos(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// The streaming pass over the whole message.
fn scan<'a>(text: &'a str, limits: &Limits) -> Result<Scanned<'a>, EnvelopeError> {
    let mut reader = NsReader::from_reader(text.as_bytes());
    reader.config_mut().check_end_names = true;
    let mut out = Scanned::default();
    // Element path: (namespace, local name).
    let mut stack: Vec<(Option<String>, String)> = Vec::new();
    let mut root_done = false;
    // Where text goes: a WSA field and the depth of the element that collects it.
    let mut capture: Option<(WsaField, usize)> = None;
    let mut in_header = false;
    let mut in_body = false;
    let mut body_start = 0usize;
    let mut body_is_fault = false;
    loop {
        let before = pos(&reader);
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        let ns = match resolved {
            ResolveResult::Bound(n) => Some(n.into_inner().to_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(EnvelopeError::Malformed(format!(
                    "het prefix '{}' is niet gedeclareerd",
                    p
                )));
            }
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let local = e.local_name().into_inner().to_owned();
            for attribute in e.attributes() {
                attribute.map_err(|x| {
                    EnvelopeError::Malformed(format!("onjuist attribuut bij '{local}': {x}"))
                })?;
            }
            let depth = stack.len() + 1;
            if depth > limits.max_depth {
                return Err(EnvelopeError::TooDeep {
                    max: limits.max_depth,
                });
            }
            match depth {
                1 => {
                    if root_done {
                        return Err(EnvelopeError::Malformed(
                            "meer dan één hoofdelement".to_owned(),
                        ));
                    }
                    if local != "Envelope" {
                        return Err(EnvelopeError::NotAnEnvelope(local));
                    }
                    if ns.as_deref() != Some(SOAP11_ENVELOPE_NS) {
                        return Err(EnvelopeError::WrongEnvelopeNamespace(
                            ns.unwrap_or_default(),
                        ));
                    }
                }
                2 => {
                    let soap = ns.as_deref() == Some(SOAP11_ENVELOPE_NS);
                    match local.as_str() {
                        "Header" if soap && !out.body_seen => in_header = true,
                        "Body" if soap && !out.body_seen => {
                            out.body_seen = true;
                            in_body = true;
                        }
                        _ => {
                            return Err(EnvelopeError::Schema(format!(
                                "onverwacht element '{local}' in soap:Envelope"
                            )));
                        }
                    }
                }
                3 if in_header => match ns.as_deref() {
                    Some(WSA_NS) => {
                        let field = WsaField::from_local(&local)
                            .ok_or_else(|| EnvelopeError::UnknownHeader(format!("wsa:{local}")))?;
                        let slot = &mut out.fields[field_index(field)];
                        if slot.is_some() {
                            return Err(EnvelopeError::DuplicateHeader(field));
                        }
                        *slot = Some(String::new());
                        if !field.is_epr() {
                            capture = Some((field, depth));
                        }
                    }
                    Some(WSSE_NS | WSU_NS) => {}
                    other => {
                        return Err(EnvelopeError::UnknownHeader(match other {
                            Some(n) => format!("{{{n}}}{local}"),
                            None => local,
                        }));
                    }
                },
                4 if in_header => {
                    if let Some((parent_ns, parent)) = stack.last()
                        && parent_ns.as_deref() == Some(WSA_NS)
                        && ns.as_deref() == Some(WSA_NS)
                        && local == "Address"
                        && let Some(field) = WsaField::from_local(parent)
                        && field.is_epr()
                    {
                        capture = Some((field, depth));
                    }
                }
                3 if in_body => {
                    if out.body.is_some() {
                        return Err(EnvelopeError::Schema(
                            "soap:Body bevat meer dan één element".to_owned(),
                        ));
                    }
                    body_start = before;
                    body_is_fault = ns.as_deref() == Some(SOAP11_ENVELOPE_NS) && local == "Fault";
                    if !body_is_fault && ns.as_deref() != Some(NAMESPACE) {
                        return Err(EnvelopeError::Schema(format!(
                            "het element '{local}' in soap:Body hoort in namespace {NAMESPACE}"
                        )));
                    }
                    out.body = Some((ns.clone(), local.clone(), ""));
                }
                _ if in_body && !body_is_fault && ns.as_deref() != Some(NAMESPACE) => {
                    return Err(EnvelopeError::Schema(format!(
                        "het element '{local}' hoort in namespace {NAMESPACE}"
                    )));
                }
                _ => {}
            }
            stack.push((ns, local));
        }
        match event {
            Event::Start(_) if !empty => {}
            Event::Empty(_) | Event::End(_) => {
                let depth = stack.len();
                stack.pop();
                if capture.is_some_and(|(_, d)| d == depth) {
                    capture = None;
                }
                match depth {
                    1 => root_done = true,
                    2 => {
                        in_header = false;
                        in_body = false;
                    }
                    3 if in_body => {
                        if let Some(b) = out.body.as_mut() {
                            b.2 = text.get(body_start..pos(&reader)).unwrap_or("");
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                if let Some((field, _)) = capture {
                    push_field(&mut out, field, &s);
                } else if !s.trim().is_empty()
                    && (stack.len() <= 1 || (in_body && stack.len() == 2))
                {
                    return Err(EnvelopeError::Schema(
                        "tekst buiten de elementen van het bericht".to_owned(),
                    ));
                }
            }
            Event::CData(c) => {
                if let Some((field, _)) = capture {
                    push_field(&mut out, field, &c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => resolve_predefined_entity(&r)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            EnvelopeError::Malformed(format!("onbekende entiteit '&{};'", &*r))
                        })?,
                    Err(e) => return Err(EnvelopeError::Malformed(e.to_string())),
                };
                if let Some((field, _)) = capture {
                    push_field(&mut out, field, &resolved);
                }
            }
            Event::Decl(d) => {
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
                    if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                        return Err(EnvelopeError::NotUtf8(format!(" (gedeclareerd: {enc})")));
                    }
                }
            }
            Event::DocType(_) => return Err(EnvelopeError::DtdForbidden),
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(EnvelopeError::Malformed(
            "het bericht houdt op voordat alle elementen gesloten zijn".to_owned(),
        ));
    }
    if !root_done {
        return Err(EnvelopeError::NotAnEnvelope(String::new()));
    }
    if !out.body_seen {
        return Err(EnvelopeError::MissingBody);
    }
    if out.body.is_none() {
        return Err(EnvelopeError::Schema("soap:Body is leeg".to_owned()));
    }
    Ok(out)
}

fn push_field(out: &mut Scanned<'_>, field: WsaField, s: &str) {
    if let Some(v) = out.fields[field_index(field)].as_mut() {
        v.push_str(s);
    }
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !v.is_empty())
}

fn headers_of(
    scanned: &Scanned<'_>,
    relates_to: Option<MessageId>,
) -> Result<WsaHeaders, EnvelopeError> {
    let message_id_text = nonempty(scanned.get(WsaField::MessageId))
        .ok_or(EnvelopeError::MissingHeader(WsaField::MessageId))?;
    let message_id = MessageId::parse(message_id_text)
        .map_err(|_| EnvelopeError::MessageIdNotUuid(message_id_text.to_owned()))?;
    Ok(WsaHeaders {
        to: scanned.get(WsaField::To).unwrap_or_default().to_owned(),
        action: scanned.get(WsaField::Action).unwrap_or_default().to_owned(),
        message_id,
        relates_to,
        from: nonempty(scanned.get(WsaField::From)).map(str::to_owned),
        reply_to: nonempty(scanned.get(WsaField::ReplyTo)).map(str::to_owned),
    })
}

/// The local names of the elements in `xml`, in document order.
fn element_names(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                names.push(e.local_name().into_inner().to_owned());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    names
}

/// serde skips elements it does not know; the XSD does not. The message is re-written from
/// what was read, and the element names must come out the same and in the same order: an
/// unknown, misplaced or repeated element is refused (DK0004).
fn check_same_elements(root: &str, received: &str, rewritten: &str) -> Result<(), EnvelopeError> {
    let got = element_names(received);
    let want = element_names(rewritten);
    if got == want {
        return Ok(());
    }
    let at = got.iter().zip(&want).position(|(g, w)| g != w);
    Err(EnvelopeError::Schema(match at {
        Some(i) => format!(
            "{root}: element '{}' wordt hier niet verwacht (verwacht: '{}')",
            got[i], want[i]
        ),
        None if got.len() > want.len() => format!(
            "{root}: element '{}' wordt hier niet verwacht",
            got[want.len()]
        ),
        None => format!("{root}: element '{}' ontbreekt", want[got.len()]),
    }))
}

/// Reads a request as the loket receives it. `soap_action` is the HTTP `SOAPAction` header
/// (quotes allowed), `None` when absent. Any error maps to its fault with
/// [`EnvelopeError::fault`].
pub fn parse_request(
    input: &[u8],
    soap_action: Option<&str>,
    policy: &RequestPolicy,
) -> Result<IncomingRequest, EnvelopeError> {
    let text = precheck(input, &policy.limits)?;
    let scanned = scan(text, &policy.limits)?;
    if let Some((Some(ns), local, _)) = &scanned.body
        && ns == SOAP11_ENVELOPE_NS
    {
        return Err(EnvelopeError::Schema(format!(
            "een verzoek kan geen soap:{local} bevatten"
        )));
    }
    let to =
        nonempty(scanned.get(WsaField::To)).ok_or(EnvelopeError::MissingHeader(WsaField::To))?;
    let action = nonempty(scanned.get(WsaField::Action))
        .ok_or(EnvelopeError::MissingHeader(WsaField::Action))?;
    let headers = headers_of(&scanned, None)?;
    if let Some(r) = nonempty(scanned.get(WsaField::RelatesTo)) {
        return Err(EnvelopeError::BadRelatesTo(format!(
            "{r} (een verzoek heeft geen wsa:RelatesTo)"
        )));
    }
    let from = nonempty(scanned.get(WsaField::From))
        .ok_or(EnvelopeError::MissingHeader(WsaField::From))?;
    let sender = match Oin::from_address(from) {
        Ok(Some(oin)) => oin,
        _ => return Err(EnvelopeError::FromWithoutOin(from.to_owned())),
    };
    match (Oin::from_address(to), &policy.own_oin) {
        (Err(_), _) => return Err(EnvelopeError::ToWithoutOin(to.to_owned())),
        (Ok(None), Some(_)) => return Err(EnvelopeError::ToWithoutOin(to.to_owned())),
        (Ok(Some(found)), Some(own)) if &found != own => {
            return Err(EnvelopeError::WrongRecipient {
                found: found.to_string(),
                expected: own.to_string(),
            });
        }
        _ => {}
    }
    let soap_action = soap_action.map(|s| {
        let t = s.trim();
        t.strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(t)
    });
    if soap_action != Some(action) {
        return Err(EnvelopeError::SoapActionMismatch {
            soap_action: soap_action.unwrap_or_default().to_owned(),
            action: action.to_owned(),
        });
    }
    let operation = Operation::from_action(action)
        .ok_or_else(|| EnvelopeError::UnknownAction(action.to_owned()))?;
    let (_, local, xml) = scanned.body.as_ref().ok_or(EnvelopeError::MissingBody)?;
    if local != operation.request_element() {
        return Err(EnvelopeError::Schema(format!(
            "wsa:Action {action} verwacht {} in soap:Body, niet {local}",
            operation.request_element()
        )));
    }
    let root = operation.request_element();
    let message = RequestMessage::from_xml(operation, xml)
        .map_err(|e| EnvelopeError::Schema(format!("{root}: {e}")))?;
    let rewritten = message
        .to_xml()
        .map_err(|e| EnvelopeError::Schema(format!("{root}: {e}")))?;
    check_same_elements(root, xml, &rewritten)?;
    Ok(IncomingRequest {
        headers,
        sender,
        operation,
        message,
    })
}

/// The request's WS-Addressing headers, best effort, for answering a refused request with a
/// fault that carries `wsa:RelatesTo`: `None` when the message is too broken to read them or
/// has no valid MessageID. Applies the same safety checks as [`parse_request`].
pub fn recover_headers(input: &[u8], limits: &Limits) -> Option<WsaHeaders> {
    let text = precheck(input, limits).ok()?;
    let scanned = scan(text, limits).ok()?;
    headers_of(&scanned, None).ok()
}

/// Reads a response as the school's client receives it: a message, a `Foutmelding` or a
/// SOAP fault. Requires Action, MessageID and RelatesTo (Digikoppeling WA001).
pub fn parse_response(input: &[u8], limits: &Limits) -> Result<IncomingResponse, EnvelopeError> {
    let text = precheck(input, limits)?;
    let scanned = scan(text, limits)?;
    nonempty(scanned.get(WsaField::Action))
        .ok_or(EnvelopeError::MissingHeader(WsaField::Action))?;
    let relates_text = nonempty(scanned.get(WsaField::RelatesTo))
        .ok_or(EnvelopeError::MissingHeader(WsaField::RelatesTo))?;
    let relates_to = MessageId::parse(relates_text)
        .map_err(|_| EnvelopeError::BadRelatesTo(relates_text.to_owned()))?;
    let headers = headers_of(&scanned, Some(relates_to))?;
    let (ns, local, xml) = scanned.body.as_ref().ok_or(EnvelopeError::MissingBody)?;
    let body = if ns.as_deref() == Some(SOAP11_ENVELOPE_NS) {
        ResponseBody::Fault(parse_fault(xml)?)
    } else {
        let message = ResponseMessage::from_xml(local, xml)
            .ok_or_else(|| EnvelopeError::Schema(format!("'{local}' is geen antwoordbericht")))?
            .map_err(|e| EnvelopeError::Schema(format!("{local}: {e}")))?;
        let rewritten = message
            .to_xml()
            .map_err(|e| EnvelopeError::Schema(format!("{local}: {e}")))?;
        check_same_elements(local, xml, &rewritten)?;
        ResponseBody::Message(message)
    };
    Ok(IncomingResponse { headers, body })
}

#[derive(serde::Deserialize)]
struct FaultXml {
    faultcode: String,
    faultstring: TextXml,
    #[serde(default)]
    detail: Option<DetailXml>,
}

#[derive(serde::Deserialize)]
struct TextXml {
    #[serde(rename = "$text", default)]
    text: String,
}

#[derive(serde::Deserialize)]
struct DetailXml {
    #[serde(rename = "Foutdetail", default)]
    text: Option<String>,
}

fn parse_fault(xml: &str) -> Result<Fault, EnvelopeError> {
    let f: FaultXml = quick_xml::de::from_str(xml)
        .map_err(|e| EnvelopeError::Schema(format!("soap:Fault: {e}")))?;
    let code = FaultCode::parse(&f.faultcode).unwrap_or(FaultCode::Unspecified(FaultClass::Server));
    Ok(Fault {
        code,
        string: f.faultstring.text,
        detail: f.detail.and_then(|d| d.text),
    })
}

/// Writes an envelope around `body` (a complete element that declares its own namespaces).
fn envelope(headers: &WsaHeaders, body: &str) -> String {
    let mut h = format!(
        "<wsa:To>{}</wsa:To><wsa:Action>{}</wsa:Action><wsa:MessageID>{}</wsa:MessageID>",
        escape(headers.to.as_str()),
        escape(headers.action.as_str()),
        headers.message_id.to_uri()
    );
    if let Some(r) = &headers.relates_to {
        h.push_str(&format!("<wsa:RelatesTo>{}</wsa:RelatesTo>", r.to_uri()));
    }
    if let Some(f) = &headers.from {
        h.push_str(&format!(
            "<wsa:From><wsa:Address>{}</wsa:Address></wsa:From>",
            escape(f.as_str())
        ));
    }
    if let Some(r) = &headers.reply_to {
        h.push_str(&format!(
            "<wsa:ReplyTo><wsa:Address>{}</wsa:Address></wsa:ReplyTo>",
            escape(r.as_str())
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<soapenv:Envelope xmlns:soapenv=\"{SOAP11_ENVELOPE_NS}\" xmlns:wsa=\"{WSA_NS}\">\
<soapenv:Header>{h}</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
}

/// Puts `xmlns="<NAMESPACE>"` on the root element serde wrote (`<Root` + rest).
fn with_namespace(root: &str, xml: &str) -> String {
    let open = format!("<{root}");
    match xml.strip_prefix(open.as_str()) {
        Some(rest) => format!("{open} xmlns=\"{NAMESPACE}\"{rest}"),
        None => xml.to_owned(),
    }
}

/// Writes a request envelope (the school's client). The HTTP `SOAPAction` must be
/// `headers.action`.
pub fn write_request(headers: &WsaHeaders, message: &RequestMessage) -> Result<String, WriteError> {
    let body = with_namespace(message.operation().request_element(), &message.to_xml()?);
    Ok(envelope(headers, &body))
}

/// Writes a response envelope (the loket).
pub fn write_response(
    headers: &WsaHeaders,
    message: &ResponseMessage,
) -> Result<String, WriteError> {
    let body = with_namespace(message.element_name(), &message.to_xml()?);
    Ok(envelope(headers, &body))
}

/// Writes a fault envelope; send it with HTTP 500. `headers` should come from
/// [`WsaHeaders::response_to`] with [`crate::WSA_FAULT_ACTION`] when the request's headers
/// could be read; without them the fault goes out with only an envelope.
pub fn write_fault(headers: Option<&WsaHeaders>, fault: &Fault) -> String {
    match headers {
        Some(h) => envelope(h, &fault.to_xml()),
        None => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<soapenv:Envelope xmlns:soapenv=\"{SOAP11_ENVELOPE_NS}\"><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>",
            fault.to_xml()
        ),
    }
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::reader::NsReader;

    use super::*;
    use crate::WSA_FAULT_ACTION;
    use crate::messages::samples;

    const REQ_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const RESP_ID: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    fn loket() -> Oin {
        Oin::parse("00000001800866472000").unwrap()
    }

    fn school() -> Oin {
        Oin::from_brin(&verzuim_domain::Brin::parse("25BE").unwrap())
    }

    fn policy() -> RequestPolicy {
        RequestPolicy {
            limits: Limits::default(),
            own_oin: Some(loket()),
        }
    }

    fn headers(op: Operation) -> WsaHeaders {
        WsaHeaders::request(
            &loket(),
            &school(),
            op,
            MessageId::from_uuid(REQ_ID).unwrap(),
        )
    }

    /// A valid MeldenRelatiefVerzuim request and its SOAPAction.
    fn melden() -> (String, &'static str) {
        let m = samples::requests().remove(0);
        let op = m.operation();
        (write_request(&headers(op), &m).unwrap(), op.action())
    }

    fn refuse(xml: &str, action: Option<&str>) -> EnvelopeError {
        match parse_request(xml.as_bytes(), action, &policy()) {
            Ok(r) => panic!("accepted: {r:?}"),
            Err(e) => e,
        }
    }

    fn refuse_with(xml: &str, code: FaultCode) -> EnvelopeError {
        let (_, action) = melden();
        let e = refuse(xml, Some(action));
        assert_eq!(e.fault().code, code, "{e}");
        e
    }

    /// Every element the XML uses in our namespace must be declared in the XSD.
    fn assert_declared_in_xsd(xml: &str) {
        let declared = crate::operation::tests::xsd_element_names();
        let mut reader = NsReader::from_str(xml);
        loop {
            let (ns, ev) = reader.read_resolved_event().unwrap();
            match ev {
                Event::Start(e) | Event::Empty(e) => {
                    if matches!(ns, ResolveResult::Bound(n) if n.into_inner() == NAMESPACE) {
                        let local = e.local_name().into_inner().to_owned();
                        assert!(declared.contains(&local), "{local} not in the XSD");
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }

    #[test]
    fn every_request_round_trips_through_an_envelope() {
        for m in samples::requests() {
            let op = m.operation();
            let xml = write_request(&headers(op), &m).unwrap();
            assert_declared_in_xsd(&xml);
            let got = parse_request(
                xml.as_bytes(),
                Some(&format!("\"{}\"", op.action())),
                &policy(),
            )
            .unwrap_or_else(|e| panic!("{e}\n{xml}"));
            assert_eq!(got.message, m);
            assert_eq!(got.operation, op);
            assert_eq!(got.sender, school());
            assert_eq!(got.headers, headers(op));
            assert_eq!(got.message.brin(), "25BE");
        }
    }

    #[test]
    fn every_response_round_trips_through_an_envelope() {
        let request = headers(Operation::MeldenRelatiefVerzuim);
        for m in samples::responses() {
            let action = m
                .operation()
                .unwrap_or(Operation::MeldenRelatiefVerzuim)
                .response_action();
            let h = WsaHeaders::response_to(
                &request,
                &loket(),
                action,
                MessageId::from_uuid(RESP_ID).unwrap(),
            );
            let xml = write_response(&h, &m).unwrap();
            assert_declared_in_xsd(&xml);
            let got = parse_response(xml.as_bytes(), &Limits::default())
                .unwrap_or_else(|e| panic!("{e}\n{xml}"));
            assert_eq!(got.body, ResponseBody::Message(m));
            assert_eq!(got.headers, h);
            assert_eq!(got.headers.relates_to, Some(request.message_id.clone()));
            assert_eq!(got.headers.to, school().anonymous_address());
        }
    }

    #[test]
    fn request_envelope_looks_like_edukoppeling() {
        let (xml, _) = melden();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""));
        assert!(xml.contains("<wsa:To>http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000</wsa:To>"));
        assert!(
            xml.contains("<wsa:Action>urn:verzuim:loket:m2m:v1:MeldenRelatiefVerzuim</wsa:Action>")
        );
        assert!(xml.contains(
            "<wsa:MessageID>urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e</wsa:MessageID>"
        ));
        assert!(xml.contains("<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:Address></wsa:From>"));
        assert!(xml.contains("<MeldenRelatiefVerzuimRequest xmlns=\"urn:verzuim:loket:m2m:v1\"><identificatiecodeBedrijfsdocument>"));
        assert!(
            !xml.contains("<Achternaam>")
                && xml.contains("<Geslachtsnaam>Berg &amp; Zn</Geslachtsnaam>")
        );
    }

    #[test]
    fn prefixed_body_with_namespace_on_the_envelope_is_accepted() {
        let (xml, action) = melden();
        let start = xml.find("<soapenv:Body>").unwrap() + "<soapenv:Body>".len();
        let end = xml.find("</soapenv:Body>").unwrap();
        let body = xml[start..end]
            .replace(" xmlns=\"urn:verzuim:loket:m2m:v1\"", "")
            .replace("</", "\u{0}")
            .replace('<', "<v:")
            .replace('\u{0}', "</v:");
        let head = xml[..start].replace(
            "xmlns:wsa=",
            "xmlns:v=\"urn:verzuim:loket:m2m:v1\" xmlns:wsa=",
        );
        let prefixed = format!("{head}{body}{}", &xml[end..]);
        let got = parse_request(prefixed.as_bytes(), Some(action), &policy())
            .unwrap_or_else(|e| panic!("{e}\n{prefixed}"));
        assert_eq!(got.message, samples::requests().remove(0));
        // Only the root prefixed: the children are in no namespace (the XSD is qualified).
        let root_only = xml
            .replace(
                "xmlns:wsa=",
                "xmlns:v=\"urn:verzuim:loket:m2m:v1\" xmlns:wsa=",
            )
            .replace(
                "<MeldenRelatiefVerzuimRequest xmlns=\"urn:verzuim:loket:m2m:v1\">",
                "<v:MeldenRelatiefVerzuimRequest>",
            )
            .replace(
                "</MeldenRelatiefVerzuimRequest>",
                "</v:MeldenRelatiefVerzuimRequest>",
            );
        assert_eq!(
            refuse(&root_only, Some(action)).fault().code,
            FaultCode::Dk0004
        );
    }

    #[test]
    fn fault_round_trips_with_relates_to() {
        let request = headers(Operation::MutatieMeldingRelatiefVerzuim);
        let h = WsaHeaders::response_to(
            &request,
            &loket(),
            WSA_FAULT_ACTION,
            MessageId::from_uuid(RESP_ID).unwrap(),
        );
        for fault in [
            EnvelopeError::MissingHeader(WsaField::To).fault(),
            Fault::new(FaultCode::Dk0002),
            Fault::functional("Melding VM000000001 is al afgesloten & kan niet meer wijzigen"),
            Fault::new(FaultCode::Dk0051),
        ] {
            let xml = write_fault(Some(&h), &fault);
            assert!(xml.contains(&format!(
                "<faultcode>soapenv:{}</faultcode>",
                fault.code.faultcode()
            )));
            let got = parse_response(xml.as_bytes(), &Limits::default()).unwrap();
            assert_eq!(got.body, ResponseBody::Fault(fault));
            assert_eq!(got.headers.action, WSA_FAULT_ACTION);
        }
        let bare = write_fault(None, &Fault::new(FaultCode::Dk0001));
        assert!(bare.contains("<faultcode>soapenv:VersionMismatch.DK0001</faultcode>"));
        // Without headers it is not a valid response for a client, but it is valid XML.
        assert_eq!(
            parse_response(bare.as_bytes(), &Limits::default()).err(),
            Some(EnvelopeError::MissingHeader(WsaField::Action))
        );
    }

    #[test]
    fn no_envelope_is_a_version_mismatch() {
        let e = refuse_with(
            "<MeldenRelatiefVerzuimRequest xmlns=\"urn:verzuim:loket:m2m:v1\"/>",
            FaultCode::Dk0001,
        );
        assert_eq!(e.fault().code.class(), FaultClass::VersionMismatch);
        refuse_with("   ", FaultCode::Dk0001);
    }

    #[test]
    fn soap12_or_unknown_envelope_namespace_is_a_version_mismatch() {
        let (xml, _) = melden();
        let e = refuse_with(
            &xml.replace(crate::SOAP11_ENVELOPE_NS, crate::SOAP12_ENVELOPE_NS),
            FaultCode::Dk0001,
        );
        assert_eq!(e.fault().code.faultcode(), "VersionMismatch.DK0001");
        refuse_with(
            &xml.replace(crate::SOAP11_ENVELOPE_NS, "urn:other"),
            FaultCode::Dk0001,
        );
        let unbound = "<Envelope><Body/></Envelope>";
        refuse_with(unbound, FaultCode::Dk0001);
    }

    fn without(xml: &str, element: &str) -> String {
        let start = xml.find(&format!("<{element}>")).unwrap();
        let end_tag = format!("</{element}>");
        let end = xml.find(&end_tag).unwrap() + end_tag.len();
        format!("{}{}", &xml[..start], &xml[end..])
    }

    #[test]
    fn missing_wsa_headers_get_their_own_codes() {
        let (xml, _) = melden();
        refuse_with(&without(&xml, "wsa:To"), FaultCode::Dk0005);
        refuse_with(&without(&xml, "wsa:Action"), FaultCode::Dk0006);
        refuse_with(&without(&xml, "wsa:MessageID"), FaultCode::Dk0007);
        refuse_with(&without(&xml, "wsa:From"), FaultCode::Ek0020);
        refuse_with(&without(&xml, "soapenv:Header"), FaultCode::Dk0005);
        let empty_action = xml.replace(
            "<wsa:Action>urn:verzuim:loket:m2m:v1:MeldenRelatiefVerzuim</wsa:Action>",
            "<wsa:Action/>",
        );
        refuse_with(&empty_action, FaultCode::Dk0006);
    }

    #[test]
    fn soap_action_must_equal_wsa_action() {
        let (xml, action) = melden();
        for bad in [
            None,
            Some(""),
            Some("\"\""),
            Some("urn:verzuim:loket:m2m:v1:AanvraagMeldingRelatiefVerzuim"),
        ] {
            let e = refuse(&xml, bad);
            assert_eq!(e.fault().code, FaultCode::Dk0003, "{bad:?}: {e}");
        }
        assert!(parse_request(xml.as_bytes(), Some(action), &policy()).is_ok());
        assert!(parse_request(xml.as_bytes(), Some(&format!("\"{action}\"")), &policy()).is_ok());
    }

    #[test]
    fn message_id_must_be_a_urn_uuid() {
        let (xml, _) = melden();
        for bad in [
            "urn:uuid:nope",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
            "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950",
        ] {
            let x = xml.replace(&format!("urn:uuid:{REQ_ID}"), bad);
            refuse_with(&x, FaultCode::Ek0023);
        }
    }

    #[test]
    fn addresses_must_carry_valid_oins_for_this_loket() {
        let (xml, _) = melden();
        refuse_with(
            &xml.replace("?oin=0000000700025BE00000", ""),
            FaultCode::Ek0021,
        );
        refuse_with(
            &xml.replace("?oin=0000000700025BE00000", "?oin=12"),
            FaultCode::Ek0021,
        );
        refuse_with(
            &xml.replace("?oin=00000001800866472000", "?oin=0;DROP"),
            FaultCode::Ek0022,
        );
        refuse_with(
            &xml.replace("?oin=00000001800866472000", ""),
            FaultCode::Ek0022,
        );
        let e = refuse_with(
            &xml.replace("?oin=00000001800866472000", "?oin=00000001999999999000"),
            FaultCode::Dk0011,
        );
        assert!(matches!(e, EnvelopeError::WrongRecipient { .. }));
    }

    #[test]
    fn unknown_action_duplicate_or_foreign_headers_are_refused() {
        let (xml, _) = melden();
        let unknown = "urn:verzuim:loket:m2m:v1:VerwijderAlles";
        let x = xml.replace(Operation::MeldenRelatiefVerzuim.action(), unknown);
        assert_eq!(refuse(&x, Some(unknown)).fault().code, FaultCode::Dk0011);
        let dup = xml.replace("<wsa:Action>", "<wsa:To>x</wsa:To><wsa:Action>");
        refuse_with(&dup, FaultCode::Dk0011);
        let foreign = xml.replace(
            "<soapenv:Header>",
            "<soapenv:Header><x:Trace xmlns:x=\"urn:x\">1</x:Trace>",
        );
        refuse_with(&foreign, FaultCode::Dk0010);
        let relates = xml.replace(
            "<wsa:Action>",
            &format!("<wsa:RelatesTo>urn:uuid:{RESP_ID}</wsa:RelatesTo><wsa:Action>"),
        );
        refuse_with(&relates, FaultCode::Dk0011);
        let security = xml.replace(
            "<soapenv:Header>",
            &format!("<soapenv:Header><wsse:Security xmlns:wsse=\"{WSSE_NS}\"><wsu:Timestamp xmlns:wsu=\"{WSU_NS}\"><wsu:Created>2026-10-21T10:00:00Z</wsu:Created></wsu:Timestamp></wsse:Security>"),
        );
        assert!(
            parse_request(
                security.as_bytes(),
                Some(Operation::MeldenRelatiefVerzuim.action()),
                &policy()
            )
            .is_ok()
        );
    }

    #[test]
    fn doctype_and_xxe_are_refused_before_parsing() {
        let (xml, _) = melden();
        let xxe = xml
            .replacen(
                "<soapenv:Envelope",
                "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><soapenv:Envelope",
                1,
            )
            .replace("Berg &amp; Zn", "&xxe;");
        let e = refuse_with(&xxe, FaultCode::Dk0004);
        assert_eq!(e, EnvelopeError::DtdForbidden);
        let lower = xml.replacen(
            "<soapenv:Envelope",
            "<!doctype soapenv:Envelope SYSTEM \"http://evil.example/x.dtd\"><soapenv:Envelope",
            1,
        );
        assert_eq!(refuse(&lower, None), EnvelopeError::DtdForbidden);
        // An undeclared entity without a DTD is simply malformed.
        let undeclared = xml.replace("<wsa:To>", "<wsa:To>&xxe;");
        assert!(matches!(
            refuse_with(&undeclared, FaultCode::Dk0004),
            EnvelopeError::Malformed(_)
        ));
        let in_body = xml.replace("Berg &amp; Zn", "&xxe;");
        refuse_with(&in_body, FaultCode::Dk0004);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut dtd = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_owned()
            } else {
                format!("lol{}", i - 1)
            };
            dtd.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&{prev};").repeat(10)
            ));
        }
        dtd.push_str("]>");
        let (xml, _) = melden();
        let bomb = xml
            .replacen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", &dtd, 1)
            .replace("Berg &amp; Zn", "&lol9;");
        assert_eq!(
            refuse_with(&bomb, FaultCode::Dk0004),
            EnvelopeError::DtdForbidden
        );
    }

    #[test]
    fn oversize_is_refused_before_anything_else() {
        let (xml, action) = melden();
        let small = RequestPolicy {
            limits: Limits {
                max_bytes: xml.len() - 1,
                max_depth: 32,
            },
            own_oin: None,
        };
        let e = parse_request(xml.as_bytes(), Some(action), &small)
            .err()
            .unwrap();
        assert_eq!(
            e,
            EnvelopeError::TooLarge {
                size: xml.len(),
                max: xml.len() - 1
            }
        );
        assert_eq!(e.fault().code, FaultCode::Dk0004);
        let exact = RequestPolicy {
            limits: Limits {
                max_bytes: xml.len(),
                max_depth: 32,
            },
            own_oin: None,
        };
        assert!(parse_request(xml.as_bytes(), Some(action), &exact).is_ok());
        // Even invalid bytes: size first.
        let junk = vec![0xFFu8; 100];
        let tiny = Limits {
            max_bytes: 10,
            max_depth: 32,
        };
        assert!(matches!(
            parse_response(&junk, &tiny),
            Err(EnvelopeError::TooLarge { .. })
        ));
    }

    #[test]
    fn too_deep_is_refused() {
        let (xml, action) = melden();
        let shallow = RequestPolicy {
            limits: Limits {
                max_bytes: 1 << 20,
                max_depth: 5,
            },
            own_oin: None,
        };
        let e = parse_request(xml.as_bytes(), Some(action), &shallow)
            .err()
            .unwrap();
        assert_eq!(e, EnvelopeError::TooDeep { max: 5 });
        let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        let bomb = xml.replace("<Voornamen>", &format!("<Voornamen>{deep}"));
        assert_eq!(
            refuse(&bomb, Some(action)),
            EnvelopeError::TooDeep { max: 32 }
        );
    }

    #[test]
    fn malformed_xml_is_refused() {
        let (xml, _) = melden();
        for bad in [
            xml.replace("</wsa:To>", "</wsa:Too>"),
            xml[..xml.len() - 20].to_owned(),
            xml.replace("<Voornamen>", "<Voornamen a=>"),
            format!("{xml}<extra/>"),
            xml.replace("<wsa:To>", "<q:To>"),
        ] {
            let e = refuse_with(&bad, FaultCode::Dk0004);
            assert!(matches!(e, EnvelopeError::Malformed(_)), "{e}");
        }
    }

    #[test]
    fn non_utf8_is_refused() {
        let (xml, action) = melden();
        let mut latin1 = xml.replace("Jan Piet", "Jos\u{e9}").into_bytes();
        let pos = latin1.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
        latin1.splice(pos..pos + 2, [0xE9]);
        let e = parse_request(&latin1, Some(action), &policy())
            .err()
            .unwrap();
        assert_eq!(e.fault().code, FaultCode::Dk0009);
        let declared = xml.replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
        assert_eq!(
            refuse_with(&declared, FaultCode::Dk0009)
                .fault()
                .code
                .class(),
            FaultClass::Client
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(xml.as_bytes());
        assert!(parse_request(&bom, Some(action), &policy()).is_ok());
        assert_eq!(
            parse_request(
                &xml.encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<_>>(),
                Some(action),
                &policy()
            )
            .err()
            .map(|e| e.fault().code),
            Some(FaultCode::Dk0009)
        );
    }

    #[test]
    fn body_must_match_the_schema_and_the_action() {
        let (xml, action) = melden();
        let e = refuse_with(
            &xml.replace("<Geboortedatum>2012-03-04", "<Geboortedatum>4 maart 2012"),
            FaultCode::Dk0004,
        );
        let detail = e.fault().detail.unwrap();
        assert!(detail.contains("MeldenRelatiefVerzuimRequest"), "{detail}");
        refuse_with(
            &xml.replace(
                "<Verzuimsoort>V3</Verzuimsoort>",
                "<Verzuimsoort>V9</Verzuimsoort>",
            ),
            FaultCode::Dk0004,
        );
        refuse_with(&without(&xml, "Voornamen"), FaultCode::Dk0004);
        let unknown = xml.replace("<Voornamen>", "<Roepnaam>Jan</Roepnaam><Voornamen>");
        let e = refuse_with(&unknown, FaultCode::Dk0004);
        assert!(
            e.to_string()
                .contains("'Roepnaam' wordt hier niet verwacht"),
            "{e}"
        );
        let swapped = xml.replace(
            "<Voornamen>Jan Piet</Voornamen><Voorvoegsel>van der</Voorvoegsel>",
            "<Voorvoegsel>van der</Voorvoegsel><Voornamen>Jan Piet</Voornamen>",
        );
        refuse_with(&swapped, FaultCode::Dk0004);
        let trailing = xml.replace(
            "</MeldenRelatiefVerzuimRequest>",
            "<Extra/></MeldenRelatiefVerzuimRequest>",
        );
        refuse_with(&trailing, FaultCode::Dk0004);
        refuse_with(
            &xml.replace(
                "<identificatiecodeBedrijfsdocument>6f1c0a52",
                "<identificatiecodeBedrijfsdocument>zz1c0a52",
            ),
            FaultCode::Dk0004,
        );
        refuse_with(
            &xml.replace(NAMESPACE, "urn:verzuim:loket:m2m:v2"),
            FaultCode::Dk0004,
        );
        let two = xml.replace("</soapenv:Body>", "<AanvraagMeldingRelatiefVerzuimRequest xmlns=\"urn:verzuim:loket:m2m:v1\"/></soapenv:Body>");
        refuse_with(&two, FaultCode::Dk0004);
        let empty_body = format!(
            "{}<soapenv:Body/></soapenv:Envelope>",
            &xml[..xml.find("<soapenv:Body>").unwrap()]
        );
        refuse_with(&empty_body, FaultCode::Dk0004);
        let no_body = format!(
            "{}</soapenv:Envelope>",
            &xml[..xml.find("<soapenv:Body>").unwrap()]
        );
        assert_eq!(refuse(&no_body, Some(action)), EnvelopeError::MissingBody);
        // The body of another operation than wsa:Action names.
        let other = Operation::AanvraagMeldingRelatiefVerzuim.action();
        let x = xml.replace(Operation::MeldenRelatiefVerzuim.action(), other);
        assert_eq!(refuse(&x, Some(other)).fault().code, FaultCode::Dk0004);
        // A fault is no request.
        let fault = write_fault(
            Some(&headers(Operation::MeldenRelatiefVerzuim)),
            &Fault::new(FaultCode::Dk0050),
        );
        refuse_with(&fault, FaultCode::Dk0004);
    }

    #[test]
    fn headers_of_a_refused_request_can_be_recovered_for_the_fault() {
        let (xml, _) = melden();
        let h = recover_headers(xml.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(h, headers(Operation::MeldenRelatiefVerzuim));
        // Refused for its SOAPAction, but the fault can still relate to it.
        assert_eq!(refuse(&xml, None).fault().code, FaultCode::Dk0003);
        let answer = WsaHeaders::response_to(
            &h,
            &loket(),
            WSA_FAULT_ACTION,
            MessageId::from_uuid(RESP_ID).unwrap(),
        );
        let fault = write_fault(Some(&answer), &refuse(&xml, None).fault());
        assert!(fault.contains(&format!("<wsa:RelatesTo>urn:uuid:{REQ_ID}</wsa:RelatesTo>")));
        assert_eq!(recover_headers(b"<x", &Limits::default()), None);
        let bad_id = xml.replace(&format!("urn:uuid:{REQ_ID}"), "id-1");
        assert_eq!(recover_headers(bad_id.as_bytes(), &Limits::default()), None);
    }

    #[test]
    fn every_fault_has_dutch_text_and_a_class() {
        for c in FaultCode::ALL {
            assert!(!c.text().is_empty());
            let f = Fault::new(*c);
            let xml = write_fault(None, &f);
            assert!(xml.contains("xml:lang=\"nl\""));
        }
        assert_eq!(
            EnvelopeError::MissingHeader(WsaField::RelatesTo)
                .fault()
                .code,
            FaultCode::Dk0008
        );
    }

    #[test]
    fn response_needs_relates_to_and_message_id() {
        let request = headers(Operation::MeldenRelatiefVerzuim);
        let m = samples::responses().remove(0);
        let h = WsaHeaders::response_to(
            &request,
            &loket(),
            Operation::MeldenRelatiefVerzuim.response_action(),
            MessageId::from_uuid(RESP_ID).unwrap(),
        );
        let xml = write_response(&h, &m).unwrap();
        let e = parse_response(
            without(&xml, "wsa:RelatesTo").as_bytes(),
            &Limits::default(),
        )
        .err()
        .unwrap();
        assert_eq!(e.fault().code, FaultCode::Dk0008);
        let e = parse_response(
            without(&xml, "wsa:MessageID").as_bytes(),
            &Limits::default(),
        )
        .err()
        .unwrap();
        assert_eq!(e.fault().code, FaultCode::Dk0007);
    }
}
