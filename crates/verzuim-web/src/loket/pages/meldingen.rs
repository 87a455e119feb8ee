//! The school's meldingen: the list, the full melding form (every field of the Besluit
//! Verzuimmelding, grouped), the melding with its status, history and the gemeente's
//! terugmelding, and what a melder may add later: the end date, the day specification
//! ("Lesuren opgeven"), attachments, withdrawal, and "Nieuwe melding bij aanhoudend verzuim".

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_app::loket::{
    AttachmentDownload, MeldingFilter, MeldingScope, MeldingSummary, MeldingView,
};
use verzuim_loket::{MeldingInput, MeldingStatus, Priority, Verzuimsoort, WithdrawReason};

use crate::clock::{local_date_time, long_date, short_date};
use crate::error::WebError;
use crate::loket::forms::{Choice, ErrorList, FieldView, yes_no};
use crate::loket::pages::{field_errors, file_size, parse_id, period, school_label};
use crate::loket::session::InSchool;
use crate::loket::views::{
    AttachmentLine, Crumb, DayLine, EventLine, Fact, FactGroup, FieldGroup, Layout, MeldingFacts,
    MeldingFormView, MeldingLine, SchoolMeldingView, SchoolMeldingenView,
};
use crate::loket::{LoketState, render};

type Params = HashMap<String, String>;

/// Every field of the melding form with its label, in the order of the form (the error
/// summary follows it).
pub const MELDING_LABELS: [(&str, &str); 29] = [
    ("student_number", "BSN of onderwijsnummer"),
    ("first_names", "Voornamen"),
    ("prefix", "Tussenvoegsel"),
    ("surname", "Achternaam"),
    ("birth_date", "Geboortedatum"),
    ("gender", "Geslacht"),
    ("residence_gemeente", "Woongemeente"),
    ("start_qualification", "Startkwalificatie behaald"),
    ("parent_phone", "Telefoonnummer ouder of leerling"),
    ("kind", "Soort verzuim"),
    ("begin_date", "Begindatum verzuim"),
    ("end_date", "Einddatum verzuim"),
    ("suspected_reason", "Vermoedelijke reden van het verzuim"),
    ("all_lessons_missed", "Alle lessen gemist"),
    ("absence_days", "Aantal verzuimdagen"),
    ("absence_hours", "Aantal verzuimuren"),
    ("school_actions", "Door de school ondernomen actie"),
    ("action_wanted", "Actie door de gemeente gewenst"),
    ("priority", "Prioriteit"),
    ("no_action_explanation", "Toelichting bij geen actie"),
    ("location", "Leslocatie"),
    ("reporter", "Melder"),
    ("address_street", "Straat"),
    ("address_number", "Huisnummer"),
    ("address_letter", "Huisletter"),
    ("address_addition", "Huisnummertoevoeging"),
    ("address_postcode", "Postcode"),
    ("address_location", "Locatieaanduiding"),
    ("address_city", "Plaats"),
];

/// Labels of the fields of the forms on the melding page.
const DETAIL_LABELS: [(&str, &str); 4] = [
    ("end_date", "Einddatum verzuim"),
    ("day_spec", "Lesuren"),
    ("attachment", "Bijlage"),
    ("note", "Toelichting"),
];

fn label(field: &str) -> &'static str {
    MELDING_LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// The melding form as it comes in: the melding's fields and the melding it continues.
#[derive(Debug, Deserialize)]
pub struct MeldingForm {
    /// Every field of the melding.
    #[serde(flatten)]
    pub input: MeldingInput,
    /// Meldingsnummer of the melding this one continues ("aanhoudend verzuim"), or empty.
    #[serde(default)]
    pub cloned_from: String,
}

fn base(school: &InSchool) -> String {
    format!("/scholen/{}/meldingen", school.brin)
}

fn layout(title: &str, school: &InSchool, last: Option<&str>) -> Layout {
    let list = base(school);
    let crumbs = match last {
        Some(last) => vec![Crumb::link(&list, "Meldingen"), Crumb::here(last)],
        None => vec![Crumb::here("Meldingen")],
    };
    Layout::for_user(title, &school.user, &list).crumbs(crumbs)
}

/// A melder of the school; the app layer says "not found" to others too.
fn require_melder(school: &InSchool) -> Result<(), WebError> {
    if school.is_melder() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// The status filter of lists: all, or one status.
pub(crate) fn status_choices(current: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Alle statussen", current)];
    out.extend(
        MeldingStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), s.label(), current)),
    );
    out
}

/// A melding as a line of a list; `href_base` is the list's path.
pub(crate) fn melding_line(m: &MeldingSummary, href_base: &str, other: String) -> MeldingLine {
    MeldingLine {
        nummer: m.nummer.clone(),
        href: format!("{href_base}/{}", m.nummer),
        student: m.student_name.clone(),
        other,
        kind: m.kind.label().to_owned(),
        status_code: m.status.code().to_owned(),
        status: m.status.label().to_owned(),
        period: period(m.begin_date, m.end_date),
        filed: local_date_time(m.filed_at),
    }
}

/// GET `/scholen/{brin}/meldingen?status=`.
pub async fn school_list(
    State(state): State<LoketState>,
    school: InSchool,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    require_melder(&school)?;
    let status_raw = params.get("status").cloned().unwrap_or_default();
    let status = MeldingStatus::parse(&status_raw).ok();
    let filter = MeldingFilter {
        status,
        ..MeldingFilter::default()
    };
    let rows = state
        .loket
        .school_meldingen(&school.user.actor, &school.brin, &filter)
        .await?;
    let href = base(&school);
    let current = status.map(|s| s.code()).unwrap_or("");
    Ok(render(&SchoolMeldingenView {
        layout: layout("Meldingen", &school, None),
        school: school_label(&state, &school.user.actor, &school.brin).await?,
        brin: school.brin.to_string(),
        status_field: FieldView::select("status", "Status", status_choices(current)).filter(),
        rows: rows
            .iter()
            .map(|m| melding_line(m, &href, m.gemeente.to_string()))
            .collect(),
    })?
    .into_response())
}

fn kind_choices(current: &str) -> Vec<Choice> {
    Verzuimsoort::ALL
        .iter()
        .map(|k| Choice::new(k.code(), k.label(), current))
        .collect()
}

fn priority_choices(current: &str) -> Vec<Choice> {
    let mut out = vec![Choice::new("", "Kies de prioriteit", current)];
    out.extend(
        Priority::ALL
            .iter()
            .map(|p| Choice::new(p.code(), p.label(), current)),
    );
    out
}

fn text(name: &str, value: &str, errors: &ErrorList) -> FieldView {
    FieldView::text(name, label(name), value).with_errors(errors)
}

fn date(name: &str, value: &str, errors: &ErrorList) -> FieldView {
    FieldView::date(name, label(name), value).with_errors(errors)
}

/// The form's groups before and after the location/melder group.
fn groups(input: &MeldingInput, errors: &ErrorList) -> (Vec<FieldGroup>, Vec<FieldGroup>) {
    let i = input;
    let e = errors;
    let leerling = FieldGroup {
        legend: "Leerling".to_owned(),
        id: "leerling".to_owned(),
        hint: String::new(),
        fields: vec![
            text("student_number", &i.student_number, e)
                .hint("Het BSN (9 cijfers) of, als de leerling geen BSN heeft, het onderwijsnummer.")
                .input_class("short")
                .inputmode("numeric"),
            text("first_names", &i.first_names, e),
            text("prefix", &i.prefix, e).optional().input_class("short"),
            text("surname", &i.surname, e),
            date("birth_date", &i.birth_date, e)
                .hint("Dag-maand-jaar, bijvoorbeeld 04-05-2011."),
            FieldView::radio(
                "gender",
                label("gender"),
                vec![
                    Choice::new("M", "Man", &i.gender),
                    Choice::new("V", "Vrouw", &i.gender),
                    Choice::new("X", "Onbekend of anders", &i.gender),
                ],
            )
            .with_errors(e),
            text("residence_gemeente", &i.residence_gemeente, e)
                .hint("De CBS-gemeentecode van 4 cijfers van de gemeente waar de leerling woont, bijvoorbeeld 0344 voor Utrecht. De melding gaat naar deze gemeente.")
                .input_class("short")
                .inputmode("numeric"),
            FieldView::radio(
                "start_qualification",
                label("start_qualification"),
                yes_no(&i.start_qualification),
            )
            .hint("Een havo-, vwo- of mbo-2-diploma (of hoger).")
            .with_errors(e),
            text("parent_phone", &i.parent_phone, e)
                .kind("tel")
                .hint("Waarop de leerplichtambtenaar de ouder of de leerling kan bereiken.")
                .input_class("short"),
        ],
    };
    let verzuim = FieldGroup {
        legend: "Verzuim".to_owned(),
        id: "verzuim".to_owned(),
        hint: String::new(),
        fields: vec![
            FieldView::radio("kind", label("kind"), kind_choices(&i.kind))
                .hint("De vermoedelijke soort verzuim.")
                .with_errors(e),
            date("begin_date", &i.begin_date, e)
                .hint("De eerste verzuimdag: dag-maand-jaar, bijvoorbeeld 05-10-2026."),
            date("end_date", &i.end_date, e)
                .hint("Verplicht bij 16 uur in 4 weken: de dag waarop de 16 uur werden bereikt. Bij langdurig relatief verzuim en RMC-verzuim vult u de einddatum later in, zodra die bekend is.")
                .optional(),
            FieldView::textarea(
                "suspected_reason",
                label("suspected_reason"),
                &i.suspected_reason,
            )
            .hint("Hoogstens 200 tekens.")
            .rows(3)
            .with_errors(e),
            FieldView::radio(
                "all_lessons_missed",
                label("all_lessons_missed"),
                yes_no(&i.all_lessons_missed),
            )
            .with_errors(e),
        ],
    };
    let specificatie = FieldGroup {
        legend: "Verzuimspecificatie".to_owned(),
        id: "verzuimspecificatie".to_owned(),
        hint: "De lesuren per dag kunt u na het melden opgeven bij ‘Lesuren opgeven’.".to_owned(),
        fields: vec![
            text("absence_days", &i.absence_days, e)
                .optional()
                .input_class("short")
                .inputmode("numeric"),
            text("absence_hours", &i.absence_hours, e)
                .optional()
                .input_class("short")
                .inputmode("numeric"),
        ],
    };
    let actie = FieldGroup {
        legend: "Actie".to_owned(),
        id: "actie".to_owned(),
        hint: String::new(),
        fields: vec![
            FieldView::textarea("school_actions", label("school_actions"), &i.school_actions)
                .hint(
                    "Bijvoorbeeld: gesprek met de leerling, ouders gebeld, zorgteam ingeschakeld.",
                )
                .with_errors(e),
            FieldView::radio(
                "action_wanted",
                label("action_wanted"),
                yes_no(&i.action_wanted),
            )
            .with_errors(e),
            FieldView::select("priority", label("priority"), priority_choices(&i.priority))
                .hint("Alleen invullen als u actie van de gemeente wenst.")
                .optional()
                .with_errors(e),
            FieldView::textarea(
                "no_action_explanation",
                label("no_action_explanation"),
                &i.no_action_explanation,
            )
            .hint("Alleen invullen als u geen actie van de gemeente wenst: leg uit waarom.")
            .rows(3)
            .optional()
            .with_errors(e),
        ],
    };
    let adres = FieldGroup {
        legend: "Afwijkend adres".to_owned(),
        id: "afwijkend-adres".to_owned(),
        hint: "Alleen invullen als de leerling ergens anders verblijft dan op het adres in de Basisregistratie Personen (BRP). Vult u iets in, dan zijn straat, huisnummer, postcode en plaats verplicht.".to_owned(),
        fields: vec![
            text("address_street", &i.address_street, e).optional(),
            text("address_number", &i.address_number, e)
                .optional()
                .input_class("short")
                .inputmode("numeric"),
            text("address_letter", &i.address_letter, e)
                .optional()
                .input_class("short"),
            text("address_addition", &i.address_addition, e)
                .optional()
                .input_class("short"),
            text("address_postcode", &i.address_postcode, e)
                .optional()
                .hint("Bijvoorbeeld 1234 AB.")
                .input_class("short"),
            text("address_location", &i.address_location, e)
                .optional()
                .hint("Bijvoorbeeld ‘woonboot’ of ‘woonwagen’."),
            text("address_city", &i.address_city, e).optional(),
        ],
    };
    (vec![leerling, verzuim, specificatie, actie], vec![adres])
}

async fn form_page(
    state: &LoketState,
    school: &InSchool,
    input: &MeldingInput,
    cloned_from: &str,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let actor = &school.user.actor;
    let locations = state.loket.list_locations(actor, &school.brin, "").await?;
    let contact = state.loket.my_contact(actor, &school.brin).await?;
    let mut choices = vec![Choice::new("", "Kies een locatie", &input.location)];
    choices.extend(
        locations
            .iter()
            .map(|l| Choice::new(&l.name, &l.name, &input.location)),
    );
    let location = FieldView::select("location", label("location"), choices)
        .hint("De leslocaties staan bij ‘Beheer locaties’.")
        .with_errors(&errors);
    let (melder, refused) = match &contact {
        Some(c) => (
            vec![
                Fact::new("Naam", c.name.clone()),
                Fact::new("Functie", c.function.clone()),
                Fact::new("Telefoonnummer", c.phone.clone()),
                Fact::new("E-mailadres", c.email.clone()),
            ],
            None,
        ),
        None => (
            Vec::new(),
            Some(
                "Alleen contactpersonen kunnen verzuimmeldingen doen. Uw account is nog niet gekoppeld aan een contactpersoon van deze school. Vraag de beheerder van uw school om u als contactpersoon toe te voegen bij ‘Beheer contactpersonen’."
                    .to_owned(),
            ),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (groups_before, groups_after) = groups(input, &errors);
    let title = if cloned_from.is_empty() {
        "Verzuim melden".to_owned()
    } else {
        format!("Nieuwe melding bij aanhoudend verzuim ({cloned_from})")
    };
    let page = render(&MeldingFormView {
        layout: layout(&title, school, Some("Verzuim melden")),
        school: school_label(state, actor, &school.brin).await?,
        action: format!("{}/nieuw", base(school)),
        csrf: school.user.csrf_token.clone(),
        cloned_from: cloned_from.to_owned(),
        errors,
        melder,
        refused,
        groups_before,
        location,
        groups_after,
        cancel_href: base(school),
    })?;
    Ok((status, page).into_response())
}

/// GET `/scholen/{brin}/meldingen/nieuw` (`?vervolg=VM…`: prefilled from that melding,
/// "nieuwe melding bij aanhoudend verzuim").
pub async fn new_form(
    State(state): State<LoketState>,
    school: InSchool,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    require_melder(&school)?;
    let (input, cloned_from) = match params.get("vervolg").map(|s| s.trim()) {
        Some(nummer) if !nummer.is_empty() => (
            state
                .loket
                .clone_input(&school.user.actor, &school.brin, nummer, state.now())
                .await?,
            nummer.to_owned(),
        ),
        _ => (MeldingInput::default(), String::new()),
    };
    form_page(&state, &school, &input, &cloned_from, ErrorList::new()).await
}

/// POST `/scholen/{brin}/meldingen/nieuw`: files the melding and shows it with its
/// meldingsnummer; refused fields come back with their messages.
pub async fn create(
    State(state): State<LoketState>,
    school: InSchool,
    Form(form): Form<MeldingForm>,
) -> Result<Response, WebError> {
    let cloned_from = form.cloned_from.trim().to_owned();
    match state
        .loket
        .file_melding(
            &school.user.actor,
            &school.brin,
            &form.input,
            (!cloned_from.is_empty()).then_some(cloned_from.as_str()),
            state.today(),
            state.now(),
        )
        .await
    {
        Ok(view) => Ok(Redirect::to(&format!(
            "{}/{}?gedaan=ingediend",
            base(&school),
            view.nummer
        ))
        .into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &MELDING_LABELS);
                form_page(&state, &school, &form.input, &cloned_from, errors).await
            }
            None => Err(e.into()),
        },
    }
}

fn yes_no_text(b: bool) -> &'static str {
    if b { "ja" } else { "nee" }
}

fn party_label(party: &str) -> &str {
    match party {
        "school" => "de school",
        "gemeente" => "de gemeente",
        "vrijstelling" => "vrijstelling",
        "loket" => "het loket",
        other => other,
    }
}

/// What both faces show of a melding; `href_base` is the melding's path (attachments hang
/// below it).
pub(crate) fn melding_facts(view: &MeldingView, href_base: &str) -> MeldingFacts {
    let m = &view.melding;
    let mut groups = vec![
        FactGroup {
            title: "Leerling".to_owned(),
            id: "gegevens-leerling".to_owned(),
            facts: vec![
                Fact::new(
                    m.student_number.kind_label(),
                    m.student_number.as_str().to_owned(),
                ),
                Fact::new("Naam", m.full_name()),
                Fact::new("Geboortedatum", short_date(m.birth_date)),
                Fact::new(
                    "Geslacht",
                    match m.gender.as_str() {
                        "M" => "man",
                        "V" => "vrouw",
                        _ => "onbekend of anders",
                    },
                ),
                Fact::new(
                    "Woongemeente volgens de school",
                    m.residence_gemeente.to_string(),
                ),
                Fact::new(
                    "Gemeente van de melding",
                    format!(
                        "{} (bron: {})",
                        view.routing.gemeente,
                        view.routing.source.label()
                    ),
                ),
                Fact::new(
                    "Startkwalificatie behaald",
                    yes_no_text(m.start_qualification),
                ),
                Fact::new("Telefoonnummer ouder of leerling", m.parent_phone.clone()),
            ],
        },
        FactGroup {
            title: "Verzuim".to_owned(),
            id: "gegevens-verzuim".to_owned(),
            facts: vec![
                Fact::new("Soort verzuim", m.kind.label()),
                Fact::new("Begindatum", short_date(m.begin_date)),
                Fact::new("Einddatum", m.end_date.map(short_date).unwrap_or_default()),
                Fact::new("Vermoedelijke reden", m.suspected_reason.clone()),
                Fact::new("Alle lessen gemist", yes_no_text(m.all_lessons_missed)),
                Fact::new(
                    "Aantal verzuimdagen",
                    m.absence_days.map(|n| n.to_string()).unwrap_or_default(),
                ),
                Fact::new(
                    "Aantal verzuimuren",
                    m.absence_hours.map(|n| n.to_string()).unwrap_or_default(),
                ),
            ],
        },
        FactGroup {
            title: "Actie".to_owned(),
            id: "gegevens-actie".to_owned(),
            facts: {
                let mut f = vec![
                    Fact::new("Door de school ondernomen actie", m.school_actions.clone()),
                    Fact::new(
                        "Actie door de gemeente gewenst",
                        yes_no_text(m.action_wanted),
                    ),
                ];
                if let Some(p) = m.priority {
                    f.push(Fact::new("Prioriteit", p.label()));
                }
                if let Some(t) = &m.no_action_explanation {
                    f.push(Fact::new("Toelichting bij geen actie", t.clone()));
                }
                f
            },
        },
        FactGroup {
            title: "Locatie en melder".to_owned(),
            id: "gegevens-melder".to_owned(),
            facts: vec![
                Fact::new("Leslocatie", m.location.clone()),
                Fact::new("School (BRIN)", view.brin.to_string()),
                Fact::new("Melder", view.reporter.name.clone()),
                Fact::new("Functie", view.reporter.function.clone()),
                Fact::new("Telefoonnummer", view.reporter.phone.clone()),
                Fact::new("E-mailadres", view.reporter.email.clone()),
            ],
        },
    ];
    if let Some(a) = &m.address {
        let number = [
            a.number.to_string(),
            a.letter.clone().unwrap_or_default(),
            a.addition
                .as_ref()
                .map(|x| format!("-{x}"))
                .unwrap_or_default(),
        ]
        .concat();
        let mut facts = vec![
            Fact::new("Adres", format!("{} {number}", a.street)),
            Fact::new("Postcode en plaats", format!("{} {}", a.postcode, a.city)),
        ];
        if let Some(l) = &a.location {
            facts.push(Fact::new("Locatieaanduiding", l.clone()));
        }
        groups.push(FactGroup {
            title: "Afwijkend adres".to_owned(),
            id: "gegevens-adres".to_owned(),
            facts,
        });
    }
    if let Some(from) = &view.cloned_from {
        groups[1]
            .facts
            .push(Fact::new("Vervolg op melding", from.clone()));
    }
    let terugmelding = view
        .terugmelding
        .as_ref()
        .map(|t| {
            let tm = &t.terugmelding;
            let mut f = vec![
                Fact::new("Status", tm.status.label()),
                Fact::new("Datum", local_date_time(t.at)),
            ];
            if let Some(r) = tm.closing_reason {
                f.push(Fact::new("Reden afsluiting", r.label()));
            }
            if let Some(x) = tm.explanation {
                f.push(Fact::new("Toelichting", x.label()));
            }
            f.push(Fact::new(
                "Contactpersoon gemeente",
                tm.contact_name.clone(),
            ));
            f.push(Fact::new("Functie", tm.contact_function.clone()));
            f.push(Fact::new("Telefoonnummer", tm.contact_phone.clone()));
            f.push(Fact::new("E-mailadres", tm.contact_email.clone()));
            f
        })
        .unwrap_or_default();
    let withdrawn = (view.status == MeldingStatus::Ingetrokken).then(|| match view.withdraw_reason
    {
        Some(WithdrawReason::Vrijstelling) => "Ingetrokken wegens vrijstelling: de gemeente heeft voor deze leerling een vrijstelling van de leerplicht geregistreerd die de verzuimperiode overlapt. De gemeente handelt deze melding niet af.".to_owned(),
        Some(WithdrawReason::DoorSchool) | None => "Ingetrokken door de school.".to_owned(),
    });
    MeldingFacts {
        nummer: view.nummer.clone(),
        status_code: view.status.code().to_owned(),
        status: view.status_label().to_owned(),
        withdrawn,
        terugmelding,
        groups,
        days: view
            .day_spec
            .as_ref()
            .map(|d| {
                d.0.iter()
                    .map(|e| DayLine {
                        date: long_date(e.date),
                        hours: if e.whole_day {
                            "hele dag".to_owned()
                        } else {
                            format!(
                                "lesuur {}",
                                e.lesuren
                                    .iter()
                                    .map(u8::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
        attachments: view
            .attachments
            .iter()
            .map(|a| AttachmentLine {
                href: format!("{href_base}/bijlagen/{}", a.id),
                filename: a.filename.clone(),
                description: format!(
                    "{}, {}",
                    match a.content_type.as_str() {
                        "application/pdf" => "PDF",
                        "image/png" => "PNG-afbeelding",
                        "image/jpeg" => "JPEG-afbeelding",
                        other => other,
                    },
                    file_size(a.size)
                ),
                uploaded: format!("{} door {}", local_date_time(a.uploaded_at), a.uploaded_by),
            })
            .collect(),
        events: view
            .events
            .iter()
            .map(|e| EventLine {
                at: local_date_time(e.at),
                change: match e.from_status {
                    Some(from) if from != e.to_status => {
                        format!("{} → {}", from.label(), e.to_status.label())
                    }
                    Some(_) => e.to_status.label().to_owned(),
                    None => format!("Ingediend: {}", e.to_status.label()),
                },
                by: match &e.username {
                    Some(u) => format!("{} ({u})", party_label(&e.party)),
                    None => party_label(&e.party).to_owned(),
                },
                note: e.note.clone(),
            })
            .collect(),
    }
}

/// The notice after a change on the melding page (`?gedaan=`).
fn done_notice(params: &Params, nummer: &str) -> Option<String> {
    Some(match params.get("gedaan").map(String::as_str)? {
        "ingediend" => format!(
            "Uw melding is ontvangen. Het meldingsnummer is {nummer}. Noem dit nummer als u contact heeft met de gemeente."
        ),
        "einddatum" => "De einddatum is opgeslagen.".to_owned(),
        "lesuren" => "De lesuren zijn opgeslagen. De gemeente ziet ze bij de melding.".to_owned(),
        "bijlage" => "De bijlage is toegevoegd.".to_owned(),
        "ingetrokken" => "De melding is ingetrokken.".to_owned(),
        _ => return None,
    })
}

/// What the forms of the melding page hold after a refused post.
#[derive(Debug, Default)]
struct Typed {
    end_date: Option<String>,
    day_spec: Option<String>,
    note: String,
}

async fn detail_page(
    state: &LoketState,
    school: &InSchool,
    nummer: &str,
    notice: Option<String>,
    errors: ErrorList,
    typed: Typed,
) -> Result<Response, WebError> {
    let view = state
        .loket
        .school_melding(&school.user.actor, &school.brin, nummer, state.now())
        .await?;
    let href = format!("{}/{}", base(school), view.nummer);
    let facts = melding_facts(&view, &href);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let max = state.loket.config.max_attachment_bytes;
    let page = render(&SchoolMeldingView {
        layout: layout(&format!("Melding {}", view.nummer), school, Some(&view.nummer)),
        base: href,
        csrf: school.user.csrf_token.clone(),
        notice,
        can_change: school.is_melder() && !view.is_final(),
        can_clone: school.is_melder(),
        clone_href: format!("{}/nieuw?vervolg={}", base(school), view.nummer),
        end_date: FieldView::date(
            "end_date",
            "Einddatum verzuim",
            &typed.end_date.unwrap_or_else(|| {
                view.melding.end_date.map(short_date).unwrap_or_default()
            }),
        )
        .with_errors(&errors),
        day_spec: FieldView::textarea(
            "day_spec",
            "Lesuren per verzuimdag",
            &typed.day_spec.unwrap_or_else(|| view.day_spec_text()),
        )
        .hint("Eén dag per regel: de datum, een dubbele punt en ‘hele dag’ of de gemiste lesuren (1 tot en met 12). Bijvoorbeeld: ‘05-10-2026: hele dag’ of ‘06-10-2026: 1, 2, 5’. Laat het veld leeg om de opgave te wissen.")
        .input_class("mono")
        .rows(6)
        .optional()
        .with_errors(&errors),
        withdraw_note: FieldView::textarea("note", "Toelichting", &typed.note)
            .hint("Waarom trekt u de melding in?")
            .rows(3)
            .optional()
            .with_errors(&errors),
        attachment_error: errors.get("attachment").map(str::to_owned),
        attachment_hint: format!(
            "Een PDF-bestand of een afbeelding (PNG of JPEG) van hoogstens {}. Hoogstens {} bijlagen per melding.",
            file_size(i64::try_from(max).unwrap_or(i64::MAX)),
            state.loket.config.max_attachments
        ),
        errors,
        m: facts,
    })?;
    Ok((status, page).into_response())
}

/// GET `/scholen/{brin}/meldingen/{nummer}`.
pub async fn school_detail(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = done_notice(&params, &nummer);
    detail_page(
        &state,
        &school,
        &nummer,
        notice,
        ErrorList::new(),
        Typed::default(),
    )
    .await
}

/// The end date form.
#[derive(Debug, Deserialize)]
pub struct EndDateForm {
    /// The end date as typed.
    #[serde(default)]
    pub end_date: String,
}

/// POST `/scholen/{brin}/meldingen/{nummer}/einddatum`.
pub async fn end_date(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer)): Path<(String, String)>,
    Form(form): Form<EndDateForm>,
) -> Result<Response, WebError> {
    let result = state
        .loket
        .set_end_date(
            &school.user.actor,
            &school.brin,
            &nummer,
            &form.end_date,
            state.today(),
            state.now(),
        )
        .await;
    after_change(
        &state,
        &school,
        &nummer,
        result,
        "einddatum",
        Typed {
            end_date: Some(form.end_date),
            ..Typed::default()
        },
    )
    .await
}

/// The day specification form.
#[derive(Debug, Deserialize)]
pub struct DaySpecForm {
    /// The lines as typed.
    #[serde(default)]
    pub day_spec: String,
}

/// POST `/scholen/{brin}/meldingen/{nummer}/lesuren` ("Lesuren opgeven").
pub async fn day_spec(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer)): Path<(String, String)>,
    Form(form): Form<DaySpecForm>,
) -> Result<Response, WebError> {
    let result = state
        .loket
        .set_day_spec(
            &school.user.actor,
            &school.brin,
            &nummer,
            &form.day_spec,
            state.today(),
            state.now(),
        )
        .await;
    after_change(
        &state,
        &school,
        &nummer,
        result,
        "lesuren",
        Typed {
            day_spec: Some(form.day_spec),
            ..Typed::default()
        },
    )
    .await
}

/// The withdraw form.
#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    /// Why.
    #[serde(default)]
    pub note: String,
}

/// POST `/scholen/{brin}/meldingen/{nummer}/intrekken`.
pub async fn withdraw(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer)): Path<(String, String)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    let result = state
        .loket
        .withdraw(
            &school.user.actor,
            &school.brin,
            &nummer,
            &form.note,
            state.now(),
        )
        .await;
    after_change(
        &state,
        &school,
        &nummer,
        result,
        "ingetrokken",
        Typed {
            note: form.note,
            ..Typed::default()
        },
    )
    .await
}

/// POST `/scholen/{brin}/meldingen/{nummer}/bijlagen` (multipart: `csrf`, `attachment`).
pub async fn upload(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer)): Path<(String, String)>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("attachment") {
                    let name = field.file_name().unwrap_or("").to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(_) => break,
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                return refuse_upload(
                    &state,
                    &school,
                    &nummer,
                    "het bestand kon niet worden gelezen; probeer het opnieuw of kies een kleiner bestand",
                )
                .await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return refuse_upload(&state, &school, &nummer, "kies een bestand").await;
    };
    let result = state
        .loket
        .add_attachment(
            &school.user.actor,
            &school.brin,
            &nummer,
            &name,
            &bytes,
            state.now(),
        )
        .await
        .map(|_| ());
    after_change(
        &state,
        &school,
        &nummer,
        result,
        "bijlage",
        Typed::default(),
    )
    .await
}

async fn refuse_upload(
    state: &LoketState,
    school: &InSchool,
    nummer: &str,
    reason: &str,
) -> Result<Response, WebError> {
    let errors = ErrorList::single("attachment", reason, &DETAIL_LABELS);
    detail_page(state, school, nummer, None, errors, Typed::default()).await
}

/// After a change: back to the melding with a notice, or the page again with the reasons.
async fn after_change(
    state: &LoketState,
    school: &InSchool,
    nummer: &str,
    result: verzuim_app::loket::Result<()>,
    done: &str,
    typed: Typed,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}/{nummer}?gedaan={done}", base(school))).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &DETAIL_LABELS);
                detail_page(state, school, nummer, None, errors, typed).await
            }
            None => Err(e.into()),
        },
    }
}

/// An attachment as a download: its stored type, `Content-Disposition: attachment`.
pub(crate) fn download_response(file: AttachmentDownload) -> Response {
    let ascii: String = file
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(file.filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let content_type = match file.content_type.as_str() {
        t @ ("application/pdf" | "image/png" | "image/jpeg") => t.to_owned(),
        _ => "application/octet-stream".to_owned(),
    };
    let mut response = file.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    response
}

/// GET `/scholen/{brin}/meldingen/{nummer}/bijlagen/{id}`.
pub async fn school_download(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, nummer, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let file = state
        .loket
        .attachment(
            &school.user.actor,
            &MeldingScope::School(school.brin.clone()),
            &nummer,
            id,
            state.now(),
        )
        .await?;
    Ok(download_response(file))
}
