//! The school side of a melding: a draft for the Verzuimloket made from what the law engine
//! found and what the school's administration knows about the student. A person confirms
//! and completes the draft (reason, actions taken, phone) before it is sent — the engine
//! proposes, people report (issue 3, rule 7; issue 5, client).

use verzuim_law::{DaySpec, Melding};
use verzuim_loket::{DaySpecEntry, DaySpecification, MeldingInput};
use verzuim_store::{SchoolId, StudentQuery};

use crate::App;
use crate::law::LawUseCaseError;

/// A melding draft: the loket's input fields and the day specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingDraft {
    /// The fields of the melding, filled from the school's administration.
    pub input: MeldingInput,
    /// The verzuimdagspecificatie ("lesuren opgeven") from the engine's evidence.
    pub day_spec: DaySpecification,
}

impl App {
    /// A draft of `melding` (found by the law engine for `school`) for the loket: student
    /// number, names, birth date, residence, startkwalificatie from the administration; kind,
    /// begin and end date, days and hours from the engine; the engine's explanation as the
    /// suspected reason; `location` as the teaching location. Left for a person: the actions
    /// the school took, whether the gemeente should act, and the parent's phone number
    /// (the school's administration in this product does not hold contact details yet).
    pub async fn draft_melding(
        &self,
        school: SchoolId,
        melding: &Melding,
        location: &str,
    ) -> Result<MeldingDraft, LawUseCaseError> {
        let query = StudentQuery {
            search: Some(melding.student.clone()),
            group: None,
            limit: 0,
            offset: 0,
        };
        let row = self
            .store
            .students(school, &query)
            .await?
            .into_iter()
            .find(|r| r.student.student_number == melding.student)
            .ok_or(LawUseCaseError::UnknownStudent(melding.student.clone()))?;
        let s = &row.student;
        let hours = melding.minutes.div_ceil(60);
        let input = MeldingInput {
            student_number: s.personal_number.as_str().to_owned(),
            first_names: s.first_name.clone(),
            prefix: s.name_prefix.clone(),
            surname: s.last_name.clone(),
            birth_date: s.birth_date.to_string(),
            gender: "X".to_owned(),
            residence_gemeente: s
                .residence
                .as_ref()
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            start_qualification: yes_no(s.start_qualification),
            kind: melding.duo_code.clone(),
            begin_date: melding.begin.to_string(),
            end_date: melding.end.map(|d| d.to_string()).unwrap_or_default(),
            suspected_reason: truncate(&melding.explanation, verzuim_loket::melding::MAX_REASON),
            all_lessons_missed: yes_no(melding.days.iter().all(|d| d.whole_day)),
            location: location.to_owned(),
            absence_days: melding.days.len().to_string(),
            absence_hours: hours.to_string(),
            ..MeldingInput::default()
        };
        Ok(MeldingDraft {
            input,
            day_spec: day_spec(&melding.days),
        })
    }
}

fn yes_no(b: bool) -> String {
    if b { "ja" } else { "nee" }.to_owned()
}

/// At most `max` characters, cut at a word with "…" when longer.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    if let Some(space) = out.rfind(' ') {
        out.truncate(space);
    }
    out.push('…');
    out
}

/// The engine's days as the loket's day specification: whole days, or the lesuren when the
/// engine knows them (up to lesuur 12, DUO's maximum); a day with neither is a whole day.
fn day_spec(days: &[DaySpec]) -> DaySpecification {
    DaySpecification(
        days.iter()
            .map(|d| {
                let lesuren: Vec<u8> = d
                    .lesuren
                    .iter()
                    .copied()
                    .filter(|u| (1..=verzuim_loket::dayspec::MAX_LESUUR).contains(u))
                    .collect();
                let whole_day = d.whole_day || lesuren.is_empty();
                DaySpecEntry {
                    date: d.date,
                    whole_day,
                    lesuren: if whole_day { Vec::new() } else { lesuren },
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut_at_a_word() {
        let t = truncate(&"woord ".repeat(60), 200);
        assert!(t.chars().count() <= 200 && t.ends_with('…'));
        assert_eq!(truncate("kort", 200), "kort");
    }
}
