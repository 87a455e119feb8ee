//! Seeds: every part of the school (a unit, a class, a student) gets its own ChaCha stream
//! derived from the demo seed, so a part can be generated alone and still come out the same.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64 finaliser of `a` and `b`: a well-mixed 64-bit value.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Purposes, so that two streams of the same part never coincide.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Structure = 1,
    Timetable = 2,
    Students = 3,
    Patterns = 4,
    ClassEvents = 5,
    Student = 6,
    School = 7,
}

/// The generator for `purpose` of part `part` under `seed`.
pub(crate) fn rng_for(seed: u64, purpose: Stream, part: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(seed, purpose as u64), part))
}
