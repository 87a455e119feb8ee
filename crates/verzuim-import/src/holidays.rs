//! The Rijksoverheid open-data school holidays (infotype `schoolholidays`, JSON output;
//! research/data-formats.md §1.1): an array of documents, each with `content[].vacations[]`
//! holding `type` and `regions[]` of `{region, startdate, enddate}`.
//!
//! `type` may carry stray whitespace and `region` varies in capitals. `startdate` is
//! midnight UTC of the first day and `enddate` is 23:59 Amsterdam time of the inclusive last
//! day, written in UTC (`…T21:59Z` in summer, `…T22:59Z` in winter): both are converted to
//! Amsterdam dates, never truncated in UTC.

use std::path::Path;

use serde_json::Value;
use verzuim_domain::Holiday;
use verzuim_domain::calendar::HolidayRegion;

use crate::ImportError;
use crate::values::parse_date_time;

/// Reads a schoolholidays JSON file.
pub fn read_holidays_json(path: &Path) -> Result<Vec<Holiday>, ImportError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ImportError::file(&label, format!("kan het bestand niet lezen: {e}")))?;
    parse_holidays_json(&label, &text)
}

fn field<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value.get(name).and_then(Value::as_str)
}

/// Parses schoolholidays JSON text; `file` names the source in errors.
pub fn parse_holidays_json(file: &str, text: &str) -> Result<Vec<Holiday>, ImportError> {
    let bad = |reason: String| ImportError::file(file, reason);
    let root: Value = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "geen geldige JSON (regel {}, kolom {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    // The API returns an array of documents; a single document is accepted too.
    let documents = match &root {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        Value::Object(_) => vec![&root],
        _ => {
            return Err(bad(
                "verwacht een lijst met documenten van het type schoolholidays".into(),
            ));
        }
    };
    let mut holidays = Vec::new();
    for document in documents {
        let contents = document
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("een document heeft geen 'content'".into()))?;
        for content in contents {
            let vacations = content
                .get("vacations")
                .and_then(Value::as_array)
                .ok_or_else(|| bad("'content' heeft geen 'vacations'".into()))?;
            for vacation in vacations {
                let name = field(vacation, "type")
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| bad("een vakantie heeft geen 'type'".into()))?;
                let regions = vacation
                    .get("regions")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad(format!("{name}: geen 'regions'")))?;
                for region in regions {
                    holidays.push(holiday(&name, region).map_err(|r| bad(format!("{name}: {r}")))?);
                }
            }
        }
    }
    Ok(holidays)
}

fn holiday(name: &str, region: &Value) -> Result<Holiday, String> {
    let region_name = field(region, "region").ok_or("een regio zonder 'region'")?;
    let region_code = HolidayRegion::try_from(region_name.trim().to_lowercase())
        .map_err(|e| format!("regio '{}': {}", region_name.trim(), e.reason))?;
    let date = |key: &str| -> Result<chrono::NaiveDate, String> {
        let text =
            field(region, key).ok_or_else(|| format!("regio {region_name}: geen '{key}'"))?;
        parse_date_time(text)
            .map(|(date, _)| date)
            .map_err(|r| format!("regio {region_name}, {key}: {r}"))
    };
    let first = date("startdate")?;
    let last = date("enddate")?;
    if last < first {
        return Err(format!(
            "regio {region_name}: de laatste dag {last} ligt voor de eerste {first}"
        ));
    }
    Ok(Holiday {
        name: name.to_owned(),
        region: region_code,
        first,
        last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use verzuim_domain::Region;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const SAMPLE: &str = r#"[{
      "id": "x", "type": "schoolholidays", "canonical": "c", "notice": "n",
      "content": [{
        "title": "Schoolvakanties 2026-2027", "schoolyear": "2026-2027",
        "vacations": [
          {"type": " Herfstvakantie\n ", "compulsorydates": "false", "regions": [
            {"region": "Zuid", "startdate": "2026-10-17T00:00:00.000Z", "enddate": "2026-10-25T22:59:00.000Z"},
            {"region": "noord", "startdate": "2026-10-10T00:00:00.000Z", "enddate": "2026-10-18T21:59:00.000Z"}
          ]},
          {"type": "Kerstvakantie", "compulsorydates": "true", "regions": [
            {"region": "heel Nederland", "startdate": "2026-12-19T00:00:00.000Z", "enddate": "2027-01-03T22:59:00.000Z"}
          ]},
          {"type": "Zomervakantie ", "compulsorydates": "true", "regions": [
            {"region": "zuid", "startdate": "2027-07-17T00:00:00.000Z", "enddate": "2027-08-29T21:59:00.000Z"}
          ]}
        ]
      }]
    }]"#;

    #[test]
    fn holidays_are_read_with_trimmed_names_and_lower_case_regions() {
        let h = parse_holidays_json("vakanties.json", SAMPLE).unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h[0].name, "Herfstvakantie");
        assert_eq!(h[0].region, HolidayRegion::One(Region::Zuid));
        assert_eq!(h[2].region, HolidayRegion::HeelNederland);
        assert_eq!(h[3].name, "Zomervakantie");
    }

    #[test]
    fn end_dates_are_the_inclusive_last_day_in_amsterdam_time() {
        let h = parse_holidays_json("vakanties.json", SAMPLE).unwrap();
        // 22:59Z on 25 October 2026 is 23:59 CET (winter time started that night).
        assert_eq!((h[0].first, h[0].last), (d(2026, 10, 17), d(2026, 10, 25)));
        // 21:59Z on 18 October 2026 is 23:59 CEST.
        assert_eq!(h[1].last, d(2026, 10, 18));
        assert_eq!((h[2].first, h[2].last), (d(2026, 12, 19), d(2027, 1, 3)));
        assert_eq!(h[3].last, d(2027, 8, 29));
    }

    #[test]
    fn a_utc_end_just_before_midnight_amsterdam_is_not_moved_to_the_next_day() {
        let text = SAMPLE.replace("2026-10-25T22:59:00.000Z", "2026-10-25T23:30:00.000Z");
        // 23:30Z is 00:30 on the 26th in Amsterdam: conversion, not truncation.
        let h = parse_holidays_json("v.json", &text).unwrap();
        assert_eq!(h[0].last, d(2026, 10, 26));
    }

    #[test]
    fn unknown_region_and_bad_json_are_refused_in_dutch() {
        let text = SAMPLE.replace("\"Zuid\"", "\"west\"");
        let err = parse_holidays_json("v.json", &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("v.json: Herfstvakantie: regio 'west'"),
            "{err}"
        );
        assert!(
            parse_holidays_json("v.json", "{")
                .unwrap_err()
                .to_string()
                .contains("geen geldige JSON")
        );
    }
}
