//! Leerplichtwet 1969 art. 21a (Besluit register onderwijsdeelnemers art. 14): 16 uur
//! ongeoorloofd verzuim in 4 opeenvolgende lesweken.
//!
//! - counted: unauthorized codes that count toward the legal hours and are not "late";
//! - lesweken are weeks with a school day, numbered consecutively so holiday weeks neither
//!   count nor break the sequence;
//! - due when the counted weight in 4 consecutive lesweken reaches 16 units (art. 21a: "in
//!   totaal zestien uren"; DUO's "meer dan 16" is not followed);
//! - the count restarts the day after the previous melding's end (prior ones included);
//! - at most one melding per 7 calendar days: a melding that would end earlier than the previous
//!   end + 7 days ends on the first counted day on or after it instead (DUO soorten verzuim);
//!   when the continuous absence stops before that day, the melding ends on its last day and is
//!   due on the previous end + 7 (the 7-day rule limits how often, not what is reported).

use chrono::NaiveDate;

use crate::engine::{Class, DayAgg, StudentCtx};
use crate::status::under_leerplichtwet;
use crate::units::THRESHOLD;
use crate::{Melding, MeldingKind};

pub(crate) fn find(
    ctx: &StudentCtx<'_>,
    days: &[DayAgg],
    today: NaiveDate,
    out: &mut Vec<Melding>,
) {
    let counts = |d: &DayAgg| d.counted.weight > 0 && under_leerplichtwet(d.status);
    if !days.iter().any(counts) {
        return;
    }
    let engine = ctx.engine;
    let week = |d: &DayAgg| engine.lesweek[usize::from(d.day)];
    let ord = |d: &DayAgg| engine.school.ord[usize::from(d.day)];
    // Whether the continuous absence stops after days[i]: the next school day, up to today, has
    // no counted absence.
    let stops_after = |i: usize| {
        let d = &days[i];
        match days[i + 1..].iter().find(|x| counts(x)) {
            Some(n) if ord(n) == ord(d).saturating_add(1) => false,
            _ => engine
                .school
                .days
                .get(usize::from(ord(d)) + 1)
                .is_some_and(|&n| engine.dates[usize::from(n)] <= today),
        }
    };
    // Previous end (restart the day after it; 7-day limit from it).
    let mut prev_end = ctx
        .student
        .prior_meldingen
        .iter()
        .filter(|m| m.kind == MeldingKind::SixteenHours)
        .map(|m| m.end.unwrap_or(m.begin))
        .max();
    // Window: the counting days in days[lo..=i].
    let mut lo = 0usize;
    let mut sum = 0u32;
    let mut pending = false;
    for (i, d) in days.iter().enumerate() {
        if !counts(d) {
            continue;
        }
        if prev_end.is_some_and(|e| d.date <= e) {
            lo = i + 1;
            continue;
        }
        sum += d.counted.weight;
        if !pending {
            while lo < i && (!counts(&days[lo]) || week(&days[lo]) + 3 < week(d)) {
                if counts(&days[lo]) {
                    sum -= days[lo].counted.weight;
                }
                lo += 1;
            }
        }
        if sum < THRESHOLD && !pending {
            continue;
        }
        let earliest = prev_end.map(|e| StudentCtx::plus(e, 7));
        let mut due = d.date;
        if let Some(e) = earliest.filter(|e| d.date < *e) {
            // Reached within 7 days of the previous melding: wait for the first counted day on
            // or after previous end + 7, unless the continuous absence stops before it; then
            // this melding ends on its last day and is due on previous end + 7.
            pending = true;
            if !stops_after(i) {
                continue;
            }
            if e > today {
                return;
            }
            due = e;
        }
        out.push(emit(ctx, &days[lo..=i], sum, pending, prev_end, due));
        prev_end = Some(d.date);
        lo = i + 1;
        sum = 0;
        pending = false;
    }
}

fn emit(
    ctx: &StudentCtx<'_>,
    days: &[DayAgg],
    sum: u32,
    delayed: bool,
    prev_end: Option<NaiveDate>,
    due: NaiveDate,
) -> Melding {
    let window: Vec<&DayAgg> = days
        .iter()
        .filter(|x| x.counted.weight > 0 && under_leerplichtwet(x.status))
        .collect();
    let end = window.last().map(|l| l.date).unwrap_or(due);
    let begin = window.first().map(|f| f.date).unwrap_or(end);
    let units = crate::units::to_units(sum, ctx.unit);
    let mut explanation = format!(
        "{units} {} ongeoorloofd verzuim van {begin} tot en met {end}, binnen vier opeenvolgende lesweken (vakantieweken tellen niet mee); de grens van 16 is bereikt.",
        ctx.unit_label(),
    );
    if delayed {
        explanation.push_str(
            " Er mag ten hoogste één melding per 7 kalenderdagen zijn: deze melding telt het verzuim tot de eerste verzuimdag op of na 7 dagen na de vorige melding, of tot het einde van het aaneengesloten verzuim als dat eerder stopt.",
        );
    }
    if let Some(e) = prev_end {
        explanation.push_str(&format!(
            " Geteld vanaf de dag na de vorige melding (einde {e})."
        ));
    }
    ctx.melding(
        MeldingKind::SixteenHours,
        &window,
        Class::Counted,
        begin,
        Some(end),
        due,
        crate::rules::sixteen_hours(),
        explanation,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use verzuim_domain::Sector;

    use crate::fixture::*;
    use crate::{MeldingKind, PriorMelding, Unit};

    #[test]
    fn fifteen_lesuren_are_not_enough_and_the_sixteenth_makes_the_melding() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 7), "SP");
        lessons(&mut c, "s1", d(2026, 9, 8), "SP", 7);
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
        lessons(&mut c, "s1", d(2026, 9, 9), "ON", 1);
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].begin, d(2026, 9, 7));
        assert_eq!(m[0].end, Some(d(2026, 9, 9)));
        assert_eq!(m[0].due_on, d(2026, 9, 9));
        assert_eq!(m[0].unit, Unit::Lesuren);
        assert!((m[0].units - 16.0).abs() < 1e-9);
        assert_eq!(m[0].days.len(), 3);
        assert_eq!(m[0].days[2].registrations, vec!["r16".to_owned()]);
        assert_eq!(m[0].duo_code, "V3");
    }

    #[test]
    fn sixteen_hours_reached_on_the_day_of_the_16th_lesson_not_after_today() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 7), "SP");
        day(&mut c, "s1", d(2026, 9, 8), "SP");
        assert!(of_kind(&eval(&c, d(2026, 9, 7)), MeldingKind::SixteenHours).is_empty());
        assert_eq!(
            of_kind(&eval(&c, d(2026, 9, 8)), MeldingKind::SixteenHours).len(),
            1
        );
    }

    #[test]
    fn authorized_and_late_codes_do_not_count() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 7), "ZK");
        day(&mut c, "s1", d(2026, 9, 8), "TO");
        day(&mut c, "s1", d(2026, 9, 9), "SP");
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
    }

    #[test]
    fn absence_more_than_four_lesweken_apart_is_not_added_up() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 7), "SP");
        day(&mut c, "s1", d(2026, 10, 5), "SP"); // 5th lesweek
        assert!(of_kind(&eval(&c, d(2026, 10, 30)), MeldingKind::SixteenHours).is_empty());
        day(&mut c, "s1", d(2026, 10, 2), "SP"); // 4th lesweek
        let e = eval(&c, d(2026, 10, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 9, 7), Some(d(2026, 10, 2)))
        );
    }

    #[test]
    fn holiday_week_does_not_break_four_consecutive_school_weeks() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 28), "SP");
        // Lesweken: 28 Sep, 5 Oct, 12 Oct, (herfstvakantie 19 Oct), 26 Oct.
        day(&mut c, "s1", d(2026, 10, 30), "SP");
        let e = eval(&c, d(2026, 11, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].end, Some(d(2026, 10, 30)));
    }

    #[test]
    fn counting_restarts_after_a_melding_and_continuous_absence_is_reported_weekly() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 25), "SP");
        let e = eval(&c, d(2026, 9, 25));
        let ends: Vec<_> = of_kind(&e, MeldingKind::SixteenHours)
            .iter()
            .map(|m| (m.begin, m.end.unwrap()))
            .collect();
        assert_eq!(
            ends,
            vec![
                (d(2026, 9, 7), d(2026, 9, 8)),
                (d(2026, 9, 9), d(2026, 9, 15)),
                (d(2026, 9, 16), d(2026, 9, 22)),
            ]
        );
    }

    #[test]
    fn continuous_absence_that_stops_within_seven_days_is_still_reported_on_day_seven() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 11), "SP");
        // Back on Monday 14 Sep: the second melding ends on Friday 11 Sep, due on 15 Sep.
        assert_eq!(
            of_kind(&eval(&c, d(2026, 9, 14)), MeldingKind::SixteenHours).len(),
            1
        );
        let e = eval(&c, d(2026, 9, 15));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[1].begin, m[1].end, m[1].due_on),
            (d(2026, 9, 9), Some(d(2026, 9, 11)), d(2026, 9, 15))
        );
        assert!((m[1].units - 24.0).abs() < 1e-9);
        // Still absent and today is Friday: not known yet whether it continues, nothing more.
        assert_eq!(
            of_kind(&eval(&c, d(2026, 9, 11)), MeldingKind::SixteenHours).len(),
            1
        );
    }

    #[test]
    fn a_prior_melding_restarts_the_count_and_starts_the_seven_days() {
        let mut c = case(Sector::Vo);
        c.students[0].prior_meldingen.push(PriorMelding {
            kind: MeldingKind::SixteenHours,
            begin: d(2026, 9, 1),
            end: Some(d(2026, 9, 8)),
        });
        day(&mut c, "s1", d(2026, 9, 8), "SP"); // already reported
        day(&mut c, "s1", d(2026, 9, 9), "SP");
        day(&mut c, "s1", d(2026, 9, 10), "SP");
        day(&mut c, "s1", d(2026, 9, 11), "SP");
        day(&mut c, "s1", d(2026, 9, 14), "SP");
        // 16 reached on 10 Sep, but the absence continues: wait for 15 Sep (8 + 7).
        assert!(of_kind(&eval(&c, d(2026, 9, 14)), MeldingKind::SixteenHours).is_empty());
        day(&mut c, "s1", d(2026, 9, 15), "SP");
        let e = eval(&c, d(2026, 9, 15));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].end, m[0].due_on),
            (d(2026, 9, 9), Some(d(2026, 9, 15)), d(2026, 9, 15))
        );
        assert!((m[0].units - 40.0).abs() < 1e-9);
    }

    #[test]
    fn students_of_18_and_older_get_no_16_uur_melding() {
        let mut c = case(Sector::Mbo);
        c.students[0].birth_date = d(2008, 1, 1);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 9), "SP");
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
    }

    #[test]
    fn fifteen_hours_fifty_nine_minutes_are_not_sixteen() {
        let mut c = case(Sector::Po);
        for date in [d(2026, 9, 7), d(2026, 9, 8), d(2026, 9, 9), d(2026, 9, 10)] {
            c.registrations
                .push(reg("s1", date, t(8, 30), t(12, 30), "SP")); // 4 h
        }
        c.registrations.last_mut().unwrap().end = t(12, 29);
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
        c.registrations
            .push(reg("s1", d(2026, 9, 11), t(8, 30), t(8, 31), "SP"));
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].end, Some(d(2026, 9, 11)));
        assert!((m[0].units - 16.0).abs() < 1e-9);
    }

    #[test]
    fn po_counts_klokuren() {
        let mut c = case(Sector::Po);
        for date in [d(2026, 9, 7), d(2026, 9, 8), d(2026, 9, 9)] {
            c.registrations
                .push(reg("s1", date, t(8, 30), t(12, 0), "SP")); // 3.5 h
        }
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
        c.registrations
            .push(reg("s1", d(2026, 9, 10), t(8, 30), t(14, 0), "SP")); // 5.5 h
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].unit, Unit::Klokuren);
        assert!((m[0].units - 16.0).abs() < 1e-9);
        assert_eq!(m[0].minutes, 960);
    }
}
