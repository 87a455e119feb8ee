//! The rules (id, article, text) the engine cites, and the exclusions it records (rule 8).

use std::borrow::Cow;

use crate::{DateRange, Exclusion, NotReported, Rule, StudentInput};

const fn rule(id: &'static str, article: &'static str, text: &'static str) -> Rule {
    Rule {
        id: Cow::Borrowed(id),
        article: Cow::Borrowed(article),
        text: Cow::Borrowed(text),
    }
}

/// 16 uur in 4 weken.
pub fn sixteen_hours() -> Rule {
    rule(
        "lpw-21a-16-uur",
        "Leerplichtwet 1969 art. 21a; Besluit register onderwijsdeelnemers art. 14",
        "Ongeoorloofd verzuim van in totaal zestien uren les- of praktijktijd in vier opeenvolgende lesweken moet worden gemeld.",
    )
}

/// Langdurig relatief verzuim.
pub fn lrv() -> Rule {
    rule(
        "lpw-21a-lrv",
        "Leerplichtwet 1969 art. 21a; DUO soorten verzuim (LRV)",
        "Een leer- of kwalificatieplichtige die langer dan vier lesweken ongeoorloofd alle lessen verzuimt, wordt gemeld als langdurig relatief verzuim.",
    )
}

/// RMC-verzuim.
pub fn rmc() -> Rule {
    rule(
        "web-8-1-8a-rmc",
        "WEB art. 8.1.8a; WEB art. 8.1.8 lid 1",
        "Een deelnemer jonger dan 23 zonder startkwalificatie die niet meer leer- of kwalificatieplichtig is en een aaneengesloten periode van ten minste vier weken zonder geldige reden geen onderwijs volgt, wordt gemeld.",
    )
}

/// Luxe verzuim.
pub fn luxe() -> Rule {
    rule(
        "lpw-13a-14-luxe",
        "Leerplichtwet 1969 art. 13a en 14; DUO soorten verzuim (luxe verzuim)",
        "Afwezigheid zonder toegekend verlof aansluitend op een schoolvakantie, tijdens afgewezen verlof of met een verlofcode zonder verlof is luxe verzuim.",
    )
}

/// Overig verzuim: te laat.
pub fn overig_late() -> Rule {
    rule(
        "overig-te-laat",
        "DUO soorten verzuim (overig verzuim, niet wettelijk verplicht); protocol Maastricht §7.4",
        "Zes keer of meer ongeoorloofd te laat in vier opeenvolgende lesweken: voorstel voor een melding overig verzuim.",
    )
}

/// Overig verzuim: suspect authorized absence.
pub fn overig_suspect() -> Rule {
    rule(
        "overig-twijfel",
        "DUO soorten verzuim (overig verzuim, niet wettelijk verplicht); seed 002 Ziekteverzuim en schorsing",
        "Geoorloofd verzuim in een periode waarin ongeoorloofd verzuim wordt vermoed: voorstel voor een melding overig verzuim.",
    )
}

/// Living abroad.
pub fn abroad() -> Rule {
    rule(
        "lpw-buitenland",
        "Leerplichtwet 1969 art. 2 (ingezetenen); DUO verzuim, bijzondere situaties",
        "Een leerling die in het buitenland woont valt niet onder de Nederlandse Leerplichtwet.",
    )
}

fn authorized() -> Rule {
    rule(
        "lpw-11-geoorloofd",
        "Leerplichtwet 1969 art. 11",
        "Geoorloofd verzuim (ziekte, schorsing, verlof, ...) wordt niet gemeld.",
    )
}

fn exemption() -> Rule {
    rule(
        "lpw-5-15-vrijstelling",
        "Leerplichtwet 1969 art. 5, 5a en 15",
        "Tijdens een vrijstelling wordt geen verzuim gemeld.",
    )
}

fn enrolment() -> Rule {
    rule(
        "inschrijving",
        "Leerplichtwet 1969 art. 2 en 21a (ingeschreven leerling)",
        "Alleen verzuim tijdens de inschrijving op deze school wordt gemeld.",
    )
}

fn not_under_law() -> Rule {
    rule(
        "geen-plicht",
        "Leerplichtwet 1969 art. 3 en 4a; WEB art. 8.1.8",
        "Een leerling die niet leerplichtig, niet kwalificatieplichtig en niet in de RMC-doelgroep is, wordt niet gemeld.",
    )
}

/// `{n}{suffix}` in one allocation of the exact size, without the formatting machinery (one
/// such text for most students).
fn count_reason(n: u32, suffix: &str) -> String {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut rest = n;
    while at > 0 {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = digits.get(at..).unwrap_or(&[]);
    let mut s = String::with_capacity(digits.len() + suffix.len());
    s.extend(digits.iter().map(|&b| char::from(b)));
    s.push_str(suffix);
    s
}

impl NotReported {
    /// The exclusions of `student` (the student these facts are about) as the engine's answer
    /// lists them: living abroad alone, else one per vrijstelling, then outside the enrolment,
    /// authorized absence and absence under no plicht, each when it occurred.
    pub fn exclusions(&self, student: &StudentInput) -> Vec<Exclusion> {
        let id = || student.id.clone();
        // Seed 002 "Bijzondere situaties": living abroad, not under the Dutch Leerplichtwet.
        if self.abroad {
            return vec![Exclusion {
                student: id(),
                period: None,
                reason: "de leerling woont in het buitenland en valt niet onder de Nederlandse Leerplichtwet; er wordt niets gemeld".into(),
                rule: abroad(),
            }];
        }
        let mut out = Vec::with_capacity(
            student.exemptions.len()
                + usize::from(self.outside_enrolment > 0)
                + usize::from(self.authorized > 0)
                + usize::from(self.not_under_law > 0),
        );
        for e in &student.exemptions {
            out.push(Exclusion {
                student: id(),
                period: Some(*e),
                reason: "vrijstelling: registraties in deze periode tellen niet mee".into(),
                rule: exemption(),
            });
        }
        if self.outside_enrolment > 0 {
            out.push(Exclusion {
                student: id(),
                period: None,
                reason: count_reason(
                    self.outside_enrolment,
                    " registratie(s) buiten de inschrijving genegeerd",
                ),
                rule: enrolment(),
            });
        }
        if self.authorized > 0 {
            let period = match (self.authorized_first, self.authorized_last) {
                (Some(first), Some(last)) => Some(DateRange { first, last }),
                _ => None,
            };
            out.push(Exclusion {
                student: id(),
                period,
                reason: count_reason(
                    self.authorized,
                    " registratie(s) geoorloofd verzuim worden niet gemeld",
                ),
                rule: authorized(),
            });
        }
        if self.not_under_law > 0 {
            out.push(Exclusion {
                student: id(),
                period: None,
                reason: count_reason(
                    self.not_under_law,
                    " registratie(s) ongeoorloofd verzuim op dagen waarop de leerling niet leerplichtig, niet kwalificatieplichtig en niet in de RMC-doelgroep is",
                ),
                rule: not_under_law(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::count_reason;

    #[test]
    fn a_count_reason_starts_with_the_number_in_decimal() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u32::MAX] {
            assert_eq!(count_reason(n, " x"), format!("{n} x"));
        }
    }
}
