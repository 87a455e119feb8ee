//! Synthetic BSNs and onderwijsnummers that pass the 11-proef, unique by construction.
//!
//! A BSN is `d1 d2 … d9` with `9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11)`. The generator fixes
//! `d1` (9 for the first million students, then 8, 7, …), fills `d2…d7` with a seed-dependent
//! permutation of the student's index, and picks `d8` so that the check digit `d9` is a digit.
//! Distinct indices give distinct `d1…d7`, so no two students share a number and no set has
//! to be kept. Onderwijsnummers start with `10` and have remainder 5 (DUO); the leading `10`
//! keeps them apart from the BSNs, which start with 9 or below 9 but never with `10`.

use crate::rng::mix;

const WEIGHTS: [u64; 8] = [9, 8, 7, 6, 5, 4, 3, 2];
const MILLION: u64 = 1_000_000;

/// A valid BSN for `seed` (see [`crate::test_bsn`]): the 8-digit prefix `20_000_000 + 2·seed`,
/// or the one after it when the first would need check digit 10. Two consecutive prefixes never
/// both do: their weighted sums differ by 2, 7, 3, 1, 1, 3, 6 or 9 mod 11 (by the number of
/// carries), never by 0. Seeds get disjoint pairs of prefixes, so the numbers are distinct.
pub(crate) fn test_bsn(seed: u32) -> String {
    let check = |prefix: u64| -> u64 {
        let digits = format!("{prefix:08}");
        let sum: u64 = digits
            .bytes()
            .map(|b| u64::from(b - b'0'))
            .zip(WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        sum % 11
    };
    let base = 20_000_000 + 2 * u64::from(seed);
    let prefix = if check(base) < 10 { base } else { base + 1 };
    format!("{prefix:08}{}", check(prefix))
}

/// Seed-dependent affine permutation of `0..1_000_000`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberPlan {
    a: u64,
    b: u64,
    a_on: u64,
    b_on: u64,
}

impl NumberPlan {
    /// The permutation for `seed`.
    pub fn new(seed: u64) -> Self {
        // Odd and not a multiple of 5: coprime with 10^k, so `a·i + b mod 10^k` is a bijection.
        let coprime = |x: u64, m: u64| {
            let mut a = (x % (m / 2)) * 2 + 1;
            if a.is_multiple_of(5) {
                a += 2;
            }
            a % m
        };
        Self {
            a: coprime(mix(seed, 0xB5), MILLION),
            b: mix(seed, 0xB6) % MILLION,
            a_on: coprime(mix(seed, 0x0E), 100_000),
            b_on: mix(seed, 0x0F) % 100_000,
        }
    }

    /// The BSN of the student with global index `index` (unique per index).
    pub fn bsn(&self, index: u64) -> String {
        let block = index / MILLION;
        let lead = 9u64.saturating_sub(block % 9);
        let middle = (self.a * (index % MILLION) + self.b) % MILLION;
        let mut digits = [0u64; 9];
        digits[0] = lead;
        spread(middle, &mut digits[1..7]);
        let partial: u64 = digits[..7].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        finish(&mut digits, partial, index, 0);
        digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
    }

    /// The onderwijsnummer with index `index` (unique for indices below 100 000).
    pub fn onderwijsnummer(&self, index: u64) -> String {
        let middle = (self.a_on * (index % 100_000) + self.b_on) % 100_000;
        let mut digits = [0u64; 9];
        digits[0] = 1;
        digits[1] = 0;
        spread(middle, &mut digits[2..7]);
        let partial: u64 = digits[..7].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        finish(&mut digits, partial, index, 5);
        digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
    }
}

/// Writes `value`'s decimal digits into `out`, most significant first.
fn spread(mut value: u64, out: &mut [u64]) {
    for slot in out.iter_mut().rev() {
        *slot = value % 10;
        value /= 10;
    }
}

/// Picks `d8` and the check digit `d9` so that the weighted sum has remainder `rem`.
fn finish(digits: &mut [u64; 9], partial: u64, index: u64, rem: u64) {
    let start = mix(index, 0xD8) % 10;
    for step in 0..10 {
        let d8 = (start + step) % 10;
        // sum = partial + 2·d8 − d9 ≡ rem  ⇒  d9 ≡ partial + 2·d8 − rem
        let d9 = (partial + 2 * d8 + 11 - rem) % 11;
        if d9 <= 9 {
            digits[7] = d8;
            digits[8] = d9;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn test_bsns_pass_the_eleven_test_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for seed in (0..200_000).chain([39_999_999]) {
            let bsn = super::test_bsn(seed);
            let parsed = verzuim_domain::PersonalNumber::parse(&bsn);
            assert!(
                matches!(parsed, Ok(verzuim_domain::PersonalNumber::Bsn(_))),
                "{bsn}"
            );
            assert!(seen.insert(bsn), "seed {seed} repeats a number");
        }
    }

    use super::*;
    use verzuim_domain::PersonalNumber;

    #[test]
    fn generated_bsns_pass_the_eleven_test_and_are_unique() {
        let plan = NumberPlan::new(7);
        let mut seen = std::collections::HashSet::new();
        for i in (0..2_100_000).step_by(7) {
            let n = plan.bsn(i);
            assert!(
                matches!(PersonalNumber::parse(&n), Ok(PersonalNumber::Bsn(_))),
                "{n}"
            );
            assert!(seen.insert(n));
        }
    }

    #[test]
    fn generated_onderwijsnummers_are_recognised_as_such() {
        let plan = NumberPlan::new(11);
        for i in 0..500 {
            let n = plan.onderwijsnummer(i);
            assert!(
                matches!(
                    PersonalNumber::parse(&n),
                    Ok(PersonalNumber::Onderwijsnummer(_))
                ),
                "{n}"
            );
        }
    }
}
