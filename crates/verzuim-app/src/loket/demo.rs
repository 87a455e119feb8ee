//! The loket's part of `verzuim demo`: the demo school registered by BRIN with its locations
//! and a contact person, the gemeenten its students live in, one user per role (each with a
//! linked TOTP token whose secret is printed, so a tester can log in with any authenticator
//! app or `verzuim totp SECRET`), the resident register, and meldingen that the law engine
//! found in the demo school's registrations, filed by the melder — some already answered by
//! the leerplichtambtenaar.
//!
//! Everything goes through the loket's public use cases (the same checks as the web), so the
//! demo data is valid data.

use chrono::{DateTime, NaiveDate, Utc};
use verzuim_domain::{Brin, Gemeentecode};
use verzuim_loket::{MeldingInput, TerugmeldingInput};

use super::{ContactInput, LocationInput, Loket, LoketActor, LoketLogin, LoketRole, Result};
use crate::drafts::MeldingDraft;

/// The gemeenten around Maastricht the demo students live in (CBS codes, as in
/// `verzuim-demo`).
pub const DEMO_GEMEENTEN: &[(&str, &str)] = &[
    ("0935", "Maastricht"),
    ("1903", "Eijsden-Margraten"),
    ("0938", "Meerssen"),
    ("0994", "Valkenburg aan de Geul"),
    ("0888", "Beek"),
    ("0986", "Stein"),
    ("0917", "Heerlen"),
    ("0928", "Kerkrade"),
];

/// The demo school as the loket knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketDemoSchool {
    /// BRIN.
    pub brin: Brin,
    /// Name.
    pub name: String,
    /// Sector code (`vo`, …).
    pub sector: String,
    /// Names of its teaching locations.
    pub locations: Vec<String>,
}

/// One printed demo login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketDemoLogin {
    /// Login name.
    pub username: String,
    /// Password (demo only).
    pub password: String,
    /// The TOTP secret (base32) of the linked token.
    pub totp_secret: String,
    /// The role, in Dutch.
    pub role: String,
    /// Display name.
    pub name: String,
}

/// What the demo seeding made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketDemo {
    /// The logins, site admin first.
    pub logins: Vec<LoketDemoLogin>,
    /// Meldingen filed.
    pub meldingen: usize,
    /// Of which answered by a gemeente.
    pub answered: usize,
}

/// Most meldingen of one kind the demo files (the engine finds many luxe-verzuim days in a
/// demo year; a few show the flow).
const PER_KIND: usize = 8;

struct DemoUser {
    username: &'static str,
    name: &'static str,
    role: fn(&Brin) -> LoketRole,
}

const USERS: &[DemoUser] = &[
    DemoUser {
        username: "loket.beheer",
        name: "Beheerder Verzuimloket",
        role: |_| LoketRole::SiteAdmin,
    },
    DemoUser {
        username: "school.beheerder",
        name: "Jeroen Cevat",
        role: |b| LoketRole::Beheerder(b.clone()),
    },
    DemoUser {
        username: "school.melder",
        name: "Marieke de Vries",
        role: |b| LoketRole::Melder(b.clone()),
    },
    DemoUser {
        username: "lpa.maastricht",
        name: "Karin Jansen",
        role: |_| gemeente_role("0935", false),
    },
    DemoUser {
        username: "rmc.maastricht",
        name: "Ruud Hermans",
        role: |_| gemeente_role("0935", true),
    },
    DemoUser {
        username: "lpa.heerlen",
        name: "Sem Bongers",
        role: |_| gemeente_role("0917", false),
    },
];

fn gemeente_role(code: &str, rmc: bool) -> LoketRole {
    match Gemeentecode::parse(code) {
        Ok(g) if rmc => LoketRole::Rmc(g),
        Ok(g) => LoketRole::Leerplichtambtenaar(g),
        Err(_) => LoketRole::SiteAdmin,
    }
}

fn demo_password(username: &str) -> String {
    format!("demo-{}-2026", username.replace('.', "-"))
}

impl Loket {
    /// Fills an empty loket database with the demo (see the module documentation).
    /// `residents` is the resident register (`bsn;gemeentecode` lines); `drafts` are the law
    /// engine's meldingen of the demo school as drafts, which the melder completes and files.
    pub async fn seed_demo(
        &self,
        school: &LoketDemoSchool,
        residents: &str,
        drafts: Vec<MeldingDraft>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<LoketDemo> {
        let admin_user = &USERS[0];
        let admin = self
            .bootstrap_admin(
                admin_user.username,
                admin_user.name,
                &demo_password(admin_user.username),
                now,
            )
            .await?;
        self.add_school(
            &admin,
            school.brin.as_str(),
            &school.name,
            &school.sector,
            now,
        )
        .await?;
        for (code, name) in DEMO_GEMEENTEN {
            self.add_gemeente(&admin, code, name, now).await?;
        }
        let mut logins = Vec::new();
        let mut actors = Vec::new();
        for (i, user) in USERS.iter().enumerate() {
            let password = demo_password(user.username);
            if i > 0 {
                self.create_user(&admin, user.username, user.name, &password, now)
                    .await?;
                self.grant_role(&admin, user.username, (user.role)(&school.brin), now)
                    .await?;
            }
            let (actor, secret) = self.demo_enrol(user.username, &password, now).await?;
            logins.push(LoketDemoLogin {
                username: user.username.to_owned(),
                password,
                totp_secret: secret,
                role: (user.role)(&school.brin).to_string(),
                name: user.name.to_owned(),
            });
            actors.push(actor);
        }
        self.import_residents(&actors[0], residents, now).await?;

        let beheerder = &actors[1];
        let melder = &actors[2];
        for name in &school.locations {
            let input = LocationInput {
                name: name.clone(),
                city: "Maastricht".to_owned(),
                ..LocationInput::default()
            };
            self.add_location(beheerder, &school.brin, &input, now)
                .await?;
        }
        let contact = ContactInput {
            name: USERS[2].name.to_owned(),
            function: "Verzuimcoördinator".to_owned(),
            phone: "043 350 12 34".to_owned(),
            email: "verzuim@demo-school.nl".to_owned(),
            username: USERS[2].username.to_owned(),
        };
        self.add_contact(beheerder, &school.brin, &contact, now)
            .await?;

        let mut filed = Vec::new();
        let mut per_kind: std::collections::HashMap<String, usize> = Default::default();
        for draft in drafts {
            let n = per_kind.entry(draft.input.kind.clone()).or_default();
            if *n >= PER_KIND || draft.input.residence_gemeente.is_empty() {
                continue;
            }
            let input = complete(draft.input);
            // A draft the loket refuses (e.g. a student over 23) is skipped, as a person
            // would after reading the message.
            let Ok(view) = self
                .file_melding(melder, &school.brin, &input, None, today, now)
                .await
            else {
                continue;
            };
            *n += 1;
            if !draft.day_spec.is_empty() {
                let text = draft.day_spec.to_text();
                // The engine's days lie inside the melding's period; a refusal only loses
                // the specification of this one demo melding.
                let _ = self
                    .set_day_spec(melder, &school.brin, &view.nummer, &text, today, now)
                    .await;
            }
            filed.push((view.nummer.clone(), view.routing.gemeente.clone()));
        }

        let mut answered = 0;
        let maastricht = Gemeentecode::parse("0935")?;
        let lpa = &actors[3];
        for (i, (nummer, _)) in filed
            .iter()
            .filter(|(_, g)| *g == maastricht)
            .take(3)
            .enumerate()
        {
            let mut answer = TerugmeldingInput {
                status: "B".to_owned(),
                contact_name: USERS[3].name.to_owned(),
                contact_function: "Leerplichtambtenaar".to_owned(),
                contact_phone: "043 350 40 00".to_owned(),
                contact_email: "leerplicht@demo-maastricht.nl".to_owned(),
                ..TerugmeldingInput::default()
            };
            if i == 0 {
                answer.status = "G".to_owned();
                answer.closing_reason = "TERUG".to_owned();
                answer.explanation = "GEZIEN".to_owned();
            }
            self.answer(lpa, &maastricht, nummer, &answer, now).await?;
            answered += 1;
        }
        Ok(LoketDemo {
            logins,
            meldingen: filed.len(),
            answered,
        })
    }

    /// Logs a demo user in with the password and links a token, as the user would on first
    /// login; gives the actor and the token's secret.
    async fn demo_enrol(
        &self,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<(LoketActor, String)> {
        let session = match self.login(username, password, "", now).await? {
            LoketLogin::EnrolmentNeeded(s) | LoketLogin::Full(s) => s,
        };
        let enrolment = self.start_enrolment(&session.actor).await?;
        let unix = u64::try_from(now.timestamp()).unwrap_or_default();
        let code = verzuim_auth::totp::code_at(&enrolment.secret_base32, unix)
            .map_err(|e| verzuim_domain::ValidationError::new("code", e.to_string()))?;
        self.confirm_enrolment(&session.token, &session.actor, &code, now)
            .await?;
        self.logout(&session.token).await?;
        // The enrolment session's actor may carry no roles; take the user as stored.
        let actor =
            self.load_actor(username)
                .await?
                .ok_or_else(|| super::LoketError::NotFound {
                    what: format!("gebruiker {username}"),
                })?;
        Ok((actor, enrolment.secret_base32))
    }
}

/// What the melder adds to the engine's draft before filing.
fn complete(mut input: MeldingInput) -> MeldingInput {
    let digits: String = input
        .student_number
        .chars()
        .filter(char::is_ascii_digit)
        .take(7)
        .collect();
    input.parent_phone = format!("06{digits:0>8}");
    input.school_actions = "Mentor heeft contact gehad met de ouders; gesprek met de \
                            verzuimcoördinator gevoerd; afspraken vastgelegd in het dossier."
        .to_owned();
    input.action_wanted = "ja".to_owned();
    input.priority = "NORMAAL".to_owned();
    input
}
