//! `verzuim check`: reads a case file (docs/check-format.md), runs the law engine on it and
//! prints the meldingen due as of `today`, as Dutch text or as the engine's JSON.
//!
//! A case that does not parse or that the engine refuses is an [`InvalidCase`]: the message
//! names the JSON path (`students[0].birth_date: …`) and `main` exits with code 2.

use std::fmt::{self, Write as _};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate, Weekday};
use clap::ValueEnum;
use verzuim_law::{Case, DaySpec, Evaluation, Exclusion, Melding, Unit};

/// How `check` prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Dutch text for people.
    Text,
    /// The engine's `Evaluation` as pretty JSON.
    Json,
}

/// The case file is not a valid case: `path` is the JSON path, `reason` says what is wrong.
#[derive(Debug)]
pub(crate) struct InvalidCase {
    file: String,
    path: String,
    reason: String,
}

impl fmt::Display for InvalidCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: ongeldige invoer bij {}: {}",
            self.file, self.path, self.reason
        )
    }
}

impl std::error::Error for InvalidCase {}

/// Runs `verzuim check`.
pub(crate) fn run(input: &Path, today: NaiveDate, format: Format) -> Result<()> {
    let text = std::fs::read_to_string(input)
        .with_context(|| format!("kan {} niet lezen", input.display()))?;
    let file = input.display().to_string();
    let case = parse_case(&text).map_err(|(path, reason)| InvalidCase {
        file: file.clone(),
        path,
        reason,
    })?;
    let evaluation = verzuim_law::evaluate(&case, today).map_err(|e| InvalidCase {
        file: file.clone(),
        path: e.path.clone(),
        reason: e.reason.clone(),
    })?;
    print_evaluation(&evaluation, format)
}

/// Prints an evaluation in `format` (also for a check on the school's database).
pub(crate) fn print_evaluation(evaluation: &Evaluation, format: Format) -> Result<()> {
    let out = match format {
        Format::Json => serde_json::to_string_pretty(evaluation)
            .context("kan de uitkomst niet als JSON schrijven")?,
        Format::Text => render_text(evaluation),
    };
    print_out(&out)
}

/// Prints to standard output; a closed pipe (`verzuim check … | head`) is not an error.
fn print_out(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(err).context("kan niet naar de standaarduitvoer schrijven")
        }
        _ => Ok(()),
    }
}

/// Parses a case, or says where (JSON path) and why (Dutch) it is not one.
fn parse_case(text: &str) -> Result<Case, (String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let case: Case = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let path = if path == "." || path.is_empty() {
            "(het document)".to_owned()
        } else {
            path
        };
        let reason = dutch_reason(&path, &inner);
        (path, reason)
    })?;
    de.end().map_err(|err| {
        (
            "(het document)".to_owned(),
            format!(
                "tekst na het einde van het JSON-document (regel {}, kolom {})",
                err.line(),
                err.column()
            ),
        )
    })?;
    Ok(case)
}

/// The Dutch reason for a serde_json error at `path`, keeping the technical cause in brackets.
fn dutch_reason(path: &str, err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("regel {}, kolom {}", err.line(), err.column());
    let message = strip_position(&err.to_string());
    match err.classify() {
        Category::Io => format!("kan de invoer niet lezen ({message})"),
        Category::Eof => format!("het JSON-document houdt te vroeg op ({at})"),
        Category::Syntax => format!("geen geldige JSON ({message}; {at})"),
        Category::Data => {
            let field = path.rsplit('.').next().unwrap_or(path);
            let field = field.split('[').next().unwrap_or(field);
            if let Some(rest) = message.strip_prefix("missing field ") {
                format!("verplicht veld {rest} ontbreekt ({at})")
            } else if let Some(rest) = message.strip_prefix("unknown field ") {
                format!("onbekend veld {rest} ({at})")
            } else if let Some(rest) = message.strip_prefix("unknown variant ") {
                format!("onbekende waarde {rest} ({at})")
            } else if is_chrono_message(&message) {
                let expected = if is_time_field(field) {
                    "een tijd UU:MM, bijvoorbeeld 08:30"
                } else {
                    "een datum JJJJ-MM-DD, bijvoorbeeld 2026-09-07"
                };
                format!("geen geldige datum of tijd: verwacht {expected} ({message}; {at})")
            } else if let Some(rest) = message.strip_prefix("invalid type: ") {
                format!("verkeerd soort waarde: {rest} ({at})")
            } else if let Some(rest) = message.strip_prefix("invalid value: ") {
                format!("ongeldige waarde: {rest} ({at})")
            } else {
                format!("ongeldige waarde: {message} ({at})")
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Messages of chrono's parser (`ParseError`), which `NaiveDate`/`NaiveTime` give through serde.
fn is_chrono_message(message: &str) -> bool {
    [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "input is not enough for unique date and time",
        "trailing input",
        "no possible date and time matching input",
        "bad or unsupported format string",
    ]
    .iter()
    .any(|m| message.starts_with(m))
}

fn is_time_field(field: &str) -> bool {
    matches!(field, "start" | "end")
}

/// The Dutch text of an evaluation.
fn render_text(evaluation: &Evaluation) -> String {
    let mut out = String::new();
    let count = evaluation.meldingen.len();
    let _ = writeln!(
        out,
        "Verzuimcontrole op {}: {}.",
        date(evaluation.today),
        match count {
            0 => "geen meldingen te doen".to_owned(),
            1 => "1 melding".to_owned(),
            n => format!("{n} meldingen"),
        }
    );
    for (i, m) in evaluation.meldingen.iter().enumerate() {
        out.push('\n');
        melding_text(&mut out, i + 1, m);
    }
    if !evaluation.exclusions.is_empty() {
        let _ = writeln!(out, "\nNiet gemeld (bewust):");
        for e in &evaluation.exclusions {
            exclusion_text(&mut out, e);
        }
    }
    out.trim_end().to_owned()
}

fn melding_text(out: &mut String, number: usize, m: &Melding) {
    let proposal = if m.proposal {
        " — VOORSTEL: een medewerker beslist of dit gemeld wordt"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{number}. {} ({}) — leerling {}{proposal}",
        m.kind.label(),
        m.duo_code,
        m.student
    );
    let end = match (m.end, &m.end_when) {
        (Some(end), _) => date(end),
        (None, Some(when)) => format!("open ({when})"),
        (None, None) => "open".to_owned(),
    };
    let _ = writeln!(out, "   Begindatum: {}", date(m.begin));
    let _ = writeln!(out, "   Einddatum:  {end}");
    let amount = if m.units == 0.0 {
        format!("{} minuten", m.minutes)
    } else {
        format!("{} ({} minuten)", units(m.units, m.unit), m.minutes)
    };
    let _ = writeln!(out, "   Verzuim:    {amount}");
    let _ = writeln!(out, "   Status:     {}", status(m.status));
    if m.proposal {
        let _ = writeln!(
            out,
            "   Voorstel:   sinds {} (niet wettelijk verplicht)",
            date(m.due_on)
        );
    } else {
        let _ = writeln!(
            out,
            "   Te melden:  vanaf {} (onverwijld, binnen 5 werkdagen)",
            date(m.due_on)
        );
    }
    let _ = writeln!(
        out,
        "   Regel:      {} — {}: {}",
        m.rule.id, m.rule.article, m.rule.text
    );
    let _ = writeln!(out, "   Uitleg:     {}", m.explanation);
    if !m.days.is_empty() {
        let _ = writeln!(out, "   Dagspecificatie:");
        for d in &m.days {
            day_text(out, d, m.unit);
        }
    }
}

fn day_text(out: &mut String, d: &DaySpec, unit: Unit) {
    let mut extra = Vec::new();
    if !d.lesuren.is_empty() {
        let list: Vec<String> = d.lesuren.iter().map(u8::to_string).collect();
        extra.push(format!("lesuur {}", list.join(", ")));
    }
    if d.whole_day {
        extra.push("hele dag".to_owned());
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" ({})", extra.join("; "))
    };
    let _ = writeln!(
        out,
        "     {}  {:>13}  {:>4} min{extra}  registraties: {}",
        date(d.date),
        units(d.units, unit),
        d.minutes,
        d.registrations.join(", ")
    );
}

fn exclusion_text(out: &mut String, e: &Exclusion) {
    let period = e
        .period
        .map(|p| format!(" van {} tot en met {}", date(p.first), date(p.last)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "- leerling {}{period}: {} ({} — {})",
        e.student, e.reason, e.rule.id, e.rule.article
    );
}

fn status(s: verzuim_law::LawStatus) -> &'static str {
    use verzuim_law::LawStatus::*;
    match s {
        Leerplichtig => "leerplichtig",
        Kwalificatieplichtig => "kwalificatieplichtig",
        Rmc => "RMC (geen startkwalificatie, jonger dan 23)",
        None => "niet leer- of kwalificatieplichtig",
    }
}

/// `ma 2026-09-07`.
fn date(d: NaiveDate) -> String {
    let day = match d.weekday() {
        Weekday::Mon => "ma",
        Weekday::Tue => "di",
        Weekday::Wed => "wo",
        Weekday::Thu => "do",
        Weekday::Fri => "vr",
        Weekday::Sat => "za",
        Weekday::Sun => "zo",
    };
    format!("{day} {d}")
}

/// `16 lesuren`, `15,5 klokuren`, `1 dagdeel`: Dutch decimal comma, no trailing zeros.
fn units(value: f64, unit: Unit) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let mut number = format!("{rounded:.2}");
    while number.contains('.') && (number.ends_with('0') || number.ends_with('.')) {
        number.pop();
    }
    let number = number.replace('.', ",");
    let one = (rounded - 1.0).abs() < f64::EPSILON;
    let name = match (unit, one) {
        (Unit::Lesuren, true) => "lesuur",
        (Unit::Lesuren, false) => "lesuren",
        (Unit::Klokuren, true) => "klokuur",
        (Unit::Klokuren, false) => "klokuren",
        (Unit::Dagdelen, true) => "dagdeel",
        (Unit::Dagdelen, false) => "dagdelen",
    };
    format!("{number} {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_use_a_decimal_comma_and_no_trailing_zeros() {
        assert_eq!(units(16.0, Unit::Lesuren), "16 lesuren");
        assert_eq!(units(15.5, Unit::Klokuren), "15,5 klokuren");
        assert_eq!(units(6.666_666, Unit::Klokuren), "6,67 klokuren");
        assert_eq!(units(1.0, Unit::Dagdelen), "1 dagdeel");
    }

    #[test]
    fn a_bad_birth_date_names_its_json_path() {
        let text = r#"{"school": {"sector": "vo"},
            "calendar": {"school_year": "2026-2027", "region": "zuid"},
            "students": [{"id": "1", "birth_date": "2012-13-01", "enrolled_from": "2026-08-24"}]}"#;
        let (path, reason) = parse_case(text).unwrap_err();
        assert_eq!(path, "students[0].birth_date");
        assert!(reason.contains("JJJJ-MM-DD"), "{reason}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let text = r#"{"school": {"sector": "vo"},
            "calendar": {"school_year": "2026-2027", "region": "zuid"},
            "students": [{"id": "1", "enrolled_from": "2026-08-24"}]}"#;
        let (path, reason) = parse_case(text).unwrap_err();
        assert_eq!(path, "students[0]");
        assert!(reason.contains("birth_date"), "{reason}");
    }
}
