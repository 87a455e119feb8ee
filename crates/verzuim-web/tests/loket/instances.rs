//! Several loket instances on one database (issue 4: "several instances on one PostgreSQL
//! must work; no in-process state that a second instance would miss"): a session made on
//! one instance works on the other, a TOTP code used on one is refused on the other, failed
//! logins on one throttle the other, and meldingsnummers from both never collide.

use verzuim_testkit::{Backend, Browser};

use crate::kit::{LPA, MELDER, SCHOOL_A, Seed, UTRECHT, bsn, file, full_melding, spawn_loket};

async fn two_instances_share_sessions_tokens_throttle_and_numbers(backend: Backend) {
    let app = spawn_loket(backend, Seed::Full).await;
    let second = app.second_instance().await;

    // A session from instance 1 is valid on instance 2 (same cookie jar, other port).
    let on_first = app.login(MELDER).await;
    let on_second = Browser {
        address: second.address.clone(),
        client: on_first.client.clone(),
    };
    let (status, html) = on_second.get_page("/").await.unwrap();
    assert_eq!(status, 200, "session from instance 1 on instance 2: {html}");
    assert!(html.contains("Mia Melder"), "{html}");

    // A code used to log in on instance 1 is refused on instance 2 (replay).
    let code = app.fresh_code(MELDER.0).await;
    let r = app.post_login(&app.browser(), MELDER, &code).await;
    assert_eq!(r.status(), 303, "login on instance 1");
    let elsewhere = Browser::new(&second.address).unwrap();
    let r = app.post_login(&elsewhere, MELDER, &code).await;
    assert_eq!(r.status(), 401, "the same code again, on instance 2");

    // Meldingen filed alternately on both instances get distinct numbers, all visible on both.
    let mut numbers = Vec::new();
    for i in 0..4u32 {
        let browser = if i % 2 == 0 { &on_first } else { &on_second };
        let fields = full_melding(&app, &bsn(500 + i), UTRECHT);
        numbers.push(file(browser, SCHOOL_A, &fields).await);
    }
    let mut unique = numbers.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "distinct meldingsnummers: {numbers:?}");
    let lpa_first = app.login(LPA).await;
    let lpa_second = Browser {
        address: second.address.clone(),
        client: lpa_first.client.clone(),
    };
    for n in &numbers {
        let (status, _) = lpa_second
            .get_page(&format!("/gemeenten/{UTRECHT}/meldingen/{n}"))
            .await
            .unwrap();
        assert_eq!(status, 200, "melding {n} on instance 2");
    }

    // Five failed logins on instance 1 throttle the user on instance 2.
    let attacker = app.browser();
    for _ in 0..5 {
        let r = app.post_login(&attacker, LPA, "000000").await;
        assert_eq!(r.status(), 401);
    }
    let code = app.fresh_code(LPA.0).await;
    let r = app
        .post_login(&Browser::new(&second.address).unwrap(), LPA, &code)
        .await;
    assert_eq!(r.status(), 429, "throttled on instance 2 too");

    second.stop().await;
    app.stop().await;
}
on_both_backends!(two_instances_share_sessions_tokens_throttle_and_numbers);
