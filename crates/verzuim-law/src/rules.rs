//! The rules (id, article, text) the engine cites, and the exclusions it records (rule 8).

use crate::engine::{Ignored, StudentCtx};
use crate::{DateRange, Exclusion, Rule};

fn rule(id: &str, article: &str, text: &str) -> Rule {
    Rule {
        id: id.to_owned(),
        article: article.to_owned(),
        text: text.to_owned(),
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

/// `{n}{suffix}` in one allocation of the exact size (`format!` would start from an empty
/// buffer and grow it).
fn count_reason(n: u32, suffix: &str) -> String {
    use std::fmt::Write;
    let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut s = String::with_capacity(digits + suffix.len());
    let _ = write!(s, "{n}");
    s.push_str(suffix);
    s
}

pub(crate) fn exclusions(ctx: &StudentCtx<'_>, ignored: &Ignored, out: &mut Vec<Exclusion>) {
    let id = || ctx.student.id.clone();
    out.reserve(
        ctx.student.exemptions.len()
            + usize::from(ignored.outside_enrolment > 0)
            + usize::from(ignored.authorized > 0)
            + usize::from(ignored.not_under_law > 0),
    );
    for e in &ctx.student.exemptions {
        out.push(Exclusion {
            student: id(),
            period: Some(*e),
            reason: "vrijstelling: registraties in deze periode tellen niet mee".into(),
            rule: exemption(),
        });
    }
    if ignored.outside_enrolment > 0 {
        out.push(Exclusion {
            student: id(),
            period: None,
            reason: count_reason(
                ignored.outside_enrolment,
                " registratie(s) buiten de inschrijving genegeerd",
            ),
            rule: enrolment(),
        });
    }
    if ignored.authorized > 0 {
        let period = match (ignored.authorized_first, ignored.authorized_last) {
            (Some(first), Some(last)) => Some(DateRange { first, last }),
            _ => None,
        };
        out.push(Exclusion {
            student: id(),
            period,
            reason: count_reason(
                ignored.authorized,
                " registratie(s) geoorloofd verzuim worden niet gemeld",
            ),
            rule: authorized(),
        });
    }
    if ignored.not_under_law > 0 {
        out.push(Exclusion {
            student: id(),
            period: None,
            reason: count_reason(
                ignored.not_under_law,
                " registratie(s) ongeoorloofd verzuim op dagen waarop de leerling niet leerplichtig, niet kwalificatieplichtig en niet in de RMC-doelgroep is",
            ),
            rule: not_under_law(),
        });
    }
}
