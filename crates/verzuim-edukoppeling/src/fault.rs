//! SOAP 1.1 faults with the Digikoppeling (DK) and Edukoppeling (EK) codes DUO uses
//! (research/duo-and-law.md §2.1, "most specific wins"). The code travels in `faultcode` as
//! `soapenv:<Class>.<Code>` (e.g. `soapenv:Client.DK0002`); `faultstring` is Dutch for the
//! person who reads the client's log; `detail` carries the specifics (DK0004: what in the
//! message is wrong). A fault is always answered with HTTP 500 (SOAP 1.1 over HTTP).

use std::fmt;

use quick_xml::escape::escape;

use crate::NAMESPACE;

/// The SOAP 1.1 fault class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultClass {
    /// The envelope is not SOAP 1.1.
    VersionMismatch,
    /// The sender's message is wrong; do not resend it unchanged.
    Client,
    /// The receiver failed; the same message may be resent.
    Server,
}

impl FaultClass {
    /// The class as written in `faultcode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VersionMismatch => "VersionMismatch",
            Self::Client => "Client",
            Self::Server => "Server",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "VersionMismatch" => Some(Self::VersionMismatch),
            "Client" => Some(Self::Client),
            "Server" => Some(Self::Server),
            _ => None,
        }
    }
}

/// A fault code of the Digikoppeling/Edukoppeling list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// DK0001: the envelope is not SOAP 1.1 (or there is no envelope).
    Dk0001,
    /// DK0002: not authorised (certificate unknown, or not registered for this BRIN).
    Dk0002,
    /// DK0003: the HTTP `SOAPAction` is missing or differs from `wsa:Action`.
    Dk0003,
    /// DK0004: the message does not conform to the XSD (`detail` says what).
    Dk0004,
    /// DK0005: `wsa:To` is missing.
    Dk0005,
    /// DK0006: `wsa:Action` is missing.
    Dk0006,
    /// DK0007: `wsa:MessageID` is missing.
    Dk0007,
    /// DK0008: `wsa:RelatesTo` is missing (responses).
    Dk0008,
    /// DK0009: the message is not UTF-8.
    Dk0009,
    /// DK0010: a header block the profile does not allow.
    Dk0010,
    /// DK0011: a WS-Addressing header has a wrong value.
    Dk0011,
    /// EK0020: `wsa:From` is missing.
    Ek0020,
    /// EK0021: `wsa:From` has no valid OIN.
    Ek0021,
    /// EK0022: `wsa:To` has no valid OIN.
    Ek0022,
    /// EK0023: `wsa:MessageID` is not a UUID.
    Ek0023,
    /// EK0030: the OIN in the TLS certificate is missing or invalid.
    Ek0030,
    /// EK0031: the signature is missing or wrong.
    Ek0031,
    /// DK0050: a functional error while handling the message (Dutch text in `faultstring`).
    Dk0050,
    /// DK0051: the service is unavailable or timed out; resend later.
    Dk0051,
    /// A fault without a known code (read from a peer), with its class.
    Unspecified(FaultClass),
}

impl FaultCode {
    /// Every coded value.
    pub const ALL: &'static [Self] = &[
        Self::Dk0001,
        Self::Dk0002,
        Self::Dk0003,
        Self::Dk0004,
        Self::Dk0005,
        Self::Dk0006,
        Self::Dk0007,
        Self::Dk0008,
        Self::Dk0009,
        Self::Dk0010,
        Self::Dk0011,
        Self::Ek0020,
        Self::Ek0021,
        Self::Ek0022,
        Self::Ek0023,
        Self::Ek0030,
        Self::Ek0031,
        Self::Dk0050,
        Self::Dk0051,
    ];

    /// The code (`DK0002`), or `None` for [`FaultCode::Unspecified`].
    pub fn code(self) -> Option<&'static str> {
        Some(match self {
            Self::Dk0001 => "DK0001",
            Self::Dk0002 => "DK0002",
            Self::Dk0003 => "DK0003",
            Self::Dk0004 => "DK0004",
            Self::Dk0005 => "DK0005",
            Self::Dk0006 => "DK0006",
            Self::Dk0007 => "DK0007",
            Self::Dk0008 => "DK0008",
            Self::Dk0009 => "DK0009",
            Self::Dk0010 => "DK0010",
            Self::Dk0011 => "DK0011",
            Self::Ek0020 => "EK0020",
            Self::Ek0021 => "EK0021",
            Self::Ek0022 => "EK0022",
            Self::Ek0023 => "EK0023",
            Self::Ek0030 => "EK0030",
            Self::Ek0031 => "EK0031",
            Self::Dk0050 => "DK0050",
            Self::Dk0051 => "DK0051",
            Self::Unspecified(_) => return None,
        })
    }

    /// The SOAP 1.1 class the code is sent with.
    pub fn class(self) -> FaultClass {
        match self {
            Self::Dk0001 => FaultClass::VersionMismatch,
            Self::Dk0050 | Self::Dk0051 => FaultClass::Server,
            Self::Unspecified(c) => c,
            _ => FaultClass::Client,
        }
    }

    /// The standard Dutch `faultstring`.
    pub fn text(self) -> &'static str {
        match self {
            Self::Dk0001 => {
                "Ongeldige SOAP-envelope: verwacht een SOAP 1.1-envelope (http://schemas.xmlsoap.org/soap/envelope/)"
            }
            Self::Dk0002 => {
                "Niet geautoriseerd: het certificaat is niet geregistreerd voor deze school"
            }
            Self::Dk0003 => "De HTTP-header SOAPAction ontbreekt of is niet gelijk aan wsa:Action",
            Self::Dk0004 => "Het bericht is niet conform het XSD",
            Self::Dk0005 => "De header wsa:To ontbreekt",
            Self::Dk0006 => "De header wsa:Action ontbreekt",
            Self::Dk0007 => "De header wsa:MessageID ontbreekt",
            Self::Dk0008 => "De header wsa:RelatesTo ontbreekt",
            Self::Dk0009 => "Het bericht is niet in UTF-8 gecodeerd",
            Self::Dk0010 => "Het bericht bevat een header die niet is toegestaan",
            Self::Dk0011 => "Een WS-Addressing-header heeft een onjuiste waarde",
            Self::Ek0020 => "De header wsa:From ontbreekt",
            Self::Ek0021 => "wsa:From bevat geen geldig OIN",
            Self::Ek0022 => "wsa:To bevat geen geldig OIN",
            Self::Ek0023 => "wsa:MessageID is geen UUID (verwacht urn:uuid:…)",
            Self::Ek0030 => "Het OIN in het TLS-certificaat ontbreekt of is ongeldig",
            Self::Ek0031 => "De ondertekening ontbreekt of is onjuist",
            Self::Dk0050 => "Fout bij het afhandelen van het bericht",
            Self::Dk0051 => "De dienst is niet beschikbaar; probeer het later opnieuw",
            Self::Unspecified(_) => "Onbekende fout",
        }
    }

    /// The `faultcode` value without prefix: `Client.DK0002`, or only the class.
    pub fn faultcode(self) -> String {
        match self.code() {
            Some(code) => format!("{}.{code}", self.class().as_str()),
            None => self.class().as_str().to_owned(),
        }
    }

    /// Reads a `faultcode` (`soapenv:Client.DK0002`, `Client.DK0002` or `Client`). A known
    /// code wins over the class it was sent with (DK0001/3/9 may come as plain `Client`).
    pub fn parse(faultcode: &str) -> Option<Self> {
        let t = faultcode.trim();
        let t = t.rsplit_once(':').map_or(t, |(_, local)| local);
        let (class, code) = match t.split_once('.') {
            Some((class, code)) => (class, Some(code)),
            None => (t, None),
        };
        if let Some(known) =
            code.and_then(|c| Self::ALL.iter().copied().find(|k| k.code() == Some(c)))
        {
            return Some(known);
        }
        FaultClass::parse(class).map(Self::Unspecified)
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.faultcode())
    }
}

/// A SOAP fault: code, Dutch text and optional detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {string}")]
pub struct Fault {
    /// The DK/EK code.
    pub code: FaultCode,
    /// `faultstring`, Dutch.
    pub string: String,
    /// `detail`: what exactly is wrong, when that helps (always with DK0004).
    pub detail: Option<String>,
}

impl Fault {
    /// A fault with the code's standard text.
    pub fn new(code: FaultCode) -> Self {
        Self {
            code,
            string: code.text().to_owned(),
            detail: None,
        }
    }

    /// The same fault with `detail`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A `Server.DK0050` with a functional Dutch text in `faultstring`.
    pub fn functional(text: impl Into<String>) -> Self {
        Self {
            code: FaultCode::Dk0050,
            string: text.into(),
            detail: None,
        }
    }

    /// The `soapenv:Fault` element, with `soapenv` bound to SOAP 1.1 by the envelope.
    pub fn to_xml(&self) -> String {
        let mut out = format!(
            "<soapenv:Fault><faultcode>soapenv:{}</faultcode><faultstring xml:lang=\"nl\">{}</faultstring>",
            self.code.faultcode(),
            escape(self.string.as_str())
        );
        if let Some(d) = &self.detail {
            out.push_str(&format!(
                "<detail><v:Foutdetail xmlns:v=\"{NAMESPACE}\">{}</v:Foutdetail></detail>",
                escape(d.as_str())
            ));
        }
        out.push_str("</soapenv:Fault>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faultcodes_carry_class_and_code() {
        assert_eq!(FaultCode::Dk0001.faultcode(), "VersionMismatch.DK0001");
        assert_eq!(FaultCode::Dk0002.faultcode(), "Client.DK0002");
        assert_eq!(FaultCode::Ek0023.faultcode(), "Client.EK0023");
        assert_eq!(FaultCode::Dk0050.faultcode(), "Server.DK0050");
        assert_eq!(FaultCode::Dk0051.faultcode(), "Server.DK0051");
        for c in FaultCode::ALL {
            assert_eq!(
                FaultCode::parse(&format!("soapenv:{}", c.faultcode())),
                Some(*c)
            );
        }
        assert_eq!(
            FaultCode::parse("soap:Client.DK0003"),
            Some(FaultCode::Dk0003)
        );
        assert_eq!(
            FaultCode::parse("soap:Client"),
            Some(FaultCode::Unspecified(FaultClass::Client))
        );
        assert_eq!(FaultCode::parse("Nonsense"), None);
    }

    #[test]
    fn fault_xml_escapes_text() {
        let f = Fault::functional("melding <VM1> & meer").with_detail("a<b");
        let x = f.to_xml();
        assert!(x.contains("<faultcode>soapenv:Server.DK0050</faultcode>"));
        assert!(x.contains("melding &lt;VM1&gt; &amp; meer"));
        assert!(x.contains("a&lt;b"));
    }
}
