//! The loket's SOAP endpoint: the [`SoapHandler`] that hands each request, with the peer's
//! certificate, to `Loket::m2m_exchange`, the one place the loket reads the clock for it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use verzuim_app::loket::{Loket, M2mPeer, M2mSettings};

use crate::{SoapHandler, SoapRequest, SoapResponse};

/// Today's date for the loket's rules, from the moment.
pub type TodayFn = dyn Fn(DateTime<Utc>) -> NaiveDate + Send + Sync;

/// The loket behind the machine coupling.
pub struct LoketEndpoint {
    loket: Loket,
    settings: M2mSettings,
    today: Arc<TodayFn>,
}

impl std::fmt::Debug for LoketEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoketEndpoint")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl LoketEndpoint {
    /// The endpoint of `loket`; `today` turns the moment of a request into the date the
    /// loket's rules use (the Netherlands' date in production).
    pub fn new(
        loket: Loket,
        settings: M2mSettings,
        today: impl Fn(DateTime<Utc>) -> NaiveDate + Send + Sync + 'static,
    ) -> Self {
        Self {
            loket,
            settings,
            today: Arc::new(today),
        }
    }
}

impl SoapHandler for LoketEndpoint {
    fn handle(
        &self,
        request: SoapRequest,
    ) -> Pin<Box<dyn Future<Output = SoapResponse> + Send + '_>> {
        Box::pin(async move {
            let now = Utc::now();
            let peer = M2mPeer {
                certificate_der: request.peer_der,
            };
            let reply = self
                .loket
                .m2m_exchange(
                    &self.settings,
                    &peer,
                    request.soap_action.as_deref(),
                    &request.body,
                    (self.today)(now),
                    now,
                )
                .await;
            SoapResponse {
                status: reply.status,
                body: reply.body,
            }
        })
    }
}
