//! Maandrapportages: the table, the chart with its text alternative, and the CSV download.

use verzuim_testkit::Backend;

use crate::kit::{LPA, MELDER, Seed, UTRECHT, bsn, file, full_melding, spawn_loket};

async fn the_monthly_report_shows_a_table_a_chart_and_downloads_as_csv(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let m = app.login(MELDER).await;
    file(&m, "12AB", &full_melding(&app, &bsn(101), UTRECHT)).await;
    file(&m, "12AB", &full_melding(&app, &bsn(102), UTRECHT)).await;

    let (status, html) = m.get_page("/scholen/12AB/rapportages").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("<svg") && html.contains("role=\"img\""),
        "{html}"
    );
    assert!(
        html.contains("<desc"),
        "chart has a text alternative: {html}"
    );
    assert!(html.contains("id=\"rapportage\""), "{html}");
    assert!(html.contains("Totaal: 2 meldingen"), "{html}");

    let r = m
        .get("/scholen/12AB/rapportages/maandrapportage.csv")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".csv"),
        "{disposition}"
    );
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("maand;soort;soort_omschrijving;status;status_omschrijving;aantal")
    );
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let row = lines.next().unwrap_or_default();
    assert!(
        row.starts_with(&format!("{month};V3;")) && row.ends_with(";R;Geregistreerd;2"),
        "{csv}"
    );

    let lpa = app.login(LPA).await;
    let r = lpa
        .get(&format!(
            "/gemeenten/{UTRECHT}/rapportages/maandrapportage.csv"
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(";2\n"));
    let (status, html) = lpa
        .get_page(&format!("/gemeenten/{UTRECHT}/rapportages"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "{html}");
    app.stop().await;
}
on_both_backends!(the_monthly_report_shows_a_table_a_chart_and_downloads_as_csv);
