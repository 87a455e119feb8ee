//! Reading a school's data from CSV and spreadsheet files into a [`verzuim_domain::Batch`]:
//! students (`leerlingen`), staff (`personeel`), groups (`klassen`), the timetable
//! (`rooster`) and absence registrations (`registraties`) in verzuim's own format or shaped
//! like a Magister or SOMtoday export, and the school's own periods (`periodes`) for its
//! calendar. Also the Rijksoverheid school-holidays JSON, and the writer of verzuim's own
//! file set.
//!
//! Every value goes through the domain's constructors; the first bad value stops the import
//! with [`ImportError::BadRow`] naming file, line and column, so nothing is half-imported.
//! Column names and formats are documented in `docs/import.md`.

mod columns;
mod error;
mod groups;
mod holidays;
mod importer;
mod lessons;
mod periods;
mod registrations;
mod source;
mod staff;
mod state;
mod students;
mod values;
mod write;

pub use columns::{Column, FileKind, RegistrationFormat, normalize};
pub use error::ImportError;
pub use holidays::{parse_holidays_json, read_holidays_json};
pub use importer::{
    FileOptions, FileSummary, ImportProgress, Imported, Importer, Known, read_files,
};
pub use periods::ImportedPeriod;
pub use source::Input;
pub use write::{write_files, write_periods};
