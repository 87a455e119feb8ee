//! WS-Addressing as Edukoppeling uses it (research/duo-and-law.md §2.1, Digikoppeling WA001):
//! `wsa:MessageID` is `urn:uuid:<uuid>`, `wsa:To`/`wsa:From` are
//! `http://www.w3.org/2005/08/addressing/anonymous?oin=<OIN>`, and a response carries
//! `wsa:RelatesTo` = the request's MessageID and a MessageID of its own.

use std::fmt;

use serde::{Deserialize, Serialize};
use verzuim_domain::Brin;

use crate::WSA_ANONYMOUS;
use crate::operation::Operation;

/// A value in an addressing field that is not what the profile requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressingError {
    /// Not a UUID (8-4-4-4-12 hexadecimal digits).
    #[error("'{0}' is geen UUID")]
    NotUuid(String),
    /// A MessageID without the `urn:uuid:` prefix or with a bad UUID.
    #[error("'{0}' is geen urn:uuid:-MessageID")]
    NotUuidUrn(String),
    /// Not an OIN (20 digits or capital letters).
    #[error("'{0}' is geen geldig OIN (20 tekens, cijfers en hoofdletters)")]
    NotOin(String),
}

/// Whether `s` is a UUID in its 8-4-4-4-12 hexadecimal text form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The text form of a version-4 (random) UUID made from 16 random bytes; the caller brings
/// the randomness (this crate has none).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A `wsa:MessageID`: a UUID, written as `urn:uuid:<uuid>`, kept in lower case.
/// The caller generates the UUID; this crate has no randomness.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// From a bare UUID (`0f8fad5b-d9cb-469f-a165-70867728950e`).
    pub fn from_uuid(uuid: &str) -> Result<Self, AddressingError> {
        let t = uuid.trim();
        if is_uuid(t) {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(AddressingError::NotUuid(t.to_owned()))
        }
    }

    /// A version-4 UUID from 16 random bytes (see [`uuid_v4`]).
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(uuid_v4(bytes))
    }

    /// From the header value `urn:uuid:<uuid>` (the prefix is case-insensitive).
    pub fn parse(uri: &str) -> Result<Self, AddressingError> {
        let t = uri.trim();
        match t.get(..9) {
            Some(p) if p.eq_ignore_ascii_case("urn:uuid:") => {
                Self::from_uuid(&t[9..]).map_err(|_| AddressingError::NotUuidUrn(t.to_owned()))
            }
            _ => Err(AddressingError::NotUuidUrn(t.to_owned())),
        }
    }

    /// The bare UUID.
    pub fn uuid(&self) -> &str {
        &self.0
    }

    /// The header value, `urn:uuid:<uuid>`.
    pub fn to_uri(&self) -> String {
        format!("urn:uuid:{}", self.0)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "urn:uuid:{}", self.0)
    }
}

/// `identificatiecodeBedrijfsdocument`: the chain-wide track-and-trace UUID of one business
/// document, separate from `wsa:MessageID` (research §2.1). The loket uses it as the client's
/// idempotency key for a melding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentId(String);

impl DocumentId {
    /// From a UUID in text form; kept in lower case.
    pub fn parse(uuid: &str) -> Result<Self, AddressingError> {
        let t = uuid.trim();
        if is_uuid(t) {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(AddressingError::NotUuid(t.to_owned()))
        }
    }

    /// The UUID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocumentId {
    type Error = AddressingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DocumentId> for String {
    fn from(value: DocumentId) -> Self {
        value.0
    }
}

/// An Organisatie-identificatienummer: 20 digits or capital letters (PKIoverheid puts it in
/// the certificate's `Subject.serialNumber`, research §2.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oin(String);

impl Oin {
    /// Parses an OIN; lower-case letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, AddressingError> {
        let t = input.trim().to_ascii_uppercase();
        if t.len() == 20
            && t.bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        {
            Ok(Self(t))
        } else {
            Err(AddressingError::NotOin(input.trim().to_owned()))
        }
    }

    /// A school's OIN derived from its BRIN: `00000007000` + BRIN + `00000`
    /// (research §2.1, e.g. `0000000700025BE00000`).
    pub fn from_brin(brin: &Brin) -> Self {
        Self(format!("00000007000{}00000", brin.as_str()))
    }

    /// The BRIN inside an OIN derived from one, if it is such an OIN.
    pub fn brin(&self) -> Option<Brin> {
        let inner = self.0.strip_prefix("00000007000")?.strip_suffix("00000")?;
        Brin::parse(inner).ok()
    }

    /// The 20 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The anonymous address carrying this OIN, for `wsa:To` and `wsa:From/wsa:Address`.
    pub fn anonymous_address(&self) -> String {
        format!("{WSA_ANONYMOUS}?oin={}", self.0)
    }

    /// The OIN in an address's `?oin=` (or `?OIN=`) query parameter: `Ok(None)` when the
    /// address has none, an error when it has an invalid one.
    pub fn from_address(address: &str) -> Result<Option<Self>, AddressingError> {
        let Some((_, query)) = address.trim().split_once('?') else {
            return Ok(None);
        };
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && key.eq_ignore_ascii_case("oin")
            {
                return Self::parse(value).map(Some);
            }
        }
        Ok(None)
    }
}

impl fmt::Display for Oin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The WS-Addressing headers of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsaHeaders {
    /// `wsa:To`: the receiver's address (`…/anonymous?oin=<OIN>`).
    pub to: String,
    /// `wsa:Action`: namespace + operation; equal to the HTTP `SOAPAction`.
    pub action: String,
    /// `wsa:MessageID`.
    pub message_id: MessageId,
    /// `wsa:RelatesTo`: in a response, the request's MessageID.
    pub relates_to: Option<MessageId>,
    /// `wsa:From/wsa:Address`: the sender's address (`…/anonymous?oin=<OIN>`).
    pub from: Option<String>,
    /// `wsa:ReplyTo/wsa:Address`, when given (read, never required).
    pub reply_to: Option<String>,
}

impl WsaHeaders {
    /// The headers of a request from `sender` to `receiver` for `operation`.
    pub fn request(receiver: &Oin, sender: &Oin, operation: Operation, id: MessageId) -> Self {
        Self {
            to: receiver.anonymous_address(),
            action: operation.action().to_owned(),
            message_id: id,
            relates_to: None,
            from: Some(sender.anonymous_address()),
            reply_to: None,
        }
    }

    /// The headers of an answer to `request` with `action` (an operation's response action,
    /// or [`crate::WSA_FAULT_ACTION`]): To = the requester, RelatesTo = its MessageID,
    /// From = `own` (research §2.1, "Response").
    pub fn response_to(request: &WsaHeaders, own: &Oin, action: &str, id: MessageId) -> Self {
        Self {
            to: request
                .from
                .clone()
                .unwrap_or_else(|| WSA_ANONYMOUS.to_owned()),
            action: action.to_owned(),
            message_id: id,
            relates_to: Some(request.message_id.clone()),
            from: Some(own.anonymous_address()),
            reply_to: None,
        }
    }

    /// The sender's OIN from `wsa:From`, if present and valid.
    pub fn from_oin(&self) -> Option<Oin> {
        self.from
            .as_deref()
            .and_then(|a| Oin::from_address(a).ok().flatten())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_bytes_make_a_version_4_uuid() {
        let id = super::MessageId::from_random([0xff; 16]);
        assert_eq!(id.uuid(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(super::is_uuid(id.uuid()));
    }

    use super::*;

    #[test]
    fn message_id_needs_urn_uuid_and_is_lower_cased() {
        let id = MessageId::parse("URN:UUID:0F8FAD5B-D9CB-469F-A165-70867728950E").unwrap();
        assert_eq!(id.to_uri(), "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e");
        assert!(MessageId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").is_err());
        assert!(MessageId::parse("urn:uuid:12345").is_err());
        assert!(MessageId::parse("uuid:0f8fad5b-d9cb-469f-a165-70867728950e").is_err());
    }

    #[test]
    fn school_oin_is_derived_from_brin_and_read_from_address() {
        let brin = Brin::parse("25BE").unwrap();
        let oin = Oin::from_brin(&brin);
        assert_eq!(oin.as_str(), "0000000700025BE00000");
        assert_eq!(oin.brin(), Some(brin));
        let addr = oin.anonymous_address();
        assert_eq!(Oin::from_address(&addr).unwrap(), Some(oin));
        assert_eq!(
            Oin::from_address(
                "http://www.w3.org/2005/08/addressing/anonymous?OIN=00000001800866472000"
            )
            .unwrap()
            .map(|o| o.to_string()),
            Some("00000001800866472000".to_owned())
        );
        assert_eq!(Oin::from_address(WSA_ANONYMOUS).unwrap(), None);
        assert!(Oin::from_address("x?oin=123").is_err());
    }
}
