//! The machine coupling between a school and the Verzuimloket, as a pure protocol crate:
//! SOAP 1.1 envelopes with WS-Addressing 2005/08 headers following the Edukoppeling /
//! Digikoppeling WUS profile as DUO applies it (research/duo-and-law.md §2.1–2.2), the DK/EK
//! fault codes, XML safety limits, and the verzuim messages in DUO's own vocabulary (§1.3).
//!
//! No TLS, no sockets, no clock and no randomness: callers pass MessageIDs, dates and the
//! HTTP `SOAPAction` header in, and get typed messages or a [`Fault`] out.
//!
//! - [`addressing`]: `wsa:MessageID` (`urn:uuid:…`), OINs and the WSA header set.
//! - [`certificate`]: the client certificate files a school registers (PEM, DER, PKCS#7).
//! - [`envelope`]: safety checks (size, UTF-8, no DTD, depth), strict parsing of the
//!   envelope with quick-xml's `NsReader`, and writing requests, responses and faults.
//! - [`fault`]: the DK/EK fault codes and SOAP 1.1 `soap:Fault` XML.
//! - [`operation`]: the five operations, their `wsa:Action`s and element names (checked
//!   against `wsdl/verzuimloket.wsdl` by a test).
//! - [`messages`]: the request and response bodies and their mapping to `verzuim_loket`.
//!
//! The namespace [`NAMESPACE`] is ours: DUO's real verzuim contract namespace is not public
//! (research §0); element names follow DUO's VSV webservice where research knows them.

pub mod addressing;
pub mod certificate;
pub mod envelope;
pub mod fault;
pub mod messages;
pub mod operation;

pub use addressing::{AddressingError, DocumentId, MessageId, Oin, WsaHeaders};
pub use certificate::{CertificateError, CertificateInfo, dn_key, parse_certificate_file};
pub use envelope::{
    EnvelopeError, IncomingRequest, IncomingResponse, Limits, RequestPolicy, ResponseBody,
    WriteError, parse_request, parse_response, recover_headers, write_fault, write_request,
    write_response,
};
pub use fault::{Fault, FaultClass, FaultCode};
pub use messages::{RequestMessage, ResponseMessage};
pub use operation::Operation;

/// Target namespace of the loket's messages (ours; DUO's is not public).
pub const NAMESPACE: &str = "urn:verzuim:loket:m2m:v1";
/// SOAP 1.1 envelope namespace, the only one accepted (WS-I BP 1.2, Digikoppeling WW001).
pub const SOAP11_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace, refused with `VersionMismatch.DK0001`.
pub const SOAP12_ENVELOPE_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Addressing 2005/08 namespace.
pub const WSA_NS: &str = "http://www.w3.org/2005/08/addressing";
/// The anonymous WS-Addressing address; Edukoppeling appends `?oin=<OIN>`.
pub const WSA_ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";
/// `wsa:Action` of a SOAP fault response.
pub const WSA_FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/soap/fault";
/// WS-Security 1.0 `wsse` namespace: its header is accepted (signing is checked elsewhere).
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security utility `wsu` namespace (`wsu:Timestamp`).
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
