//! The errors of the protocol crate: a rule file that does not load ([`ProtocolError`], located
//! by line, column and key path) and input the engine cannot evaluate ([`InputError`]).

/// Why a rule file was refused: where (line and column, 1-based; the TOML key path) and why, in
/// Dutch, saying what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("regel {line}, kolom {column} ({path}): {reason}")]
pub struct ProtocolError {
    /// Line in the file, 1-based.
    pub line: usize,
    /// Column in the line (characters), 1-based.
    pub column: usize,
    /// TOML key path, e.g. `step[3].when.all[0].at_least.counter`; empty when unknown.
    pub path: String,
    /// Why, in Dutch.
    pub reason: String,
}

impl ProtocolError {
    /// Builds an error at byte `offset` of `text`.
    pub(crate) fn at(
        text: &str,
        offset: usize,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, offset);
        Self {
            line,
            column,
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Line and column (1-based, column in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() + 1;
    (line, column)
}

/// Input the engine cannot evaluate the protocol on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A window of kind `period` is used but the input has no school periods.
    #[error(
        "venster '{window}' telt per periode, maar de schoolkalender heeft geen periodes; geef ze op"
    )]
    NoPeriods {
        /// The window.
        window: String,
    },
    /// A school period is malformed or overlaps another.
    #[error("periode '{period}': {reason}")]
    BadPeriod {
        /// The period's name.
        period: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// A manual trigger names a step that does not exist or is not manual.
    #[error("handmatige stap '{step}': {reason}")]
    BadManualTrigger {
        /// The step id given.
        step: String,
        /// Why, in Dutch.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 6), (2, 1));
        assert_eq!(line_column(t, 9), (2, 3));
    }
}
