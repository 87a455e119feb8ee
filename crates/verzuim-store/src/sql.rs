//! Small helpers shared by the queries: multi-row VALUES lists, LIKE patterns, error mapping.

use std::fmt::Write as _;

use crate::StoreError;

use crate::Dialect;

/// Rows per multi-row INSERT. A row binds at most 13 values, so 1000 rows stay below SQLite's
/// 32766 and PostgreSQL's 65535 bind parameters per statement.
pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

/// The tuples of a multi-row `VALUES` list of `rows` rows, each with `shared` values that all
/// rows have in common (the school, a timestamp) followed by `per_row` values of its own.
///
/// PostgreSQL: the shared values are `$1..$shared`, written in every row and bound once.
/// SQLite: every value is an anonymous `?`, the shared ones bound again for every row. SQLite
/// looks numbered and named parameters up by a linear scan, both when it prepares the
/// statement and when a value is bound by number, so thousands of `$N` in one statement cost
/// time quadratic in their count (measured: 100 000 registrations took 12 s with `$N`).
pub(crate) fn bulk_values(dialect: Dialect, rows: usize, shared: usize, per_row: usize) -> String {
    match dialect {
        Dialect::Postgres => {
            let pre: String = (1..=shared).map(|n| format!("${n}, ")).collect();
            values_rows(rows, per_row, shared + 1, &pre, "")
        }
        Dialect::Sqlite => {
            let tuple = format!("({})", vec!["?"; shared + per_row].join(", "));
            vec![tuple; rows].join(", ")
        }
    }
}

/// The tuples of a multi-row `VALUES` list: `rows` tuples of `per_row` fresh placeholders
/// numbered from `first`, each wrapped as `(<pre>$a, $a+1, …<post>)`. `pre` and `post` hold
/// parameters every row shares (such as `$1` for the school), which both dialects allow to
/// repeat.
pub(crate) fn values_rows(
    rows: usize,
    per_row: usize,
    first: usize,
    pre: &str,
    post: &str,
) -> String {
    let mut sql = String::with_capacity(rows * (per_row * 7 + pre.len() + post.len() + 4));
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(pre);
        for c in 0..per_row {
            if c > 0 {
                sql.push_str(", ");
            }
            // Writing to a String cannot fail.
            let _ = write!(sql, "${n}");
            n += 1;
        }
        sql.push_str(post);
        sql.push(')');
    }
    sql
}

/// A `LIKE` pattern (with `ESCAPE '\'`) that finds `search` anywhere, lower-cased to be
/// compared with `LOWER(column)`.
pub(crate) fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Turns a unique-constraint violation into [`StoreError::Conflict`] on `field`; any other
/// error stays a database error.
pub(crate) fn unique_to_conflict(
    err: sqlx::Error,
    field: &str,
    reason: impl Into<String>,
) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            field: field.to_owned(),
            reason: reason.into(),
        },
        _ => StoreError::Database(err),
    }
}

/// A stored value that does not parse back into its domain type.
pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

/// Converts a stored small number back, refusing values out of range.
pub(crate) fn to_u8(what: &str, value: i16) -> Result<u8, StoreError> {
    u8::try_from(value).map_err(|_| corrupt(what, format!("{value} past niet in 0..=255")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_values_share_parameters_on_postgres_and_repeat_them_on_sqlite() {
        assert_eq!(
            bulk_values(Dialect::Postgres, 2, 1, 2),
            "($1, $2, $3), ($1, $4, $5)"
        );
        assert_eq!(
            bulk_values(Dialect::Sqlite, 2, 1, 2),
            "(?, ?, ?), (?, ?, ?)"
        );
    }

    #[test]
    fn values_rows_numbers_placeholders_and_keeps_shared_ones() {
        assert_eq!(
            values_rows(2, 2, 3, "$1, ", ", $2"),
            "($1, $3, $4, $2), ($1, $5, $6, $2)"
        );
        assert_eq!(values_rows(1, 3, 1, "", ""), "($1, $2, $3)");
    }

    #[test]
    fn like_pattern_escapes_wildcards_and_lowercases() {
        assert_eq!(contains_pattern(" Berg "), "%berg%");
        assert_eq!(contains_pattern("10%_a\\"), "%10\\%\\_a\\\\%");
    }
}
