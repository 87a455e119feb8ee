//! `RequireRole<R>`: a handler that asks for a role gets 403 for anyone without it.

use std::sync::Arc;

use axum::routing::get;
use verzuim_testkit::{Backend, COORDINATOR, TEACHER};
use verzuim_web::{AppState, Coordinator, RequireRole, WebConfig};

use crate::start;

async fn page_for_coordinators_refuses_a_docent_with_403(backend: Backend) {
    let app = start(backend).await;
    let state = AppState {
        app: app.app.clone(),
        config: Arc::new(WebConfig::default()),
    };
    let router = axum::Router::new()
        .route(
            "/alleen-vc",
            get(|r: RequireRole<Coordinator>| async move { r.user.actor.name().to_owned() }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alleen-vc", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    // Cookies are not separated by port, so a login on the app's server counts here too.
    let docent = app.new_browser().unwrap();
    assert_eq!(
        docent.login(TEACHER.0, TEACHER.1).await.unwrap().status(),
        303
    );
    let r = docent.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("alleen voor verzuimcoördinator")
    );

    let vc = app.new_browser().unwrap();
    assert_eq!(
        vc.login(COORDINATOR.0, COORDINATOR.1)
            .await
            .unwrap()
            .status(),
        303
    );
    let r = vc.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "Carla Coördinator");

    let anonymous = app.new_browser().unwrap();
    let r = anonymous.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    server.abort();
    app.stop().await;
}
on_both_backends!(page_for_coordinators_refuses_a_docent_with_403);
