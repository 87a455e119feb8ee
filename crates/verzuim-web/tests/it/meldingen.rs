//! The "Verzuimmeldingen" page: the verzuimcoördinator sees the law engine's proposals,
//! confirms one through the form (errors beside each field, nothing stored when wrong; the
//! CSRF token is required), sees the melding in the list with its state, and — once the
//! machine coupling stored a nummer and the gemeente's terugmelding — the nummer, status,
//! terugmelding and the message log; adds an end date later. A docent gets 403; another
//! school's coordinator gets 404 for the melding.
//!
//! The school is the demo school (its students have enough unauthorised absence for 16-uur
//! proposals) loaded beside the fixture; the loket's answers are written through the store
//! (the exchange itself is tested in `verzuim-app/tests/m2m_school.rs`).

use chrono::{Duration, TimeZone, Utc};
use verzuim_app::m2m::M2mError;
use verzuim_app::school::Actor;
use verzuim_demo::{DemoSpec, generate};
use verzuim_domain::SchoolRole;
use verzuim_store::{M2mContact, M2mDirection, M2mOutcome, M2mPollUpdate, NewM2mMessage, SchoolId};
use verzuim_testkit::{Backend, Browser, OTHER_SCHOOL_TEACHER, TEACHER};

use crate::start;

async fn meldingen_page_proposes_confirms_and_shows_the_chain(backend: Backend) {
    let app = start(backend).await;
    let today = app.fixture.today;
    let now = Utc.from_utc_datetime(&today.and_hms_opt(8, 0, 0).unwrap());
    let mut spec = DemoSpec::for_today(today).unwrap();
    spec.students = 150;
    let demo = generate(&spec).unwrap();
    let report = app
        .app
        .load_demo(&demo, now - Duration::days(1), verzuim_auth::hash_password)
        .await
        .unwrap();
    let school: SchoolId = report.school;
    let login = demo.login(SchoolRole::AttendanceCoordinator).unwrap();
    let (staff, _) = app
        .store
        .staff_for_login(&login.username)
        .await
        .unwrap()
        .unwrap();
    let actor = Actor::trusted(staff);

    // a docent may not see the page
    let docent = app.new_browser().unwrap();
    assert_eq!(
        docent.login(TEACHER.0, TEACHER.1).await.unwrap().status(),
        303
    );
    assert_eq!(docent.get("/verzuimmeldingen").await.unwrap().status(), 403);

    let vc = app.new_browser().unwrap();
    assert_eq!(
        vc.login(&login.username, &login.password)
            .await
            .unwrap()
            .status(),
        303
    );
    let (status, html) = vc.get_page("/verzuimmeldingen").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("Voorstellen van de verzuimcontrole"),
        "{html}"
    );
    assert!(html.contains("Aanvullen en bevestigen"));
    assert!(html.contains("href=\"/verzuimmeldingen\""), "nav link");

    // the confirm form, filled from the draft
    let proposals = app.app.m2m_proposals(&actor, today, now).await.unwrap();
    let p = proposals
        .iter()
        .find(|p| !p.draft.input.residence_gemeente.is_empty())
        .unwrap();
    let form_page = format!(
        "/verzuimmeldingen/voorstel?sleutel={}",
        url::form_urlencoded::byte_serialize(p.key.as_bytes()).collect::<String>()
    );
    let (status, html) = vc.get_page(&form_page).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains(&format!("value=\"{}\"", p.draft.input.student_number)));
    assert!(html.contains("<label for=\"school_actions\">"));

    let mut fields: Vec<(String, String)> = serde_json::to_value(&p.draft.input)
        .unwrap()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    fields.push(("sleutel".into(), p.key.clone()));
    fields.push(("day_specification".into(), p.draft.day_spec.to_text()));
    let set = |fields: &mut Vec<(String, String)>, k: &str, v: &str| {
        fields.retain(|(f, _)| f != k);
        fields.push((k.to_owned(), v.to_owned()));
    };
    set(&mut fields, "parent_phone", "bel me maar");
    let as_refs = |f: &Vec<(String, String)>| -> Vec<(String, String)> { f.clone() };
    let post = |vc: &Browser, f: Vec<(String, String)>| {
        let vc = vc.clone();
        let form_page = form_page.clone();
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            vc.post_form(&form_page, "/verzuimmeldingen/voorstel", &refs)
                .await
                .unwrap()
        }
    };
    // wrong: errors beside the fields, nothing stored
    let r = post(&vc, as_refs(&fields)).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"school_actions-error\""), "{html}");
    assert!(html.contains("id=\"parent_phone-error\""));
    assert!(html.contains("Er is iets niet goed ingevuld"));
    assert!(html.contains("value=\"bel me maar\""), "typed values stay");
    assert!(app.store.m2m_meldingen(school).await.unwrap().is_empty());

    // without the CSRF token: refused
    let raw: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = vc
        .post_raw("/verzuimmeldingen/voorstel", &raw)
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // right: confirmed, back to the list
    set(&mut fields, "parent_phone", "06 12345678");
    set(
        &mut fields,
        "school_actions",
        "Gesprek met ouders; mentor belt dagelijks.",
    );
    set(&mut fields, "action_wanted", "ja");
    set(&mut fields, "priority", "NORMAAL");
    let r = post(&vc, as_refs(&fields)).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/verzuimmeldingen?bevestigd="),
        "{location}"
    );
    let rows = app.store.m2m_meldingen(school).await.unwrap();
    assert_eq!(rows.len(), 1);
    let id = rows[0].id;
    let (_, html) = vc.get_page(&location).await.unwrap();
    assert!(html.contains("De melding is bevestigd"));
    assert!(html.contains("Bevestigd, wacht op verzending"));
    assert!(
        html.contains(&p.student_name.replace('\'', "&#39;")) || html.contains(&p.student_name)
    );
    assert!(
        !html.contains(&form_page.replace('&', "&amp;")),
        "the proposal is gone"
    );

    // the machine coupling sends it and later brings the terugmelding
    let msg = |direction, body: &str| NewM2mMessage {
        school,
        melding: Some(id),
        direction,
        operation: "MeldenRelatiefVerzuim".into(),
        message_id: Some("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e".into()),
        relates_to: None,
        http_status: Some(200),
        body: body.into(),
        error: None,
        at: now,
    };
    app.store
        .m2m_log_message(&msg(
            M2mDirection::Out,
            "<soapenv:Envelope>melden</soapenv:Envelope>",
        ))
        .await
        .unwrap();
    app.store
        .m2m_record_outcome(
            school,
            id,
            &M2mOutcome::Sent {
                nummer: "VM000000042".into(),
                status: "R".into(),
            },
            &msg(
                M2mDirection::In,
                "<soapenv:Envelope>nummer</soapenv:Envelope>",
            ),
            None,
        )
        .await
        .unwrap();
    let mut poll = msg(M2mDirection::In, "<x/>");
    poll.melding = None;
    poll.operation = "AanvraagGewijzigdeMeldingRelatiefVerzuim".into();
    app.store
        .m2m_apply_poll(
            school,
            &poll,
            &[M2mPollUpdate {
                nummer: "VM000000042".into(),
                status: "G".into(),
                closing_reason: Some("TERUG".into()),
                explanation: Some("GEZIEN".into()),
                withdraw_reason: None,
                contact: Some(M2mContact {
                    name: "Jan Leerplicht".into(),
                    function: "Leerplichtambtenaar".into(),
                    phone: "043 350 00 00".into(),
                    email: "leerplicht@gemeente.nl".into(),
                }),
                process_date: today,
                process_time: "10:00:00.000".into(),
            }],
            "Mg",
            "machinekoppeling",
        )
        .await
        .unwrap();
    let (_, html) = vc.get_page("/verzuimmeldingen").await.unwrap();
    assert!(html.contains("VM000000042"));
    assert!(html.contains("Afgesloten"));
    assert!(html.contains("Jan Leerplicht"));

    // one melding: facts, terugmelding, message log (escaped), change form
    let page = format!("/verzuimmeldingen/{id}");
    let (status, html) = vc.get_page(&page).await.unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("Terug naar school, opleiding hervat"),
        "{html}"
    );
    assert!(html.contains("leerplicht@gemeente.nl"));
    assert!(html.contains("MeldenRelatiefVerzuim"));
    assert!(html.contains("AanvraagGewijzigdeMeldingRelatiefVerzuim"));
    assert!(html.contains("soapenv:Envelope") && html.contains("melden"));
    assert!(
        !html.contains("<soapenv:Envelope>melden"),
        "the envelope is escaped"
    );
    assert!(html.contains("Melding aanvullen"));

    let change = format!("/verzuimmeldingen/{id}/aanvullen");
    let r = vc
        .post_form(
            &page,
            &change,
            &[("end_date", "morgen"), ("day_specification", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("id=\"end_date-error\""));
    let end = today.to_string();
    let r = vc
        .post_form(
            &page,
            &change,
            &[("end_date", &end), ("day_specification", "")],
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = vc.get_page(&format!("{page}?aangevuld=1")).await.unwrap();
    assert!(html.contains("Aanvulling wacht op verzending"));

    // a melding the loket refused: the refusal beside the field, corrected and confirmed again
    let second = proposals
        .iter()
        .find(|q| q.key != p.key && !q.draft.input.residence_gemeente.is_empty())
        .unwrap();
    let mut input = second.draft.input.clone();
    input.school_actions = "Gesprek met de leerling.".into();
    input.action_wanted = "ja".into();
    input.priority = "HOOG".into();
    input.parent_phone = "06 87654321".into();
    let refused_id = app
        .app
        .confirm_melding(
            &actor,
            &verzuim_app::m2m::Confirmation {
                key: second.key.clone(),
                input: input.clone(),
                day_spec: second.draft.day_spec.to_text(),
            },
            today,
            now,
        )
        .await
        .unwrap();
    let mut answer = msg(M2mDirection::In, "<x/>");
    answer.melding = Some(refused_id);
    app.store
        .m2m_record_outcome(
            school,
            refused_id,
            &M2mOutcome::Refused(vec![verzuim_store::M2mRefusal {
                field: Some("location".into()),
                code: "F001".into(),
                message: "'Hoofdgebouw' staat niet in de locaties van de school".into(),
            }]),
            &answer,
            None,
        )
        .await
        .unwrap();
    let refused_page = format!("/verzuimmeldingen/{refused_id}");
    let (status, html) = vc.get_page(&refused_page).await.unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("Verbeteren en opnieuw bevestigen"), "{html}");
    assert!(html.contains("id=\"location-error\""));
    assert!(!html.contains("Melding aanvullen"));
    let fields: Vec<(String, String)> = serde_json::to_value(&input)
        .unwrap()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .chain([(
            "day_specification".to_owned(),
            second.draft.day_spec.to_text(),
        )])
        .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = vc
        .post_form(&refused_page, &format!("{refused_page}/opnieuw"), &refs)
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let row = app
        .store
        .m2m_melding(school, refused_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, verzuim_store::M2mState::Bevestigd);

    // another school's coordinator: not found; the app says the same
    let elders = app.new_browser().unwrap();
    assert_eq!(
        elders
            .login(OTHER_SCHOOL_TEACHER.0, OTHER_SCHOOL_TEACHER.1)
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(elders.get(&page).await.unwrap().status(), 404);
    let (status, html) = elders.get_page("/verzuimmeldingen").await.unwrap();
    assert_eq!(status, 200);
    assert!(!html.contains("VM000000042"));
    assert!(matches!(
        app.app
            .m2m_melding_log(
                &Actor::trusted(
                    app.store
                        .staff_for_login(OTHER_SCHOOL_TEACHER.0)
                        .await
                        .unwrap()
                        .unwrap()
                        .0
                ),
                id,
                now
            )
            .await,
        Err(M2mError::NotFound { .. })
    ));

    // every view was audited for the student
    let audit = app
        .store
        .audit_of_student(school, rows[0].student.unwrap())
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.detail == "verzuimmeldingen"));
    assert!(
        audit
            .iter()
            .any(|a| a.detail.starts_with("verzuimmelding bevestigd"))
    );
    app.stop().await;
}
on_both_backends!(meldingen_page_proposes_confirms_and_shows_the_chain);
