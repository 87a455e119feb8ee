//! What an import collects while it reads its files.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};
use verzuim_domain::Batch;

use crate::periods::ImportedPeriod;

/// A registration given by lesson hour only, to be timed from the timetable at the end.
pub(crate) struct Pending {
    /// Index into `batch.registrations`.
    pub index: usize,
    /// The lesson hour.
    pub period: u8,
    /// Header of the lesson-hour column, for errors.
    pub column: String,
}

/// The batch being built and the indexes that find duplicates and lessons.
#[derive(Default)]
pub(crate) struct State {
    pub batch: Batch,
    /// Student number → index in `batch.students`.
    pub students: HashMap<String, usize>,
    /// Username → index in `batch.staff`.
    pub staff_usernames: HashMap<String, usize>,
    /// Staff code → index in `batch.staff`.
    pub staff_codes: HashMap<String, usize>,
    /// Group code → (index in `batch.groups`, file, line).
    pub groups: HashMap<String, (usize, String, u64)>,
    /// (group code, date, start) → index in `batch.lessons`.
    pub lessons: HashMap<(String, NaiveDate, NaiveTime), usize>,
    /// Registrations waiting for their times.
    pub pending: Vec<Pending>,
    /// The school's periods (`periodes` files); not part of the batch: they go into the
    /// calendar.
    pub periods: Vec<ImportedPeriod>,
}
