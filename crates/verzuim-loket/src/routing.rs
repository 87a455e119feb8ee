//! Routing: each melding goes to the gemeente where the student lives (DUO routes to the
//! woongemeente, research §1.1). The loket's resident register (BSN → gemeentecode, imported
//! from the BRP) wins over what the school sent, because schools' addresses go stale.

use verzuim_domain::Gemeentecode;

/// Where the routed gemeente came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingSource {
    /// The loket's resident register.
    Register,
    /// The school's melding (no register entry for the student).
    School,
}

impl RoutingSource {
    /// The code stored with the melding.
    pub fn code(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::School => "school",
        }
    }

    /// Dutch explanation.
    pub fn label(self) -> &'static str {
        match self {
            Self::Register => "woonplaatsregister van het loket",
            Self::School => "opgave van de school",
        }
    }
}

/// The gemeente a melding goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The receiving gemeente.
    pub gemeente: Gemeentecode,
    /// Where that came from.
    pub source: RoutingSource,
}

impl Routing {
    /// The register's gemeente when it has one, else the school's.
    pub fn decide(school_sent: &Gemeentecode, register: Option<&Gemeentecode>) -> Self {
        match register {
            Some(g) => Self {
                gemeente: g.clone(),
                source: RoutingSource::Register,
            },
            None => Self {
                gemeente: school_sent.clone(),
                source: RoutingSource::School,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_wins_over_school() {
        let school = Gemeentecode::parse("0935").ok();
        let register = Gemeentecode::parse("0917").ok();
        if let (Some(s), Some(r)) = (school, register) {
            assert_eq!(
                Routing::decide(&s, Some(&r)),
                Routing {
                    gemeente: r,
                    source: RoutingSource::Register
                }
            );
            assert_eq!(Routing::decide(&s, None).source, RoutingSource::School);
        } else {
            panic!("test codes parse");
        }
    }
}
