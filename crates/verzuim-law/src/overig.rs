//! Overig verzuim (DUO `O`, not required by law): proposals a person confirms, never sent
//! automatically.
//! (a) 6 or more unauthorized late arrivals within 4 consecutive lesweken (protocol Maastricht
//!     §7.4 "6x of meer te laat komen in één periode"; "periode" read as the same 4-lesweek
//!     window as the 16-uur rule); counting restarts after each proposal.
//! (b) authorized absence inside a period marked `suspect` (seed 002: a ziekmelding suspected to
//!     hide ongeoorloofd verzuim): one proposal per suspect period.
//! Late arrivals never count toward the 16 uur, so (a) never duplicates a 16-uur melding; (b) is
//! about authorized absence, which a 16-uur melding never contains.

use crate::engine::{Class, DayAgg, StudentCtx};
use crate::status::under_leerplichtwet;
use crate::{Melding, MeldingKind};

/// Late arrivals that make a proposal.
pub const LATE_LIMIT: u32 = 6;

pub(crate) fn find(ctx: &StudentCtx<'_>, days: &[DayAgg], out: &mut Vec<Melding>) {
    if days.iter().any(|d| d.lates > 0) {
        lates(ctx, days, out);
    }
    if !ctx.student.suspect.is_empty() {
        suspect(ctx, days, out);
    }
}

fn lates(ctx: &StudentCtx<'_>, days: &[DayAgg], out: &mut Vec<Melding>) {
    let engine = ctx.engine;
    // The window runs over `days` directly (no list of late days is built unless a proposal
    // is made): `lo` is the first late day in the window, or past the non-late days before it.
    let is_late = |d: &DayAgg| d.lates > 0 && under_leerplichtwet(d.status);
    let week = |d: &DayAgg| engine.lesweek[usize::from(d.day)];
    let (mut lo, mut sum) = (0usize, 0u32);
    for i in 0..days.len() {
        let d = &days[i];
        if !is_late(d) {
            continue;
        }
        sum += u32::from(d.lates);
        while lo < i && (!is_late(&days[lo]) || week(&days[lo]) + 3 < week(d)) {
            if is_late(&days[lo]) {
                sum -= u32::from(days[lo].lates);
            }
            lo += 1;
        }
        if sum >= LATE_LIMIT {
            let window: Vec<&DayAgg> = days[lo..=i].iter().filter(|x| is_late(x)).collect();
            let begin = window.first().map(|f| f.date).unwrap_or(d.date);
            out.push(ctx.melding(
                MeldingKind::Overig,
                &window,
                Class::Late,
                begin,
                Some(d.date),
                d.date,
                crate::rules::overig_late(),
                format!(
                    "Voorstel: {sum} keer ongeoorloofd te laat van {begin} tot en met {} binnen vier opeenvolgende lesweken (6 of meer, protocol §7.4). Overig verzuim is niet wettelijk verplicht; een medewerker beslist.",
                    d.date
                ),
            ));
            lo = i + 1;
            sum = 0;
        }
    }
}

fn suspect(ctx: &StudentCtx<'_>, days: &[DayAgg], out: &mut Vec<Melding>) {
    for s in &ctx.student.suspect {
        let window: Vec<&DayAgg> = days
            .iter()
            .filter(|d| d.authorized && s.first <= d.date && d.date <= s.last)
            .collect();
        let (Some(first), Some(last)) = (window.first(), window.last()) else {
            continue;
        };
        out.push(ctx.melding(
            MeldingKind::Overig,
            &window,
            Class::Authorized,
            first.date,
            Some(last.date),
            last.date,
            crate::rules::overig_suspect(),
            format!(
                "Voorstel: geoorloofd verzuim van {} tot en met {} in een periode ({} – {}) waarin ongeoorloofd verzuim wordt vermoed. Overig verzuim is niet wettelijk verplicht; een medewerker beslist.",
                first.date, last.date, s.first, s.last
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use verzuim_domain::Sector;

    use crate::fixture::*;
    use crate::{DateRange, MeldingKind};

    #[test]
    fn six_late_arrivals_in_four_lesweken_make_a_proposal_five_do_not() {
        let mut c = case(Sector::Vo);
        for k in 0..5 {
            lessons(&mut c, "s1", d(2026, 9, 7 + k), "TO", 1);
        }
        assert!(eval(&c, d(2026, 9, 30)).meldingen.is_empty());
        lessons(&mut c, "s1", d(2026, 9, 14), "TO", 1);
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::Overig);
        assert_eq!(m.len(), 1);
        assert!(m[0].proposal);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 9, 7), Some(d(2026, 9, 14)))
        );
    }

    #[test]
    fn authorized_absence_in_a_suspect_period_is_a_proposal() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 8), "ZK");
        day(&mut c, "s1", d(2026, 9, 22), "ZK");
        assert!(eval(&c, d(2026, 9, 30)).meldingen.is_empty());
        c.students[0].suspect.push(DateRange {
            first: d(2026, 9, 1),
            last: d(2026, 9, 30),
        });
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::Overig);
        assert_eq!(m.len(), 1);
        assert!(m[0].proposal);
        assert_eq!(
            (m[0].begin, m[0].end),
            (d(2026, 9, 8), Some(d(2026, 9, 22)))
        );
    }
}
