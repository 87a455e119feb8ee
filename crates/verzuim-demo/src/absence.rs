//! Registrations: what a real school's absence administration looks like after some weeks.
//!
//! Per student and school day the generator fills the day's lessons in order of precedence:
//! whole-day patterns (long absence, suspension, holiday extension, skipped Fridays), then
//! illness (runs of 1–5 days, more in December–February), then class events (excursions,
//! stage weeks), then partial patterns (truancy in set hours, late-coming, removals), then
//! chance events (a dentist, a late bus, an unexplained hour). Unexplained absence starts as
//! `ON`; the older it is, the likelier it was replaced (by `SP`, `SA`, `ZK`, `MB`), as the
//! verzuimcoördinator does every morning (seed 004 §4), but some `ON` stays.

use chrono::{NaiveDate, NaiveTime};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use verzuim_domain::{BatchRegistration, Origin};

use crate::rng::{Stream, rng_for};
use crate::structure::{ClassPlan, PERIODS_PER_DAY, Stroom, period_times};
use crate::students::{BUS_TOWNS, Pattern, StudentPlan};

/// A registration day: date, weekday (Monday = 0), lesweek index, month.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayInfo {
    pub date: NaiveDate,
    pub weekday: usize,
    pub week: usize,
    pub month: u32,
}

/// What the registration generator needs from the school.
pub(crate) struct RegContext<'a> {
    pub seed: u64,
    /// Days with registrations, ascending (school days up to today).
    pub days: &'a [DayInfo],
    /// Index of the day the buses did not run, if any.
    pub bus_day: Option<usize>,
    /// File name put in each row's origin.
    pub origin: &'a str,
}

/// A code put on one lesson.
#[derive(Debug, Clone, Copy)]
struct Mark {
    code: &'static str,
    note: &'static str,
    minutes: Option<u16>,
}

impl Mark {
    fn new(code: &'static str, note: &'static str) -> Self {
        Self {
            code,
            note,
            minutes: None,
        }
    }
}

/// Something a whole class does on a day.
#[derive(Debug, Clone, Copy)]
enum ClassEvent {
    /// Extra activity during lessons `from..=to` (0-based positions in the day).
    Activity {
        from: usize,
        to: usize,
        note: &'static str,
    },
    /// Work placement all day.
    Stage { note: &'static str },
}

/// Illness is commoner in winter (RIVM's flu season peaks December–February).
fn season(month: u32) -> f64 {
    match month {
        12 | 2 => 1.5,
        1 => 1.8,
        3 => 1.1,
        11 => 1.0,
        10 | 4 => 0.8,
        9 | 5 => 0.7,
        _ => 0.55,
    }
}

/// The final code of an unexplained absence `days_ago` school days before today.
fn unexplained(rng: &mut ChaCha8Rng, days_ago: usize, handled_later: bool) -> Mark {
    let x: f64 = rng.random();
    let code = if days_ago <= 1 {
        if x < 0.75 { "ON" } else { "SP" }
    } else if days_ago <= 5 {
        if x < 0.35 {
            "ON"
        } else if x < 0.45 {
            "IB"
        } else {
            "SP"
        }
    } else if x < 0.1 {
        "ON"
    } else if handled_later && x < 0.45 {
        "SA"
    } else {
        "SP"
    };
    let note = match code {
        "SP" => "spijbelen; mentor geïnformeerd",
        "SA" => "spijbelen; uren dubbel ingehaald",
        "IB" => "verzuimcoördinator belt ouders",
        _ => "",
    };
    Mark::new(code, note)
}

/// Whole-class events of class `class` of unit `unit`, as (day index, event).
fn class_events(
    ctx: &RegContext<'_>,
    unit: usize,
    ci: usize,
    class: &ClassPlan,
) -> Vec<(usize, ClassEvent)> {
    let mut rng = rng_for(
        ctx.seed,
        Stream::ClassEvents,
        ((unit as u64) << 16) | ci as u64,
    );
    let mut out = Vec::new();
    let Some(last) = ctx.days.last() else {
        return out;
    };
    const ACTIVITIES: &[&str] = &[
        "excursie Bonnefanten",
        "museumbezoek",
        "theaterbezoek",
        "excursie Aken",
        "voorlichting bureau Halt",
    ];
    // Now and then an activity outside school: about one per class per half year.
    // The week is drawn from the whole block, so a range of a few weeks gets its share only.
    for block in 0..=(last.week / 20) {
        let week = block * 20 + rng.random_range(0..20);
        let days: Vec<usize> = (0..ctx.days.len())
            .filter(|&d| ctx.days[d].week == week)
            .collect();
        if !rng.random_bool(0.6) {
            continue;
        }
        if let Some(&day) = days.choose(&mut rng) {
            let note = ACTIVITIES.choose(&mut rng).copied().unwrap_or("excursie");
            out.push((
                day,
                ClassEvent::Activity {
                    from: 2,
                    to: 4,
                    note,
                },
            ));
        }
    }
    // vmbo 4: three stage days in the tenth lesweek; vmbo 3: a day of snuffelstage in the
    // twentieth.
    if class.track.stroom == Stroom::Vmbo {
        let (week, note, stage_days) = match class.track.level {
            4 => (9, "stage", 3),
            3 => (19, "snuffelstage", 1),
            _ => (usize::MAX, "", 0),
        };
        let days = (0..ctx.days.len()).filter(|&d| ctx.days[d].week == week);
        out.extend(
            days.take(stage_days)
                .map(|d| (d, ClassEvent::Stage { note })),
        );
    }
    out
}

/// Writes the registrations of every student of `class` into `out`.
pub(crate) fn class_registrations(
    ctx: &RegContext<'_>,
    unit: usize,
    ci: usize,
    class: &ClassPlan,
    students: &[StudentPlan],
    out: &mut Vec<BatchRegistration>,
) {
    let events = class_events(ctx, unit, ci, class);
    for sp in students {
        student_registrations(ctx, class, sp, &events, out);
    }
}

fn in_weeks(week: usize, from: usize, to: usize) -> bool {
    from <= week && week <= to
}

/// Registrations of one student.
fn student_registrations(
    ctx: &RegContext<'_>,
    class: &ClassPlan,
    sp: &StudentPlan,
    events: &[(usize, ClassEvent)],
    out: &mut Vec<BatchRegistration>,
) {
    let mut rng = rng_for(ctx.seed, Stream::Student, sp.global);
    let Some(last) = ctx.days.last() else {
        return;
    };
    let anchor = last.week;
    let n_days = ctx.days.len();
    let has = |p: Pattern| sp.patterns.contains(&p);
    let long_absent = has(Pattern::LongAbsent).then(|| (anchor.saturating_sub(5), anchor));
    let long_sick = has(Pattern::LongSick).then(|| {
        let from = anchor.saturating_sub(10);
        (from, from + 3)
    });
    let truant_heavy = has(Pattern::TruantHeavy).then(|| {
        if anchor >= 4 {
            (anchor - 4, anchor - 1)
        } else {
            (0, anchor)
        }
    });
    let fridays = has(Pattern::TruantFridays).then(|| (anchor.saturating_sub(7), anchor));
    let late_heavy = has(Pattern::LateHeavy).then(|| (anchor.saturating_sub(7), anchor));
    let late_moderate = has(Pattern::LateModerate).then(|| (anchor.saturating_sub(9), anchor));
    let suspended = has(Pattern::Suspended).then(|| n_days.saturating_sub(12));
    let troublemaker = has(Pattern::Troublemaker);
    let moderate = has(Pattern::TruantModerate);
    let skip = if truant_heavy.is_some() || fridays.is_some() {
        sp.skip * 6.0
    } else {
        sp.skip
    };
    let by_bus = sp
        .student
        .residence
        .as_ref()
        .is_some_and(|g| BUS_TOWNS.contains(&g.as_str()));

    let mut sick_left = 0u32;
    for (di, day) in ctx.days.iter().enumerate() {
        if !sp.student.enrolled_on(day.date) {
            continue;
        }
        let lessons = &class.week[day.weekday];
        let n = lessons.len().min(PERIODS_PER_DAY);
        if n == 0 {
            continue;
        }
        let days_ago = n_days - 1 - di;
        let mut marks: [Option<Mark>; PERIODS_PER_DAY] = [None; PERIODS_PER_DAY];
        let fill =
            |marks: &mut [Option<Mark>; PERIODS_PER_DAY], from: usize, to: usize, m: Mark| {
                for slot in marks.iter_mut().take(to.min(n - 1) + 1).skip(from) {
                    if slot.is_none() {
                        *slot = Some(m);
                    }
                }
            };

        // Whole-day patterns.
        if let Some((a, b)) = long_absent
            && in_weeks(day.week, a, b)
        {
            let m = if days_ago <= 4 {
                Mark::new("ON", "langdurig afwezig; ouders niet bereikbaar")
            } else {
                Mark::new("SP", "langdurig afwezig; ouders niet bereikbaar")
            };
            fill(&mut marks, 0, n - 1, m);
        }
        if let Some(d) = suspended
            && (di == d || di == d + 1)
        {
            fill(
                &mut marks,
                0,
                n - 1,
                Mark::new("SC", "schorsing na incident"),
            );
        }
        for p in &sp.patterns {
            if let Pattern::HolidayExtension { day: d, approved } = *p
                && d == di
            {
                let m = if approved {
                    Mark::new("VE", "extra verlof (werkgeversverklaring)")
                } else {
                    Mark::new("ON", "vakantie verlengd? ouders niet bereikbaar")
                };
                fill(&mut marks, 0, n - 1, m);
            }
        }
        if let Some((a, b)) = fridays
            && in_weeks(day.week, a, b)
            && day.weekday == 4
            && day.week % 2 == 0
        {
            let m = unexplained(&mut rng, days_ago, false);
            fill(&mut marks, 0, n - 1, m);
        }

        // Illness.
        if let Some((a, b)) = long_sick
            && in_weeks(day.week, a, b)
        {
            fill(
                &mut marks,
                0,
                n - 1,
                Mark::new("ZK", "langdurig ziek (ziekenhuisopname)"),
            );
        }
        if sick_left == 0 {
            let p = 0.011 * sp.sick * season(day.month);
            if rng.random_bool(p.min(1.0)) {
                sick_left = *[1, 1, 1, 2, 2, 2, 3, 3, 4, 5]
                    .choose(&mut rng)
                    .unwrap_or(&1);
                if rng.random_bool(0.15) && n > 2 {
                    // Went home ill during the day (dagcoördinator, seed 004 §3).
                    let from = rng.random_range(1..n);
                    fill(
                        &mut marks,
                        from,
                        n - 1,
                        Mark::new("ZK", "ziek naar huis (dagcoördinator)"),
                    );
                    sick_left -= 1;
                }
            }
        }
        if sick_left > 0 {
            let note = if rng.random_bool(0.5) {
                "ziekgemeld door ouder"
            } else {
                ""
            };
            fill(&mut marks, 0, n - 1, Mark::new("ZK", note));
            sick_left -= 1;
        }

        // Class events.
        for (d, event) in events {
            if *d != di {
                continue;
            }
            match *event {
                ClassEvent::Activity { from, to, note } => {
                    fill(&mut marks, from, to, Mark::new("EA", note))
                }
                ClassEvent::Stage { note } => fill(&mut marks, 0, n - 1, Mark::new("ST", note)),
            }
        }
        if Some(di) == ctx.bus_day && by_bus {
            fill(&mut marks, 0, 0, Mark::new("VP", "busstaking Arriva"));
        }

        // Partial patterns.
        if let Some((a, b)) = truant_heavy
            && in_weeks(day.week, a, b)
        {
            match day.weekday {
                0 | 2 | 4 => {
                    let m = unexplained(&mut rng, days_ago, false);
                    fill(&mut marks, n.saturating_sub(2), n - 1, m);
                }
                3 => {
                    let m = unexplained(&mut rng, days_ago, false);
                    fill(&mut marks, 0, 0, m);
                }
                _ => {}
            }
        }
        if moderate {
            if day.weekday == 1 && rng.random_bool(0.8) {
                let m = unexplained(&mut rng, days_ago, true);
                fill(&mut marks, 0, 0, m);
            }
            if rng.random_bool(0.12) {
                let at = rng.random_range(0..n);
                let m = unexplained(&mut rng, days_ago, true);
                fill(&mut marks, at, at, m);
            }
        }
        let late_now = late_heavy.is_some_and(|(a, b)| {
            in_weeks(day.week, a, b)
                && (day.weekday == 0 || day.weekday == 3 || rng.random_bool(0.15))
        }) || late_moderate
            .is_some_and(|(a, b)| in_weeks(day.week, a, b) && rng.random_bool(0.1));
        if late_now {
            let minutes = rng.random_range(5..=25);
            fill(
                &mut marks,
                0,
                0,
                Mark {
                    code: "TO",
                    note: "",
                    minutes: Some(minutes),
                },
            );
        }
        if troublemaker && rng.random_bool(0.06) {
            let at = rng.random_range(0..n);
            let note = *[
                "verstoort de les",
                "weigert opdracht uit te voeren",
                "brutaal tegen docent",
            ]
            .choose(&mut rng)
            .unwrap_or(&"");
            fill(&mut marks, at, at, Mark::new("UI", note));
        }

        // Chance events.
        if rng.random_bool((0.008 * sp.late).min(1.0)) {
            let minutes = rng.random_range(2..=20);
            let m = if rng.random_bool(0.4) {
                let note = *["bus te laat", "trein vertraagd", "tandarts", "ouder belde"]
                    .choose(&mut rng)
                    .unwrap_or(&"");
                Mark {
                    code: "TG",
                    note,
                    minutes: Some(minutes),
                }
            } else {
                Mark {
                    code: "TO",
                    note: "",
                    minutes: Some(minutes),
                }
            };
            fill(&mut marks, 0, 0, m);
        }
        if rng.random_bool(0.004) {
            let at = rng.random_range(0..n);
            let len = rng.random_range(1..=2);
            let note = *[
                "tandarts",
                "orthodontist",
                "huisarts",
                "fysiotherapie",
                "ziekenhuis",
            ]
            .choose(&mut rng)
            .unwrap_or(&"");
            fill(&mut marks, at, at + len - 1, Mark::new("MB", note));
        }
        if rng.random_bool((0.003 * skip).min(1.0)) {
            let at = rng.random_range(0..n);
            // Unexplained at first; parents often call later with the reason.
            let x: f64 = rng.random();
            let m = if days_ago > 2 && x < 0.3 {
                Mark::new("ZK", "ON vervangen: ouder belde later")
            } else if days_ago > 2 && x < 0.45 {
                Mark::new("MB", "ON vervangen: afspraak huisarts")
            } else {
                unexplained(&mut rng, days_ago, true)
            };
            fill(&mut marks, at, at, m);
        }
        if rng.random_bool(0.001) {
            let at = rng.random_range(0..n);
            fill(&mut marks, at, at, Mark::new("UI", "verstoort de les"));
        }
        if sp.care && rng.random_bool(0.1) {
            let at = rng.random_range(0..n);
            fill(
                &mut marks,
                at,
                at,
                Mark::new("BZ", "gesprek zorgcoördinator"),
            );
        }
        if rng.random_bool(0.001) {
            let at = rng.random_range(0..n);
            let note = *["gesprek decaan", "schoolfotograaf", "leerlingenraad"]
                .choose(&mut rng)
                .unwrap_or(&"");
            fill(&mut marks, at, at, Mark::new("DV", note));
        }
        if rng.random_bool(0.0004) && marks.iter().take(n).all(Option::is_none) {
            let note = *[
                "bruiloft",
                "begrafenis",
                "religieuze feestdag",
                "verhuizing",
            ]
            .choose(&mut rng)
            .unwrap_or(&"");
            fill(&mut marks, 0, n - 1, Mark::new("VE", note));
        }

        for (slot, mark) in lessons.iter().zip(marks.iter()) {
            if let Some(m) = mark {
                let (start, end): (NaiveTime, NaiveTime) = period_times(slot.period);
                out.push(BatchRegistration {
                    student_number: sp.student.student_number.clone(),
                    date: day.date,
                    start,
                    end,
                    code: m.code.to_owned(),
                    note: m.note.to_owned(),
                    minutes_late: m.minutes,
                    origin: Origin {
                        file: ctx.origin.to_owned(),
                        line: 0,
                    },
                });
            }
        }
    }
}
