//! Reading a table from a CSV or spreadsheet file: the header row, then the data rows with
//! their line numbers. CSV is streamed with one reused record; a spreadsheet's first sheet is
//! read whole (spreadsheets of school data are small).

use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader as _};

use crate::ImportError;

/// Where a table comes from.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A file on disk.
    Path(&'a Path),
    /// File contents already in memory (an upload).
    Bytes(&'a [u8]),
}

/// The fields of one data row.
enum Fields<'a> {
    Csv(&'a csv::ByteRecord),
    Cells(&'a [String]),
}

/// One data row and its 1-based line (the header is line 1).
pub(crate) struct Row<'a> {
    /// 1-based line of the row in the file; for a spreadsheet, the row number.
    pub line: u64,
    fields: Fields<'a>,
}

impl<'a> Row<'a> {
    /// The raw field at `index`, or `""` when the row is shorter; `Err` when not UTF-8.
    pub fn raw(&self, index: usize) -> Result<&'a str, ()> {
        match self.fields {
            Fields::Csv(record) => match record.get(index) {
                Some(bytes) => std::str::from_utf8(bytes).map_err(|_| ()),
                None => Ok(""),
            },
            Fields::Cells(cells) => Ok(cells.get(index).map_or("", String::as_str)),
        }
    }

    fn is_blank(&self) -> bool {
        match self.fields {
            Fields::Csv(record) => record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)),
            Fields::Cells(cells) => cells.iter().all(|c| c.trim().is_empty()),
        }
    }
}

/// Progress while reading: rows so far, and how far through the input (bytes for CSV, rows
/// for a spreadsheet) out of the total.
pub(crate) struct Tick {
    pub rows: u64,
    pub done: u64,
    pub total: u64,
}

/// A CSV reader over the whole file, with the line count kept by hand: the `csv` crate's
/// record positions count a skipped blank line or a CRLF ending into the next record.
struct CsvLines<'a> {
    reader: csv::Reader<Cursor<Cow<'a, [u8]>>>,
    /// Offset of the reader's byte 0 in the data (3 after a BOM).
    base: usize,
    /// Bytes before this offset have been counted into `line`.
    scanned: usize,
    /// Line number at `scanned`.
    line: u64,
}

impl CsvLines<'_> {
    /// Reads the next record; returns its first line, or `None` at the end.
    fn next(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>, csv::Error> {
        if !self.reader.read_byte_record(record)? {
            return Ok(None);
        }
        let end = self.base + usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
        let data: &[u8] = self.reader.get_ref().get_ref();
        let end = end.min(data.len());
        let mut i = self.scanned.min(end);
        // Line ends left over from the previous record and blank lines come first.
        while i < end && matches!(data[i], b'\n' | b'\r') {
            if data[i] == b'\n' {
                self.line += 1;
            }
            i += 1;
        }
        let first = self.line;
        self.line += data[i..end].iter().filter(|b| **b == b'\n').count() as u64;
        self.scanned = end;
        Ok(Some(first))
    }

    fn byte(&self) -> u64 {
        (self.base as u64) + self.reader.position().byte()
    }
}

enum Inner<'a> {
    Csv(CsvLines<'a>),
    Sheet {
        rows: Vec<Vec<String>>,
        first_line: u64,
    },
}

/// An opened table with its header read.
pub(crate) struct Table<'a> {
    label: &'a str,
    inner: Inner<'a>,
    headers: Vec<String>,
    total: u64,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How often the progress callback is called.
pub(crate) const PROGRESS_EVERY: u64 = 8192;

fn is_spreadsheet(head: &[u8]) -> bool {
    // Zip (xlsx, ods) or OLE2 (xls).
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Picks the separator of a CSV file from its first line: the most frequent of `;`, `,` and
/// tab outside quotes (a Dutch Excel writes `;`, most other tools `,`).
fn detect_separator(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let (mut semi, mut comma, mut tab, mut quoted) = (0usize, 0usize, 0usize, false);
    for b in &head[..line_end] {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => semi += 1,
            b',' if !quoted => comma += 1,
            b'\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if semi >= comma && semi > 0 {
        b';'
    } else {
        b','
    }
}

fn io_error(label: &str, e: &std::io::Error) -> ImportError {
    ImportError::file(label, format!("kan het bestand niet lezen: {e}"))
}

pub(crate) fn not_utf8(label: &str, line: u64, column: &str) -> ImportError {
    ImportError::BadRow {
        file: label.to_owned(),
        line,
        column: column.to_owned(),
        reason: "bevat tekens die geen UTF-8 zijn; sla het bestand op als 'CSV UTF-8'".to_owned(),
    }
}

/// Turns a spreadsheet cell into the text a CSV file would hold: whole numbers without
/// `.0`, dates as `YYYY-MM-DD`, times as `HH:MM`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "ja" } else { "nee" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let value = dt.as_f64();
            let time = if s == 0 {
                format!("{h:02}:{mi:02}")
            } else {
                format!("{h:02}:{mi:02}:{s:02}")
            };
            if dt.is_duration() || value < 1.0 {
                time
            } else if value.fract() == 0.0 {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {time}")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}

impl<'a> Table<'a> {
    /// Opens `input`, detects CSV or spreadsheet, and reads the header row. A file is read
    /// into memory whole (a million registrations are some 50 MB).
    pub fn open(label: &'a str, input: Input<'a>) -> Result<Self, ImportError> {
        let data: Cow<'a, [u8]> = match input {
            Input::Path(path) => Cow::Owned(std::fs::read(path).map_err(|e| io_error(label, &e))?),
            Input::Bytes(bytes) => Cow::Borrowed(bytes),
        };
        if is_spreadsheet(&data) {
            return Self::open_sheet(label, &data);
        }
        let base = if data.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        let separator = detect_separator(&data[base..data.len().min(base + (1 << 16))]);
        let total = data.len() as u64;
        let mut cursor = Cursor::new(data);
        cursor.set_position(base as u64);
        let reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(cursor);
        let mut csv = CsvLines {
            reader,
            base,
            scanned: base,
            line: 1,
        };
        let mut record = csv::ByteRecord::new();
        let Some(line) = csv.next(&mut record).map_err(|e| csv_error(label, &e))? else {
            return Err(ImportError::file(
                label,
                "het bestand is leeg: verwacht een kopregel met kolomnamen",
            ));
        };
        let mut headers = Vec::with_capacity(record.len());
        for field in &record {
            let name = std::str::from_utf8(field).map_err(|_| not_utf8(label, line, "kopregel"))?;
            headers.push(name.trim().to_owned());
        }
        Ok(Self {
            label,
            inner: Inner::Csv(csv),
            headers,
            total,
        })
    }

    fn open_sheet(label: &'a str, bytes: &[u8]) -> Result<Self, ImportError> {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| ImportError::file(label, format!("kan het rekenblad niet lezen: {e}")))?;
        let range = match book.worksheet_range_at(0) {
            Some(Ok(range)) => range,
            Some(Err(e)) => {
                return Err(ImportError::file(
                    label,
                    format!("kan het eerste werkblad niet lezen: {e}"),
                ));
            }
            None => {
                return Err(ImportError::file(
                    label,
                    "het rekenblad heeft geen werkblad",
                ));
            }
        };
        let first_line = range.start().map_or(1, |(row, _)| u64::from(row) + 1);
        let mut rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        if rows.is_empty() {
            return Err(ImportError::file(
                label,
                "het eerste werkblad is leeg: verwacht een kopregel met kolomnamen",
            ));
        }
        let headers = rows
            .remove(0)
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let total = rows.len() as u64;
        Ok(Self {
            label,
            inner: Inner::Sheet {
                rows,
                first_line: first_line + 1,
            },
            headers,
            total,
        })
    }

    /// Column names as written in the header row.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Calls `each` for every non-blank data row, and `progress` every
    /// [`PROGRESS_EVERY`] rows and at the end. Returns the number of rows.
    pub fn for_each_row(
        &mut self,
        progress: &mut dyn FnMut(Tick),
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), ImportError>,
    ) -> Result<u64, ImportError> {
        let mut count = 0u64;
        let total = self.total;
        match &mut self.inner {
            Inner::Csv(csv) => {
                let mut record = csv::ByteRecord::new();
                while let Some(line) = csv
                    .next(&mut record)
                    .map_err(|e| csv_error(self.label, &e))?
                {
                    let row = Row {
                        line,
                        fields: Fields::Csv(&record),
                    };
                    if row.is_blank() {
                        continue;
                    }
                    each(&row)?;
                    count += 1;
                    if count.is_multiple_of(PROGRESS_EVERY) {
                        progress(Tick {
                            rows: count,
                            done: csv.byte(),
                            total,
                        });
                    }
                }
            }
            Inner::Sheet { rows, first_line } => {
                for (i, cells) in rows.iter().enumerate() {
                    let row = Row {
                        line: *first_line + i as u64,
                        fields: Fields::Cells(cells),
                    };
                    if row.is_blank() {
                        continue;
                    }
                    each(&row)?;
                    count += 1;
                    if count.is_multiple_of(PROGRESS_EVERY) {
                        progress(Tick {
                            rows: count,
                            done: i as u64,
                            total,
                        });
                    }
                }
            }
        }
        progress(Tick {
            rows: count,
            done: total,
            total,
        });
        Ok(count)
    }
}

fn csv_error(label: &str, e: &csv::Error) -> ImportError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(io) => io_error(label, io),
        _ if line > 0 => ImportError::BadRow {
            file: label.to_owned(),
            line,
            column: "regel".to_owned(),
            reason: format!("onleesbare CSV-regel: {e}"),
        },
        _ => ImportError::file(label, format!("onleesbaar CSV-bestand: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &[u8]) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let mut table = Table::open("t.csv", Input::Bytes(text)).unwrap();
        let headers = table.headers().to_vec();
        let mut out = Vec::new();
        table
            .for_each_row(&mut |_| {}, &mut |row| {
                let fields = (0..headers.len())
                    .map(|i| row.raw(i).unwrap().to_owned())
                    .collect();
                out.push((row.line, fields));
                Ok(())
            })
            .unwrap();
        (headers, out)
    }

    #[test]
    fn semicolon_comma_and_tab_separators_are_detected() {
        assert_eq!(detect_separator(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_separator(b"a,b,c\n1;2;3"), b',');
        assert_eq!(detect_separator(b"a\tb\n"), b'\t');
        assert_eq!(detect_separator(b"\"a;x\",b\n"), b',');
        assert_eq!(detect_separator(b"a\n"), b',');
    }

    #[test]
    fn bom_is_stripped_and_lines_count_the_header_as_one() {
        let (headers, rows) = rows_of(b"\xEF\xBB\xBFnaam;code\nAnna;ZK\n\n\"Bo\nb\";ON\nCees;SP\n");
        assert_eq!(headers, ["naam", "code"]);
        assert_eq!(rows[0], (2, vec!["Anna".into(), "ZK".into()]));
        assert_eq!(rows[1].0, 4);
        assert_eq!(rows[2].0, 6, "a quoted newline moves the line count on");
    }

    #[test]
    fn crlf_line_ends_and_blank_lines_do_not_shift_the_line_count() {
        let (_, rows) = rows_of(b"h\r\na\r\n\r\nb\r\n\"x\r\ny\"\r\nc");
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4, 5, 7]);
    }

    #[test]
    fn short_rows_read_as_empty_fields() {
        let (_, rows) = rows_of(b"a,b,c\n1\n");
        assert_eq!(rows[0].1, ["1", "", ""]);
    }

    #[test]
    fn empty_file_is_refused() {
        assert!(matches!(
            Table::open("x.csv", Input::Bytes(b"")),
            Err(ImportError::File { .. })
        ));
    }
}
