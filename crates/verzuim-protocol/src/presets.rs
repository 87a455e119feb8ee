//! The shipped presets: the two seed protocols as rule files (`protocols/*.toml`, embedded in
//! the binary), chosen by name.

/// A shipped rule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Name used to choose it (`vmbo-maastricht-2019`), the file name without `.toml`.
    pub name: &'static str,
    /// The TOML text.
    pub source: &'static str,
}

/// Every shipped preset, by name.
pub const PRESETS: [Preset; 2] = [
    Preset {
        name: "mlg-2020",
        source: include_str!("../../../protocols/mlg-2020.toml"),
    },
    Preset {
        name: "vmbo-maastricht-2019",
        source: include_str!("../../../protocols/vmbo-maastricht-2019.toml"),
    },
];

/// The preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<Preset> {
    PRESETS.into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Protocol;

    #[test]
    fn every_preset_loads() {
        for p in PRESETS {
            let protocol =
                Protocol::from_toml(p.source).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert!(!protocol.steps.is_empty(), "{}", p.name);
        }
        assert!(preset("vmbo-maastricht-2019").is_some());
        assert!(preset("onbekend").is_none());
    }
}
