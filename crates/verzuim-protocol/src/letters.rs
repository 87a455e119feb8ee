//! Letters to parents: the templates a step's `letter` names, rendered in Dutch as a school
//! sends them to the ouder(s)/verzorger(s) of a student.
//!
//! Pure: the caller passes the school, the student, the reason, the sanction and the letter
//! date (`render` reads no clock). Seed 004 names two letters ("VC meldt leerling aan voor
//! preventief spreekuur leerplicht en stuurt brief naar ouders"; "Daco stuurt standaardbrief
//! naar ouders" at the orange card); seed 003 has the school inform the parents about a DUO
//! melding, invite them for a talk or the leerplichtambtenaar's preventive consultation, and
//! mail about truanted hours that are made up double. Each is a template here.

use chrono::NaiveDate;
use verzuim_domain::calendar::dutch_date;

/// What a letter is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterContext {
    /// The school that sends the letter.
    pub school_name: String,
    /// The student's full name.
    pub student_name: String,
    /// The student's number in the school.
    pub student_number: String,
    /// The student's group (class), if known.
    pub group: Option<String>,
    /// The mentor who signs, if known.
    pub mentor_name: Option<String>,
    /// Why the letter is sent, in words (the step's reason, "8 uur ongeoorloofd afwezig in
    /// periode 1").
    pub reason: String,
    /// The sanction in words (`SanctionOutcome::describe`), if the step has one.
    pub sanction: Option<String>,
    /// The date on the letter.
    pub date: NaiveDate,
    /// The place on the date line ("Maastricht"), if known.
    pub place: Option<String>,
}

/// A rendered letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The template it was rendered from.
    pub template: String,
    /// The letter's title (its subject, "Betreft").
    pub title: String,
    /// Plain text from the date line to the signature, paragraphs split by blank lines.
    pub body: String,
}

/// One letter: title and paragraphs with placeholders.
///
/// Placeholders: `{leerling}` (name), `{reden}`, `{sanctie}`, `{school}`, `{contact}` ("de
/// mentor, M. de Vries" or "de mentor"). A paragraph with `{sanctie}` is left out when the
/// step has no sanction.
struct Template {
    name: &'static str,
    title: &'static str,
    paragraphs: &'static [&'static str],
    /// Who sends it besides the mentor (seed 004: the VC sends the preventive-consultation
    /// letter, the daco the orange-card letter).
    sender: Option<&'static str>,
}

const CONTACT: &str = "Heeft u vragen over deze brief, neem dan contact op met {contact}.";

const ALL: &[Template] = &[
    Template {
        name: "te-laat-ouders",
        title: "Te laat komen",
        paragraphs: &[
            "Met deze brief informeren wij u dat {leerling} de afgelopen tijd regelmatig te laat in de les is gekomen. Volgens onze registratie gaat het om: {reden}.",
            "Op tijd in de les zijn is belangrijk, voor {leerling} zelf en voor de klas. Wij vragen u het te laat komen thuis met {leerling} te bespreken.",
            "Als maatregel geldt: {sanctie}.",
            "Blijft {leerling} te laat komen, dan nemen wij verdere stappen volgens het verzuimprotocol van de school; bij herhaling kan de leerplichtambtenaar worden ingeschakeld.",
            CONTACT,
        ],
        sender: None,
    },
    Template {
        name: "spijbelen-inhalen-ouders",
        title: "Ongeoorloofd verzuim: gemiste lessen inhalen",
        paragraphs: &[
            "Met deze brief informeren wij u dat {leerling} zonder geldige reden lessen heeft gemist. Volgens onze registratie gaat het om: {reden}.",
            "Op onze school wordt elk gespijbeld lesuur dubbel ingehaald. De verzuimcoördinator spreekt met {leerling} af wanneer de uren worden ingehaald.",
            "Als maatregel geldt: {sanctie}.",
            "Wij verwachten dat {leerling} binnen drie schooldagen bij de mentor uitlegt waarom de lessen zijn gemist. Was er toch een geldige reden, laat het ons dan zo snel mogelijk weten; dan passen wij de registratie aan.",
            CONTACT,
        ],
        sender: Some("de verzuimcoördinator"),
    },
    Template {
        name: "preventief-spreekuur-ouders",
        title: "Uitnodiging preventief spreekuur leerplichtambtenaar",
        paragraphs: &[
            "Met deze brief informeren wij u dat wij ons zorgen maken over het verzuim van {leerling}. Volgens onze registratie gaat het om: {reden}.",
            "Daarom hebben wij {leerling} aangemeld voor het preventief spreekuur van de leerplichtambtenaar. Dit gesprek is bedoeld om samen te voorkomen dat het verzuim verder oploopt; het is nog geen melding. U ontvangt de uitnodiging met datum en tijd van de verzuimcoördinator. Wij vragen u en {leerling} bij het gesprek aanwezig te zijn.",
            "Als maatregel geldt: {sanctie}.",
            CONTACT,
        ],
        sender: Some("de verzuimcoördinator"),
    },
    Template {
        name: "uitnodiging-gesprek-ouders",
        title: "Uitnodiging voor een gesprek op school",
        paragraphs: &[
            "Met deze brief nodigen wij u uit voor een persoonlijk gesprek op school over {leerling}. De aanleiding is: {reden}.",
            "In het gesprek willen wij met u en {leerling} bespreken wat er aan de hand is en welke afspraken wij samen maken. Wij nemen contact met u op om een datum en tijd af te spreken.",
            "Als maatregel geldt: {sanctie}.",
            CONTACT,
        ],
        sender: None,
    },
    Template {
        name: "melding-leerplicht-ouders",
        title: "Melding van verzuim bij DUO en de leerplichtambtenaar",
        paragraphs: &[
            "Met deze brief informeren wij u dat wij het verzuim van {leerling} hebben gemeld bij DUO. Volgens onze registratie gaat het om: {reden}.",
            "De school is volgens de Leerplichtwet 1969 verplicht ongeoorloofd en zorgwekkend verzuim te melden. DUO stuurt de melding door naar de leerplichtambtenaar van uw gemeente. De leerplichtambtenaar nodigt u en {leerling} uit voor een gesprek.",
            "Als maatregel geldt: {sanctie}.",
            "Wij blijven het verzuim van {leerling} volgen en bespreken de afspraken met u, de leerplichtambtenaar en de mentor.",
            CONTACT,
        ],
        sender: Some("de verzuimcoördinator"),
    },
    Template {
        name: "schoolarts-ouders",
        title: "Aanmelding bij de jeugdarts",
        paragraphs: &[
            "Met deze brief informeren wij u dat {leerling} veel lessen heeft gemist door ziekte. Volgens onze registratie gaat het om: {reden}.",
            "Wij maken ons zorgen over de gezondheid van {leerling} en over het gemiste onderwijs. Daarom melden wij {leerling} aan bij de jeugdarts (schoolarts) van de GGD. De jeugdarts bekijkt samen met u en {leerling} wat er nodig is om weer goed naar school te kunnen gaan. U ontvangt van de jeugdarts een uitnodiging.",
            CONTACT,
        ],
        sender: Some("de ondersteuningscoördinator"),
    },
    Template {
        name: "vmbo-preventief-spreekuur-ouders",
        title: "Aanmelding preventief spreekuur leerplicht",
        paragraphs: &[
            "Met deze brief informeren wij u dat {leerling} zonder geldige reden lessen heeft verzuimd. Volgens onze registratie gaat het om: {reden}. Verzuim dat niet vóór 07.45 uur bij de receptie is afgemeld en waarvoor geen geldige reden is gegeven, telt als ongeoorloofd verzuim.",
            "Volgens ons verzuimprotocol melden wij een leerling bij 8 uur of meer ongeoorloofd verzuim aan voor het preventief spreekuur van de leerplichtambtenaar. Dat hebben wij voor {leerling} gedaan. U ontvangt een uitnodiging met datum en tijd; wij vragen u samen met {leerling} te komen.",
            "Volgens ons protocol worden verzuimde uren dubbel ingehaald; de mentor spreekt met {leerling} af wanneer.",
            "Als maatregel geldt: {sanctie}.",
            "Via de ouderportal van Magister kunt u het verzuim van {leerling} dagelijks volgen. Wij vragen u afwezigheid of te laat komen altijd vóór 07.45 uur bij de receptie te melden.",
            CONTACT,
        ],
        sender: Some("de verzuimcoördinator"),
    },
    Template {
        name: "vmbo-oranje-kaart-ouders",
        title: "Oranje kaart: vier keer uit de les verwijderd",
        paragraphs: &[
            "Met deze brief informeren wij u dat {leerling} voor de vierde keer dit schooljaar uit de les is verwijderd. Volgens onze registratie gaat het om: {reden}.",
            "Na drie verwijderingen heeft {leerling} een gele kaart gekregen. Bij de vierde verwijdering krijgt een leerling volgens ons protocol een oranje kaart.",
            "Als maatregel geldt: {sanctie}.",
            "Dat betekent dat {leerling} zich een week lang na de lessen meldt en tot 16.00 uur op school blijft (vierkant lesrooster). De dagcoördinator maakt hierover een afspraak met {leerling} en bespreekt de verwijderingen in een gesprek. De mentor brengt {leerling} in de leerlingbespreking.",
            "Wij vragen u de verwijderingen thuis met {leerling} te bespreken. Verandert het gedrag niet, dan volgt een gesprek met u, de teamleider en de mentor en kan de school een melding doen bij leerplicht.",
            CONTACT,
        ],
        sender: Some("de dagcoördinator"),
    },
];

/// Every known template name, in the order of the documentation (`docs/protocol.md`,
/// "Letters").
pub const TEMPLATES: &[&str] = &[
    "te-laat-ouders",
    "spijbelen-inhalen-ouders",
    "preventief-spreekuur-ouders",
    "uitnodiging-gesprek-ouders",
    "melding-leerplicht-ouders",
    "schoolarts-ouders",
    "vmbo-preventief-spreekuur-ouders",
    "vmbo-oranje-kaart-ouders",
];

/// Whether `name` is a known template.
pub fn is_template(name: &str) -> bool {
    TEMPLATES.contains(&name)
}

/// Renders the template called `template` with `ctx`; `None` for an unknown template.
pub fn render(template: &str, ctx: &LetterContext) -> Option<Letter> {
    let t = ALL.iter().find(|t| t.name == template)?;
    let name = ctx.student_name.trim();
    let contact = match ctx.mentor_name.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => format!("de mentor, {m}"),
        _ => "de mentor".to_owned(),
    };
    let reason = ctx.reason.trim();
    let sanction = ctx
        .sanction
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let fill = |p: &str| {
        p.replace("{leerling}", name)
            .replace("{reden}", reason)
            .replace("{sanctie}", sanction.unwrap_or_default())
            .replace("{school}", ctx.school_name.trim())
            .replace("{contact}", &contact)
    };

    let mut parts: Vec<String> = Vec::new();
    let date = dutch_date(ctx.date);
    parts.push(match ctx.place.as_deref().map(str::trim) {
        Some(place) if !place.is_empty() => format!("{place}, {date}"),
        _ => date,
    });
    let mut about = format!("Betreft: {}\nLeerling: {name}", t.title);
    let mut details = Vec::new();
    if !ctx.student_number.trim().is_empty() {
        details.push(format!("leerlingnummer {}", ctx.student_number.trim()));
    }
    if let Some(g) = ctx
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        details.push(format!("klas {g}"));
    }
    if !details.is_empty() {
        about.push_str(&format!(" ({})", details.join(", ")));
    }
    parts.push(about);
    parts.push(format!("Geachte ouder(s)/verzorger(s) van {name},"));
    for p in t.paragraphs {
        if p.contains("{sanctie}") && sanction.is_none() {
            continue;
        }
        parts.push(fill(p));
    }
    parts.push(closing(t, ctx));
    Some(Letter {
        template: t.name.to_owned(),
        title: t.title.to_owned(),
        body: parts.join("\n\n"),
    })
}

/// "Met vriendelijke groet," and the signatures: the mentor (with the class), the template's
/// sender, the school.
fn closing(t: &Template, ctx: &LetterContext) -> String {
    let mut lines = vec!["Met vriendelijke groet,".to_owned(), String::new()];
    if let Some(m) = ctx
        .mentor_name
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        lines.push(m.to_owned());
        lines.push(
            match ctx
                .group
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                Some(g) => format!("mentor van klas {g}"),
                None => "mentor".to_owned(),
            },
        );
    }
    if let Some(s) = t.sender {
        lines.push(s.to_owned());
    }
    let school = ctx.school_name.trim();
    if !school.is_empty() {
        lines.push(school.to_owned());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn ctx() -> LetterContext {
        LetterContext {
            school_name: "VMBO Maastricht".into(),
            student_name: "Noor Bakker".into(),
            student_number: "20431".into(),
            group: Some("2B".into()),
            mentor_name: Some("M. de Vries".into()),
            reason: "8 uur ongeoorloofd afwezig in periode 1".into(),
            sanction: Some("16 uur inhalen".into()),
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            place: Some("Maastricht".into()),
        }
    }

    #[test]
    fn the_template_list_and_the_templates_agree() {
        let names: Vec<&str> = ALL.iter().map(|t| t.name).collect();
        assert_eq!(names, TEMPLATES);
        assert!(is_template("vmbo-preventief-spreekuur-ouders"));
        assert!(is_template("vmbo-oranje-kaart-ouders"));
        assert!(!is_template("brief-onbekend"));
    }

    #[test]
    fn every_template_renders_with_name_reason_and_sanction_and_no_placeholder() {
        let c = ctx();
        for name in TEMPLATES {
            let l = render(name, &c).unwrap();
            assert_eq!(l.template, *name);
            assert!(!l.title.is_empty(), "{name}");
            assert!(l.body.contains("Noor Bakker"), "{name}: naam");
            assert!(
                l.body.contains("8 uur ongeoorloofd afwezig in periode 1"),
                "{name}: reden"
            );
            assert!(
                l.body
                    .contains("Geachte ouder(s)/verzorger(s) van Noor Bakker,"),
                "{name}: aanhef"
            );
            assert!(
                l.body.starts_with("Maastricht, 23 november 2026\n\n"),
                "{name}"
            );
            assert!(l.body.contains(&format!("Betreft: {}", l.title)), "{name}");
            assert!(l.body.contains("leerlingnummer 20431, klas 2B"), "{name}");
            assert!(
                l.body
                    .contains("Met vriendelijke groet,\n\nM. de Vries\nmentor van klas 2B\n"),
                "{name}: ondertekening"
            );
            assert!(l.body.ends_with("VMBO Maastricht"), "{name}: school");
            assert!(
                !l.body.contains('{') && !l.body.contains('}'),
                "{name}: {}",
                l.body
            );
            assert!(!l.body.contains("\n\n\n"), "{name}: lege alinea");
        }
    }

    #[test]
    fn the_sanction_is_cited_where_the_template_has_one() {
        for name in [
            "te-laat-ouders",
            "spijbelen-inhalen-ouders",
            "vmbo-preventief-spreekuur-ouders",
            "vmbo-oranje-kaart-ouders",
        ] {
            let l = render(name, &ctx()).unwrap();
            assert!(
                l.body.contains("Als maatregel geldt: 16 uur inhalen."),
                "{name}"
            );
        }
    }

    #[test]
    fn without_sanction_mentor_group_and_place_the_letter_still_reads() {
        let c = LetterContext {
            group: None,
            mentor_name: None,
            sanction: None,
            place: None,
            ..ctx()
        };
        for name in TEMPLATES {
            let l = render(name, &c).unwrap();
            assert!(l.body.starts_with("23 november 2026\n\n"), "{name}");
            assert!(!l.body.contains("maatregel geldt"), "{name}: {}", l.body);
            assert!(!l.body.contains("klas 2B"), "{name}");
            assert!(l.body.contains("contact op met de mentor."), "{name}");
            assert!(!l.body.contains('{'), "{name}");
            assert!(l.body.ends_with("VMBO Maastricht"), "{name}");
        }
    }

    #[test]
    fn the_contact_names_the_mentor() {
        let l = render("te-laat-ouders", &ctx()).unwrap();
        assert!(
            l.body
                .contains("neem dan contact op met de mentor, M. de Vries.")
        );
    }

    #[test]
    fn the_senders_follow_seed_004() {
        // "VC ... stuurt brief naar ouders"; "Daco stuurt standaardbrief naar ouders".
        let vc = render("vmbo-preventief-spreekuur-ouders", &ctx()).unwrap();
        assert!(vc.body.ends_with("de verzuimcoördinator\nVMBO Maastricht"));
        let daco = render("vmbo-oranje-kaart-ouders", &ctx()).unwrap();
        assert!(daco.body.ends_with("de dagcoördinator\nVMBO Maastricht"));
        assert!(daco.body.contains("16.00 uur"));
    }

    #[test]
    fn an_unknown_template_renders_nothing() {
        assert_eq!(render("brief-te-laat-6", &ctx()), None);
    }

    #[test]
    fn dates_are_written_in_dutch() {
        let d = |m, day| dutch_date(NaiveDate::from_ymd_opt(2027, m, day).unwrap());
        assert_eq!(d(1, 1), "1 januari 2027");
        assert_eq!(d(3, 15), "15 maart 2027");
        assert_eq!(d(12, 31), "31 december 2027");
    }
}
