//! Leerplichtwet 1969 art. 13a and 14: luxe verzuim — absence without granted leave that
//! adjoins a school holiday, falls in a refused leave request, or carries a leave code
//! (`school.leave_codes`, default `VE`) on a day no granted leave request covers.
//!
//! A day qualifies when it has unauthorized non-late absence (whether or not it counts toward the
//! 16 uur) or a leave-code registration, and
//! - it belongs to a run of such days, each missed entirely (every lesson; the same "whole day"
//!   as for LRV), on consecutive school days, that contains the last school day before a holiday
//!   or the first school day after one (ending before it, starting after it, or bridging it), or
//! - a refused leave request covers it, or
//! - it has a leave code and no granted leave request covers it.
//!
//! Days a granted leave request covers are never luxe verzuim. Each run of qualifying days (consecutive school days) is one melding, reported regardless of
//! the hours, for leer- and kwalificatieplichtigen.

use crate::engine::{Class, DayAgg, NO_ORD, StudentCtx};
use crate::status::under_leerplichtwet;
use crate::{Melding, MeldingKind};

pub(crate) fn find(ctx: &StudentCtx<'_>, days: &[DayAgg], out: &mut Vec<Melding>) {
    let engine = ctx.engine;
    let ord = |d: &DayAgg| {
        engine
            .school
            .ord
            .get(usize::from(d.day))
            .copied()
            .unwrap_or(NO_ORD)
    };
    let absent = |d: &DayAgg| d.luxe.count > 0 && !d.granted_leave && under_leerplichtwet(d.status);
    let away = |d: &DayAgg| absent(d) && d.luxe_whole_day;
    let adjacent = |d: &DayAgg| {
        engine.after_holiday[usize::from(d.day)] || engine.before_holiday[usize::from(d.day)]
    };
    // Every luxe run holds a day like this, so most students stop here without allocating.
    if !days.iter().any(|d| {
        absent(d) && (d.in_refused_leave || d.leave_ungranted || (d.luxe_whole_day && adjacent(d)))
    }) {
        return;
    }
    let mut luxe = vec![false; days.len()];
    let mut any = false;
    for (k, d) in days.iter().enumerate() {
        luxe[k] = absent(d) && (d.in_refused_leave || d.leave_ungranted);
        any |= luxe[k];
    }
    // Runs of whole days away that touch a holiday: ending on the last school day before it,
    // starting on the first school day after it, or both (bridging it).
    let mut i = 0;
    while i < days.len() {
        if !away(&days[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < days.len() && away(&days[j]) && ord(&days[j]) == ord(&days[j - 1]) + 1 {
            j += 1;
        }
        let adjoins = days[i..j].iter().any(adjacent);
        if adjoins {
            for flag in &mut luxe[i..j] {
                *flag = true;
            }
            any = true;
        }
        i = j;
    }
    if !any {
        return;
    }
    let mut i = 0;
    while i < days.len() {
        if !luxe[i] {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < days.len() && luxe[j] && ord(&days[j]) == ord(&days[j - 1]) + 1 {
            j += 1;
        }
        let run: Vec<&DayAgg> = days[i..j].iter().collect();
        let (first, last) = (days[i].date, days[j - 1].date);
        let mut why = Vec::new();
        if run
            .iter()
            .any(|d| engine.before_holiday[usize::from(d.day)] && d.luxe_whole_day)
        {
            why.push("de hele dag direct voor een schoolvakantie");
        }
        if run
            .iter()
            .any(|d| engine.after_holiday[usize::from(d.day)] && d.luxe_whole_day)
        {
            why.push("de hele dag direct na een schoolvakantie");
        }
        if run.iter().any(|d| d.in_refused_leave) {
            why.push("tijdens afgewezen verlof");
        }
        if run.iter().any(|d| d.leave_ungranted) {
            why.push("met een verlofcode zonder toegekend verlof");
        }
        let explanation = format!(
            "Ongeoorloofd afwezig van {first} tot en met {last}, {}; luxe verzuim wordt gemeld ongeacht het aantal uren.",
            why.join(" en ")
        );
        out.push(ctx.melding(
            MeldingKind::Luxe,
            &run,
            Class::Luxe,
            first,
            Some(last),
            last,
            crate::rules::luxe(),
            explanation,
        ));
        i = j;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use verzuim_domain::Sector;

    use crate::fixture::*;
    use crate::{LeaveRequestInput, LeaveStatus, MeldingKind};

    fn leave(
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
        status: LeaveStatus,
    ) -> LeaveRequestInput {
        LeaveRequestInput {
            student: "s1".into(),
            first,
            last,
            status,
        }
    }

    #[test]
    fn absence_on_the_last_days_before_a_holiday_is_luxe_verzuim() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 10, 15), d(2026, 10, 16), "ON");
        let e = eval(&c, d(2026, 10, 30));
        let m = of_kind(&e, MeldingKind::Luxe);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 10, 15), Some(d(2026, 10, 16)))
        );
        assert_eq!(m[0].duo_code, "L");
    }

    #[test]
    fn a_whole_day_absent_after_a_holiday_is_luxe_a_missed_lesson_is_not() {
        let mut c = case(Sector::Vo);
        lessons(&mut c, "s1", d(2026, 10, 26), "SP", 2);
        assert!(of_kind(&eval(&c, d(2026, 10, 30)), MeldingKind::Luxe).is_empty());
        lessons(&mut c, "s1", d(2026, 10, 26), "SP", 8);
        let e = eval(&c, d(2026, 10, 30));
        assert_eq!(of_kind(&e, MeldingKind::Luxe)[0].begin, d(2026, 10, 26));
    }

    #[test]
    fn absence_on_both_sides_of_a_holiday_is_one_luxe_melding() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 10, 16), "SP");
        day(&mut c, "s1", d(2026, 10, 26), "SP");
        let e = eval(&c, d(2026, 10, 30));
        let m = of_kind(&e, MeldingKind::Luxe);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 10, 16), Some(d(2026, 10, 26)))
        );
        assert!((m[0].units - 16.0).abs() < 1e-9);
    }

    #[test]
    fn absence_in_the_middle_of_a_week_is_not_luxe() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 10, 14), "SP");
        assert!(of_kind(&eval(&c, d(2026, 10, 30)), MeldingKind::Luxe).is_empty());
    }

    #[test]
    fn sick_before_a_holiday_is_not_luxe() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 10, 16), "ZK");
        assert!(of_kind(&eval(&c, d(2026, 10, 30)), MeldingKind::Luxe).is_empty());
    }

    #[test]
    fn absence_during_refused_leave_is_luxe() {
        let mut c = case(Sector::Vo);
        c.leave_requests
            .push(leave(d(2026, 11, 4), d(2026, 11, 5), LeaveStatus::Refused));
        days(&mut c, "s1", d(2026, 11, 4), d(2026, 11, 5), "ON");
        let e = eval(&c, d(2026, 11, 30));
        let m = of_kind(&e, MeldingKind::Luxe);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 11, 4), Some(d(2026, 11, 5)))
        );
    }

    #[test]
    fn a_leave_code_without_granted_leave_is_luxe_with_granted_leave_it_is_not() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 11, 11), "VE");
        assert_eq!(
            of_kind(&eval(&c, d(2026, 11, 30)), MeldingKind::Luxe).len(),
            1
        );
        c.leave_requests.push(leave(
            d(2026, 11, 11),
            d(2026, 11, 11),
            LeaveStatus::Granted,
        ));
        assert!(of_kind(&eval(&c, d(2026, 11, 30)), MeldingKind::Luxe).is_empty());
        // Granted leave right before a holiday is not luxe either.
        day(&mut c, "s1", d(2026, 10, 16), "VE");
        c.leave_requests.push(leave(
            d(2026, 10, 16),
            d(2026, 10, 16),
            LeaveStatus::Granted,
        ));
        assert!(of_kind(&eval(&c, d(2026, 11, 30)), MeldingKind::Luxe).is_empty());
    }
}
