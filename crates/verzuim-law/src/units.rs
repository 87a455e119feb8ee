//! Seed 002 "Klokuren of lesuren": the unit a school counts absence in, and the exact integer
//! weights the engine counts with.
//!
//! Every unit is counted in *weight*, an integer scale on which 16 units are [`THRESHOLD`]:
//! a lesuur weighs 60, a klokuur-minute 1 (so a klokuur 60), a dagdeel 192 (5 dagdelen = 16
//! klokuren). No floating point is used until the output.

use verzuim_domain::Sector;

use crate::{CountingSetting, Unit};

/// 16 units (lesuren, klokuren or 5 dagdelen) on the weight scale.
pub const THRESHOLD: u32 = 960;
/// Weight of one lesuur.
pub const LESUUR: u32 = 60;
/// Weight of one dagdeel (5 dagdelen = 16 klokuren, seed 002 "Afwijkende uren").
pub const DAGDEEL: u32 = 192;
/// A lesson or span starting before 12:30 lies in the morning dagdeel (minutes after midnight).
pub const NOON: u16 = 12 * 60 + 30;

/// Weight per displayed unit.
pub fn scale(unit: Unit) -> u32 {
    match unit {
        Unit::Lesuren | Unit::Klokuren => 60,
        Unit::Dagdelen => DAGDEEL,
    }
}

/// Weight as units rounded to 2 decimals.
pub fn to_units(weight: u32, unit: Unit) -> f64 {
    let hundredths =
        (u64::from(weight) * 100 + u64::from(scale(unit)) / 2) / u64::from(scale(unit));
    hundredths as f64 / 100.0
}

/// The counting unit of a (department) sector (seed 002):
/// po/so klokuren; vo/vso lesuren unless a lesuur lasts longer than 60 minutes (`long_lessons`);
/// mbo klokuren unless all programmes are organised in lesuren; a forced setting wins.
pub fn unit_for(
    sector: Sector,
    setting: CountingSetting,
    mbo_all_in_lesuren: bool,
    long_lessons: bool,
) -> Unit {
    match setting {
        CountingSetting::Lesuren => Unit::Lesuren,
        CountingSetting::Klokuren => Unit::Klokuren,
        CountingSetting::Dagdelen => Unit::Dagdelen,
        CountingSetting::Auto => match sector {
            Sector::Po | Sector::So => Unit::Klokuren,
            Sector::Vo | Sector::Vso if long_lessons => Unit::Klokuren,
            Sector::Vo | Sector::Vso => Unit::Lesuren,
            Sector::Mbo if mbo_all_in_lesuren => Unit::Lesuren,
            Sector::Mbo => Unit::Klokuren,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn po_and_so_count_klokuren_vo_lesuren_mbo_klokuren() {
        let a = CountingSetting::Auto;
        assert_eq!(unit_for(Sector::Po, a, false, false), Unit::Klokuren);
        assert_eq!(unit_for(Sector::So, a, false, false), Unit::Klokuren);
        assert_eq!(unit_for(Sector::Vo, a, false, false), Unit::Lesuren);
        assert_eq!(unit_for(Sector::Vso, a, false, false), Unit::Lesuren);
        assert_eq!(unit_for(Sector::Mbo, a, false, false), Unit::Klokuren);
        assert_eq!(unit_for(Sector::Mbo, a, true, false), Unit::Lesuren);
    }

    #[test]
    fn vo_with_lessons_longer_than_an_hour_counts_klokuren() {
        let a = CountingSetting::Auto;
        assert_eq!(unit_for(Sector::Vo, a, false, true), Unit::Klokuren);
    }

    #[test]
    fn a_forced_setting_wins() {
        assert_eq!(
            unit_for(Sector::Po, CountingSetting::Dagdelen, false, false),
            Unit::Dagdelen
        );
        assert_eq!(
            unit_for(Sector::Po, CountingSetting::Lesuren, false, false),
            Unit::Lesuren
        );
    }

    #[test]
    fn sixteen_units_are_the_threshold_in_every_unit() {
        assert_eq!(16 * LESUUR, THRESHOLD);
        assert_eq!(5 * DAGDEEL, THRESHOLD);
        assert!((to_units(THRESHOLD, Unit::Dagdelen) - 5.0).abs() < 1e-9);
        assert!((to_units(50, Unit::Klokuren) - 0.83).abs() < 1e-9);
    }
}
