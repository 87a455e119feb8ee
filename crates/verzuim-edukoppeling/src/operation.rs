//! The loket's operations in DUO's vocabulary (research/duo-and-law.md §1.3), with their
//! `wsa:Action` values (namespace + `:` + operation, the WS-Addressing default for a `urn:`
//! namespace) and body element names. `wsdl/verzuimloket.wsdl` states the same; a test keeps
//! them from drifting apart.

/// One operation of the Verzuimloket service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Submit a melding; answered with its `NummerMeldingRelatiefVerzuim`.
    MeldenRelatiefVerzuim,
    /// Change a melding: end date, day specification, attachments; answered with a
    /// `Bevestiging`.
    MutatieMeldingRelatiefVerzuim,
    /// Withdraw a melding, with a note; answered with a `Bevestiging`.
    IntrekkenMeldingRelatiefVerzuim,
    /// Fetch one melding by number, with status and terugmelding.
    AanvraagMeldingRelatiefVerzuim,
    /// List the meldingen changed since a moment or cursor (how terugmeldingen reach the
    /// school).
    AanvraagGewijzigdeMeldingRelatiefVerzuim,
}

impl Operation {
    /// Every operation, in WSDL order.
    pub const ALL: &'static [Self] = &[
        Self::MeldenRelatiefVerzuim,
        Self::MutatieMeldingRelatiefVerzuim,
        Self::IntrekkenMeldingRelatiefVerzuim,
        Self::AanvraagMeldingRelatiefVerzuim,
        Self::AanvraagGewijzigdeMeldingRelatiefVerzuim,
    ];

    /// The WSDL operation name.
    pub fn name(self) -> &'static str {
        match self {
            Self::MeldenRelatiefVerzuim => "MeldenRelatiefVerzuim",
            Self::MutatieMeldingRelatiefVerzuim => "MutatieMeldingRelatiefVerzuim",
            Self::IntrekkenMeldingRelatiefVerzuim => "IntrekkenMeldingRelatiefVerzuim",
            Self::AanvraagMeldingRelatiefVerzuim => "AanvraagMeldingRelatiefVerzuim",
            Self::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                "AanvraagGewijzigdeMeldingRelatiefVerzuim"
            }
        }
    }

    /// The request's `wsa:Action` and HTTP `SOAPAction`.
    pub fn action(self) -> &'static str {
        match self {
            Self::MeldenRelatiefVerzuim => "urn:verzuim:loket:m2m:v1:MeldenRelatiefVerzuim",
            Self::MutatieMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:MutatieMeldingRelatiefVerzuim"
            }
            Self::IntrekkenMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:IntrekkenMeldingRelatiefVerzuim"
            }
            Self::AanvraagMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:AanvraagMeldingRelatiefVerzuim"
            }
            Self::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:AanvraagGewijzigdeMeldingRelatiefVerzuim"
            }
        }
    }

    /// The response's `wsa:Action` (also used with a `Foutmelding` body).
    pub fn response_action(self) -> &'static str {
        match self {
            Self::MeldenRelatiefVerzuim => "urn:verzuim:loket:m2m:v1:MeldenRelatiefVerzuimResponse",
            Self::MutatieMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:MutatieMeldingRelatiefVerzuimResponse"
            }
            Self::IntrekkenMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:IntrekkenMeldingRelatiefVerzuimResponse"
            }
            Self::AanvraagMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:AanvraagMeldingRelatiefVerzuimResponse"
            }
            Self::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                "urn:verzuim:loket:m2m:v1:AanvraagGewijzigdeMeldingRelatiefVerzuimResponse"
            }
        }
    }

    /// The request body's element name.
    pub fn request_element(self) -> &'static str {
        match self {
            Self::MeldenRelatiefVerzuim => "MeldenRelatiefVerzuimRequest",
            Self::MutatieMeldingRelatiefVerzuim => "MutatieMeldingRelatiefVerzuimRequest",
            Self::IntrekkenMeldingRelatiefVerzuim => "IntrekkenMeldingRelatiefVerzuimRequest",
            Self::AanvraagMeldingRelatiefVerzuim => "AanvraagMeldingRelatiefVerzuimRequest",
            Self::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                "AanvraagGewijzigdeMeldingRelatiefVerzuimRequest"
            }
        }
    }

    /// The response body's element name (a `Foutmelding` may come instead).
    pub fn response_element(self) -> &'static str {
        match self {
            Self::MeldenRelatiefVerzuim => "MeldenRelatiefVerzuimResponse",
            Self::MutatieMeldingRelatiefVerzuim => "MutatieMeldingRelatiefVerzuimResponse",
            Self::IntrekkenMeldingRelatiefVerzuim => "IntrekkenMeldingRelatiefVerzuimResponse",
            Self::AanvraagMeldingRelatiefVerzuim => "AanvraagMeldingRelatiefVerzuimResponse",
            Self::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                "AanvraagGewijzigdeMeldingRelatiefVerzuimResponse"
            }
        }
    }

    /// The operation whose request action is `action`.
    pub fn from_action(action: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|o| o.action() == action)
    }

    /// The operation whose response action is `action`.
    pub fn from_response_action(action: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.response_action() == action)
    }
}

/// The `wsa:Action` pattern, checked by a test: namespace, `:`, name.
#[cfg(test)]
fn default_action(name: &str) -> String {
    format!("{}:{name}", crate::NAMESPACE)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::reader::NsReader;

    use super::*;
    use crate::NAMESPACE;

    const WSDL: &str = include_str!("../wsdl/verzuimloket.wsdl");
    const XSD: &str = include_str!("../wsdl/verzuimloket.xsd");
    const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
    const WSDL_SOAP_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
    const WSAM_NS: &str = "http://www.w3.org/2007/05/addressing/metadata";
    const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

    #[test]
    fn actions_follow_namespace_colon_name() {
        for op in Operation::ALL {
            assert_eq!(op.action(), default_action(op.name()));
            assert_eq!(
                op.response_action(),
                default_action(&format!("{}Response", op.name()))
            );
            assert_eq!(op.request_element(), format!("{}Request", op.name()));
            assert_eq!(op.response_element(), format!("{}Response", op.name()));
            assert_eq!(Operation::from_action(op.action()), Some(*op));
            assert_eq!(
                Operation::from_response_action(op.response_action()),
                Some(*op)
            );
        }
    }

    /// Per portType operation: (input wsam:Action, output wsam:Action); per binding
    /// operation: soapAction.
    fn wsdl_actions() -> (BTreeMap<String, (String, String)>, BTreeMap<String, String>) {
        let mut reader = NsReader::from_str(WSDL);
        let mut port: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut binding: BTreeMap<String, String> = BTreeMap::new();
        let mut section = String::new();
        let mut current = String::new();
        loop {
            let (ns, ev) = reader.read_resolved_event().unwrap();
            let ns = match ns {
                ResolveResult::Bound(n) => n.into_inner().to_owned(),
                _ => String::new(),
            };
            let e = match ev {
                Event::Start(e) | Event::Empty(e) => e,
                Event::Eof => break,
                _ => continue,
            };
            let local = e.local_name().into_inner().to_owned();
            let attr = |wanted_ns: Option<&str>, name: &str| -> Option<String> {
                e.attributes().flatten().find_map(|a| {
                    let (ans, alocal) = reader.resolver().resolve_attribute(a.key);
                    let ans_ok = match (wanted_ns, ans) {
                        (None, ResolveResult::Unbound) => true,
                        (Some(w), ResolveResult::Bound(n)) => n.into_inner() == w,
                        _ => false,
                    };
                    (ans_ok && alocal.into_inner() == name).then(|| a.value.to_string())
                })
            };
            match (ns.as_str(), local.as_str()) {
                (WSDL_NS, "portType" | "binding") => section = local.clone(),
                (WSDL_NS, "operation") => {
                    current = attr(None, "name").unwrap();
                }
                (WSDL_NS, "input") if section == "portType" => {
                    port.entry(current.clone()).or_default().0 =
                        attr(Some(WSAM_NS), "Action").unwrap();
                }
                (WSDL_NS, "output") if section == "portType" => {
                    port.entry(current.clone()).or_default().1 =
                        attr(Some(WSAM_NS), "Action").unwrap();
                }
                (WSDL_SOAP_NS, "operation") if section == "binding" => {
                    binding.insert(current.clone(), attr(None, "soapAction").unwrap());
                }
                _ => {}
            }
        }
        (port, binding)
    }

    #[test]
    fn wsdl_operations_and_actions_match_the_rust_constants() {
        let (port, binding) = wsdl_actions();
        let expected: BTreeMap<String, (String, String)> = Operation::ALL
            .iter()
            .map(|o| {
                (
                    o.name().to_owned(),
                    (o.action().to_owned(), o.response_action().to_owned()),
                )
            })
            .collect();
        assert_eq!(port, expected);
        let expected_binding: BTreeMap<String, String> = Operation::ALL
            .iter()
            .map(|o| (o.name().to_owned(), o.action().to_owned()))
            .collect();
        assert_eq!(binding, expected_binding);
        assert!(WSDL.contains(&format!("targetNamespace=\"{NAMESPACE}\"")));
    }

    /// Every element name declared anywhere in the XSD.
    pub(crate) fn xsd_element_names() -> BTreeSet<String> {
        let mut reader = NsReader::from_str(XSD);
        let mut names = BTreeSet::new();
        loop {
            let (ns, ev) = reader.read_resolved_event().unwrap();
            let is_xsd = matches!(ns, ResolveResult::Bound(n) if n.into_inner() == XSD_NS);
            match ev {
                Event::Start(e) | Event::Empty(e)
                    if is_xsd && e.local_name().into_inner() == "element" =>
                {
                    if let Some(a) = e.try_get_attribute("name").unwrap() {
                        names.insert(a.value.to_string());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        names
    }

    #[test]
    fn xsd_declares_every_body_element() {
        let names = xsd_element_names();
        for op in Operation::ALL {
            assert!(
                names.contains(op.request_element()),
                "{}",
                op.request_element()
            );
            assert!(
                names.contains(op.response_element()),
                "{}",
                op.response_element()
            );
        }
        assert!(names.contains("Foutmelding"));
        assert!(XSD.contains(&format!("targetNamespace=\"{NAMESPACE}\"")));
    }
}
