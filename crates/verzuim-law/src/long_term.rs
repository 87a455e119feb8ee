//! Leerplichtwet 1969 art. 21a (langdurig relatief verzuim, DUO `LRV`) and WEB art. 8.1.8a
//! (RMC-verzuim): a run of school days on which the student missed every lesson without a valid
//! reason.
//!
//! A run is a sequence of consecutive expected school days (the group's lesson days, else the
//! school days; holidays and weekends do not break it) that are all "whole days" of counted
//! absence. Its *anniversary* is the same weekday 4 lesweken after its first day (lesweken
//! numbered without holiday weeks).
//! - LRV ("langer dan 4 weken", leer-/kwalificatieplichtig): due on the first run day on or
//!   after the anniversary — the run lasted more than 4 lesweken.
//! - RMC ("een aaneengesloten periode van ten minste vier weken", RMC group): due on the last
//!   expected school day before the anniversary — the run lasted at least 4 lesweken.
//!
//! The end stays open (`None`) while the run continues as of `today`; it is the last absent day
//! once the student is back (an expected day after the run up to `today`) or unenrolled.

use chrono::NaiveDate;

use crate::engine::{Class, DayAgg, NO_ORD, StudentCtx};
use crate::status::under_leerplichtwet;
use crate::{LawStatus, Melding, MeldingKind};

pub(crate) fn find(
    ctx: &StudentCtx<'_>,
    days: &[DayAgg],
    today: NaiveDate,
    out: &mut Vec<Melding>,
) {
    // Both kinds need whole days; most students have none (one cheap scan instead of two).
    if !days.iter().any(|d| d.whole_day) {
        return;
    }
    runs(ctx, days, today, MeldingKind::Lrv, out);
    runs(ctx, days, today, MeldingKind::Rmc, out);
}

fn runs(
    ctx: &StudentCtx<'_>,
    days: &[DayAgg],
    today: NaiveDate,
    kind: MeldingKind,
    out: &mut Vec<Melding>,
) {
    let sched = ctx.sched();
    let ord = |d: &DayAgg| sched.ord.get(usize::from(d.day)).copied().unwrap_or(NO_ORD);
    let fits = |d: &DayAgg| {
        d.whole_day
            && ord(d) != NO_ORD
            && match kind {
                MeldingKind::Lrv => under_leerplichtwet(d.status),
                _ => d.status == LawStatus::Rmc,
            }
    };
    if !days.iter().any(fits) {
        return;
    }
    let mut i = 0;
    while i < days.len() {
        if !fits(&days[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < days.len() && fits(&days[j]) && ord(&days[j]) == ord(&days[j - 1]) + 1 {
            j += 1;
        }
        if let Some(m) = run_melding(ctx, &days[i..j], today, kind) {
            out.push(m);
        }
        i = j;
    }
}

fn run_melding(
    ctx: &StudentCtx<'_>,
    run: &[DayAgg],
    today: NaiveDate,
    kind: MeldingKind,
) -> Option<Melding> {
    let engine = ctx.engine;
    let first = run.first()?;
    let last = run.last()?;
    let w = usize::from(engine.lesweek[usize::from(first.day)]);
    let monday = *engine.week_monday.get(w)?;
    let target_monday = *engine.week_monday.get(w + 4)?;
    let offset = u64::try_from((first.date - monday).num_days()).unwrap_or(0);
    let anniversary = StudentCtx::plus(target_monday, offset);
    let due = match kind {
        MeldingKind::Lrv => run.iter().find(|d| d.date >= anniversary)?.date,
        _ => {
            let sched = ctx.sched();
            let p = sched
                .days
                .partition_point(|&d| engine.dates[usize::from(d)] < anniversary);
            let target = engine.dates[usize::from(*sched.days.get(p.checked_sub(1)?)?)];
            if last.date < target {
                return None;
            }
            target
        }
    };
    if due > today {
        return None;
    }
    let sched = ctx.sched();
    let next = sched
        .ord
        .get(usize::from(last.day))
        .and_then(|&o| sched.days.get(usize::from(o) + 1))
        .map(|&d| engine.dates[usize::from(d)]);
    let unenrolled = ctx.student.enrolled_until.is_some_and(|u| u <= today);
    let closed = next.is_some_and(|n| n <= today) || unenrolled;
    let end = closed.then_some(last.date);
    let (what, law) = match kind {
        MeldingKind::Lrv => ("langer dan vier lesweken", "langdurig relatief verzuim"),
        _ => ("ten minste vier weken", "RMC-verzuim"),
    };
    let mut explanation = format!(
        "De leerling heeft vanaf {} op elke schooldag alle lessen ongeoorloofd verzuimd, {what} (vakanties onderbreken dit niet); {law} sinds {due}.",
        first.date
    );
    match end {
        Some(e) => explanation.push_str(&format!(" Laatste verzuimdag: {e}.")),
        None => explanation.push_str(" Het verzuim duurt voort; de einddatum volgt zodra de leerling terug is of is uitgeschreven."),
    }
    let rule = match kind {
        MeldingKind::Lrv => crate::rules::lrv(),
        _ => crate::rules::rmc(),
    };
    let run: Vec<&DayAgg> = run.iter().collect();
    Some(ctx.melding(
        kind,
        &run,
        Class::Counted,
        first.date,
        end,
        due,
        rule,
        explanation,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use verzuim_domain::Sector;

    use crate::MeldingKind;
    use crate::fixture::*;

    #[test]
    fn lrv_is_due_when_the_run_continues_four_lesweken_after_its_first_day() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        assert!(of_kind(&eval(&c, d(2026, 10, 2)), MeldingKind::Lrv).is_empty());
        let e = eval(&c, d(2026, 10, 5));
        let m = of_kind(&e, MeldingKind::Lrv);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].begin, d(2026, 9, 7));
        assert_eq!(m[0].due_on, d(2026, 10, 5));
        assert_eq!(m[0].end, None);
        assert!(m[0].end_when.is_some());
        assert!(m[0].days.iter().all(|s| s.whole_day));
    }

    #[test]
    fn lrv_ends_on_the_last_absent_day_once_the_student_is_back() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        let e = eval(&c, d(2026, 10, 14));
        let m = of_kind(&e, MeldingKind::Lrv);
        assert_eq!(m[0].end, Some(d(2026, 10, 9)));
        assert!(m[0].end_when.is_none());
    }

    #[test]
    fn lrv_ends_when_the_student_is_unenrolled() {
        let mut c = case(Sector::Vo);
        c.students[0].enrolled_until = Some(d(2026, 10, 7));
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        let e = eval(&c, d(2026, 10, 8));
        assert_eq!(of_kind(&e, MeldingKind::Lrv)[0].end, Some(d(2026, 10, 7)));
    }

    #[test]
    fn a_day_with_one_lesson_attended_breaks_the_run() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        c.registrations
            .retain(|r| !(r.date == d(2026, 9, 16) && r.start >= t(11, 0)));
        assert!(of_kind(&eval(&c, d(2026, 10, 9)), MeldingKind::Lrv).is_empty());
    }

    #[test]
    fn a_holiday_does_not_break_the_run_and_does_not_count_as_a_lesweek() {
        let mut c = case(Sector::Vo);
        // Lesweken 12 Oct, (herfst), 26 Oct, 2 Nov, 9 Nov, 16 Nov.
        days(&mut c, "s1", d(2026, 10, 12), d(2026, 11, 16), "SP");
        assert!(of_kind(&eval(&c, d(2026, 11, 13)), MeldingKind::Lrv).is_empty());
        let e = eval(&c, d(2026, 11, 16));
        assert_eq!(of_kind(&e, MeldingKind::Lrv)[0].due_on, d(2026, 11, 16));
    }

    #[test]
    fn rmc_is_due_after_at_least_four_weeks_for_an_adult_without_startkwalificatie() {
        let mut c = case(Sector::Mbo);
        c.students[0].birth_date = d(2007, 1, 1);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 2), "SP");
        let e = eval(&c, d(2026, 10, 2));
        assert!(of_kind(&e, MeldingKind::Lrv).is_empty());
        let m = of_kind(&e, MeldingKind::Rmc);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].due_on, m[0].end),
            (d(2026, 9, 7), d(2026, 10, 2), None)
        );
        assert!(of_kind(&eval(&c, d(2026, 10, 1)), MeldingKind::Rmc).is_empty());
    }

    #[test]
    fn no_rmc_with_a_startkwalificatie_or_from_23() {
        let mut c = case(Sector::Mbo);
        c.students[0].birth_date = d(2007, 1, 1);
        c.students[0].start_qualification = true;
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        assert!(eval(&c, d(2026, 10, 9)).meldingen.is_empty());
        c.students[0].start_qualification = false;
        c.students[0].birth_date = d(2003, 1, 1);
        assert!(eval(&c, d(2026, 10, 9)).meldingen.is_empty());
    }
}
