//! The ladder position of one student in words, for `verzuim protocol explain`.

use std::fmt::Write;

use crate::{Protocol, StudentLadder};

/// A Dutch text: per ladder the highest step reached (latest first), the steps reached with
/// reason, evidence, sanction and tasks, and how far the next steps are.
pub fn explain(protocol: &Protocol, ladder: &StudentLadder) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Leerling {} — {}", ladder.student.0, protocol.name);
    for name in protocol.ladders() {
        let reached: Vec<_> = ladder.reached.iter().filter(|r| r.ladder == name).collect();
        let position = reached.iter().max_by_key(|r| {
            (
                r.reached_on,
                protocol.steps.iter().position(|s| s.id == r.step),
            )
        });
        match position {
            Some(p) => {
                let _ = writeln!(
                    out,
                    "\nLadder '{name}': op stap '{}' ({}), bereikt op {} in {}.",
                    p.step,
                    p.title,
                    p.reached_on.format("%d-%m-%Y"),
                    p.instance
                );
            }
            None => {
                let _ = writeln!(out, "\nLadder '{name}': nog geen stap bereikt.");
            }
        }
        for r in &reached {
            let ev: Vec<String> = r.evidence.iter().map(|id| format!("r{}", id.0)).collect();
            let _ = writeln!(out, "  - {} [{}]: {}", r.title, r.key, r.reason);
            if !ev.is_empty() {
                let _ = writeln!(out, "    bewijs: {}", ev.join(", "));
            }
            if let Some(s) = &r.sanction {
                let _ = writeln!(out, "    sanctie: {}", s.describe());
            }
            if let Some(l) = &r.letter {
                let _ = writeln!(out, "    brief: {l}");
            }
            if let Some(m) = r.propose_melding {
                let _ = writeln!(out, "    voorstel DUO-melding: {}", m.duo_code());
            }
            for t in &r.tasks {
                let due = t
                    .due
                    .map(|d| format!(" (uiterlijk {})", d.format("%d-%m-%Y")))
                    .unwrap_or_default();
                let _ = writeln!(out, "    {}{due}: {}", t.role.label(), t.text);
            }
        }
        for p in ladder
            .progress
            .iter()
            .filter(|p| protocol.step(&p.step).is_some_and(|s| s.ladder == name))
        {
            let parts: Vec<String> = p
                .thresholds
                .iter()
                .map(|(c, v, n)| format!("{c} {v} van {n}"))
                .collect();
            let _ = writeln!(
                out,
                "  · volgende: '{}' in {}: {}",
                p.title,
                p.instance,
                parts.join(", ")
            );
        }
    }
    out
}
