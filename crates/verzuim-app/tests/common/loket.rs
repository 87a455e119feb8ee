//! The loket world the loket scenarios start from: a migrated loket on a fresh database with a
//! site administrator, schools A (12AB, Sint-Maartenscollege) and B (34CD, Bonnefanten
//! College), gemeenten X (0935, Maastricht) and Y (0917, Heerlen), set up on 5 January 2026.

use chrono::{DateTime, TimeZone, Utc};
use verzuim_app::loket::{ContactInput, LocationInput, Loket, LoketActor, LoketConfig, LoketRole};
use verzuim_domain::{Brin, Gemeentecode};
use verzuim_loket::RetentionPolicy;
use verzuim_store::LoketStore;

use super::{Db, TestDb};

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery";

/// Retention 30 days, attachments of at most 1000 bytes, two per melding.
pub fn config() -> LoketConfig {
    LoketConfig {
        retention: RetentionPolicy { days: 30 },
        max_attachment_bytes: 1000,
        max_attachments: 2,
    }
}

/// When the world was set up.
pub fn set_up_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap()
}

/// The loket, its administrator, two schools and two gemeenten.
pub struct LoketBase {
    pub loket: Loket,
    pub admin: LoketActor,
    pub a: Brin,
    pub b: Brin,
    pub x: Gemeentecode,
    pub y: Gemeentecode,
    pub db: TestDb,
}

impl LoketBase {
    /// The world on `db`; `prefix` and `name` name the PostgreSQL schema. `None` when
    /// PostgreSQL may be skipped and is not there.
    pub async fn new(db: Db, prefix: &str, name: &str) -> Option<Self> {
        let db = TestDb::new(db, prefix, name).await?;
        let store = LoketStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let loket = Loket::new(store, config());
        let t = set_up_at();
        let admin = loket
            .bootstrap_admin("beheer", "Site Beheer", PASSWORD, t)
            .await
            .unwrap();
        let a = loket
            .add_school(&admin, "12AB", "Sint-Maartenscollege", "vo", t)
            .await
            .unwrap();
        let b = loket
            .add_school(&admin, "34CD", "Bonnefanten College", "vo", t)
            .await
            .unwrap();
        let x = loket
            .add_gemeente(&admin, "0935", "Maastricht", t)
            .await
            .unwrap();
        let y = loket
            .add_gemeente(&admin, "0917", "Heerlen", t)
            .await
            .unwrap();
        Some(Self {
            loket,
            admin,
            a,
            b,
            x,
            y,
            db,
        })
    }

    /// A user `username` (display name the same) with `roles`.
    pub async fn user(&self, username: &str, roles: Vec<LoketRole>) -> LoketActor {
        let t = set_up_at();
        self.loket
            .create_user(&self.admin, username, username, PASSWORD, t)
            .await
            .unwrap();
        for r in roles {
            self.loket
                .grant_role(&self.admin, username, r, t)
                .await
                .unwrap();
        }
        self.actor(username).await
    }

    /// The stored user `username` as an actor (with the roles it has now).
    pub async fn actor(&self, username: &str) -> LoketActor {
        self.loket.load_actor(username).await.unwrap().unwrap()
    }

    /// Location "Hoofdgebouw" in Maastricht for `brin`, added by `who`.
    pub async fn location(&self, who: &LoketActor, brin: &Brin) {
        self.loket
            .add_location(
                who,
                brin,
                &LocationInput {
                    name: "Hoofdgebouw".into(),
                    city: "Maastricht".into(),
                    ..LocationInput::default()
                },
                set_up_at(),
            )
            .await
            .unwrap();
    }

    /// A contact person of `brin`, added by `who`; `contact.username` links a login.
    pub async fn contact(&self, who: &LoketActor, brin: &Brin, contact: ContactInput) {
        self.loket
            .add_contact(who, brin, &contact, set_up_at())
            .await
            .unwrap();
    }

    /// Closes the store and removes the database.
    pub async fn close(loket: Loket, db: TestDb) {
        loket.store.close().await;
        db.drop_schema().await;
    }
}
