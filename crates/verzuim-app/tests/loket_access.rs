//! The loket's access rules on SQLite and PostgreSQL: login with password + TOTP (and without
//! a token: enrolment only), one use per code, recovery codes, throttling, the site admin's
//! organisations, users, roles and resident register, and the school's locations and contact
//! persons with their role checks. Each scenario runs on a fresh SQLite file and a fresh
//! PostgreSQL schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use verzuim_app::loket::{
    ContactInput, LocationInput, Loket, LoketActor, LoketConfig, LoketError, LoketLogin, LoketRole,
    SessionStage,
};
use verzuim_auth::totp;
use verzuim_domain::{Brin, Gemeentecode};
use verzuim_store::LoketStore;

mod common;

use common::{Db, TestDb};

const PASSWORD: &str = "correct paard batterij";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn unix(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp()).unwrap()
}

fn brin(s: &str) -> Brin {
    Brin::parse(s).unwrap()
}

/// A migrated loket on one backend, cleaned up by [`Backend::finish`].
struct Backend {
    name: &'static str,
    loket: Loket,
    db: TestDb,
}

impl Backend {
    async fn finish(self) {
        self.loket.store.close().await;
        self.db.drop_schema().await;
    }
}

/// The loket on a fresh SQLite file and (unless `VERZUIM_SKIP_POSTGRES=1` and it is down) on
/// a fresh PostgreSQL schema.
async fn backends(test: &str) -> Vec<Backend> {
    let mut out = Vec::new();
    for db in Db::BOTH {
        let Some(test_db) = TestDb::new(db, "loket", test).await else {
            continue;
        };
        let store = LoketStore::connect(&test_db.url).await.unwrap();
        store.migrate().await.unwrap();
        out.push(Backend {
            name: db.name(),
            loket: Loket::new(store, LoketConfig::default()),
            db: test_db,
        });
    }
    out
}

/// Two schools (12AB, 34CD), a gemeente, and users: a melder and a beheerder of 12AB, a
/// melder and a beheerder of 34CD, and a leerplichtambtenaar.
struct World {
    admin: LoketActor,
    melder_a: LoketActor,
    beheerder_a: LoketActor,
    melder_b: LoketActor,
    beheerder_b: LoketActor,
}

async fn world(loket: &Loket) -> World {
    let t = now();
    let admin = loket
        .bootstrap_admin("beheer", "Site Beheerder", PASSWORD, t)
        .await
        .unwrap();
    loket
        .add_school(&admin, "12ab", "Het Baken", "vo", t)
        .await
        .unwrap();
    loket
        .add_school(&admin, "34CD", "De Vlieger", "po", t)
        .await
        .unwrap();
    loket
        .add_gemeente(&admin, "0935", "Maastricht", t)
        .await
        .unwrap();
    for (username, name, role) in [
        ("melder.a", "Mila Melder", LoketRole::Melder(brin("12AB"))),
        (
            "beheerder.a",
            "Bas Beheer",
            LoketRole::Beheerder(brin("12AB")),
        ),
        ("melder.b", "Mo Melder", LoketRole::Melder(brin("34CD"))),
        (
            "beheerder.b",
            "Bo Beheer",
            LoketRole::Beheerder(brin("34CD")),
        ),
        (
            "lpa",
            "Lotte Leerplicht",
            LoketRole::Leerplichtambtenaar(Gemeentecode::parse("0935").unwrap()),
        ),
    ] {
        loket
            .create_user(&admin, username, name, PASSWORD, t)
            .await
            .unwrap();
        loket.grant_role(&admin, username, role, t).await.unwrap();
    }
    let actor = |u: &'static str| async move { loket.load_actor(u).await.unwrap().unwrap() };
    World {
        melder_a: actor("melder.a").await,
        beheerder_a: actor("beheerder.a").await,
        melder_b: actor("melder.b").await,
        beheerder_b: actor("beheerder.b").await,
        admin,
    }
}

/// Logs in without a token, enrols one at `t`, and returns the secret and recovery codes.
async fn enrol(loket: &Loket, username: &str, t: DateTime<Utc>) -> (String, Vec<String>) {
    let login = loket.login(username, PASSWORD, "", t).await.unwrap();
    let LoketLogin::EnrolmentNeeded(session) = login else {
        panic!("{username}: expected an enrolment session, got {login:?}");
    };
    let enrolment = loket.start_enrolment(&session.actor).await.unwrap();
    let code = totp::code_at(&enrolment.secret_base32, unix(t)).unwrap();
    let codes = loket
        .confirm_enrolment(&session.token, &session.actor, &code, t)
        .await
        .unwrap();
    (enrolment.secret_base32, codes)
}

fn is_bad_credentials<T: std::fmt::Debug>(r: &Result<T, LoketError>) -> bool {
    matches!(r, Err(LoketError::BadCredentials))
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, LoketError>) -> bool {
    matches!(r, Err(LoketError::NotFound { .. }))
}

/// The message for `field` when `r` is a form error.
fn field_error<T: std::fmt::Debug>(r: &Result<T, LoketError>, field: &str) -> Option<String> {
    match r {
        Err(LoketError::Fields(f)) => f.get(field).map(str::to_owned),
        Err(LoketError::Invalid(e)) if e.field == field => Some(e.reason.clone()),
        _ => None,
    }
}

async fn audit_actions(loket: &Loket, admin: &LoketActor) -> Vec<String> {
    let page = loket.audit_log(admin, 1).await.unwrap();
    page.rows.into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn login_needs_password_and_a_fresh_totp_code_after_enrolment() {
    for b in backends("login").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();

        // No token yet: the password alone gives an enrolment-only session.
        let login = loket.login("Melder.A", PASSWORD, "", t).await.unwrap();
        assert_eq!(login.stage(), SessionStage::Enrol, "{}", b.name);
        let session = login.session().clone();
        let signed_in = loket.current(&session.token, t).await.unwrap().unwrap();
        assert_eq!(signed_in.stage, SessionStage::Enrol);
        // An enrolment session holds no roles: nothing but enrolling works with it.
        assert!(signed_in.actor.roles.is_empty());
        assert!(session.actor.roles.is_empty());
        assert!(is_not_found(
            &loket
                .list_locations(&signed_in.actor, &brin("12AB"), "")
                .await
        ));

        // Enrolment: the same pending secret on reload; a QR code as inline SVG.
        let first = loket.start_enrolment(&session.actor).await.unwrap();
        let again = loket.start_enrolment(&session.actor).await.unwrap();
        assert_eq!(first.secret_base32, again.secret_base32);
        assert!(first.qr_svg.starts_with("<svg"), "{}", first.qr_svg);
        assert!(
            first
                .otpauth_url
                .starts_with("otpauth://totp/Verzuimloket:melder.a?")
        );
        let secret = first.secret_base32;

        let code = totp::code_at(&secret, unix(t)).unwrap();
        let wrong_code = if code == "000000" { "000001" } else { "000000" };
        let wrong = loket
            .confirm_enrolment(&session.token, &session.actor, wrong_code, t)
            .await;
        assert!(field_error(&wrong, "code").is_some(), "{wrong:?}");
        let recovery = loket
            .confirm_enrolment(&session.token, &session.actor, &code, t)
            .await
            .unwrap();
        assert_eq!(recovery.len(), 10);
        let upgraded = loket.current(&session.token, t).await.unwrap().unwrap();
        assert_eq!(upgraded.stage, SessionStage::Full);
        assert_eq!(upgraded.actor.roles, vec![LoketRole::Melder(brin("12AB"))]);
        assert_eq!(upgraded.expires_at, t + Duration::hours(8));
        assert!(field_error(&loket.start_enrolment(&w.melder_a).await, "code").is_some());

        // From now on the code is needed.
        assert!(is_bad_credentials(
            &loket.login("melder.a", PASSWORD, "", t).await
        ));
        assert!(is_bad_credentials(
            &loket.login("melder.a", PASSWORD, "12345x", t).await
        ));
        let t1 = t + Duration::seconds(30);
        let code1 = totp::code_at(&secret, unix(t1)).unwrap();
        let full = loket.login("melder.a", PASSWORD, &code1, t1).await.unwrap();
        assert_eq!(full.stage(), SessionStage::Full);
        assert_eq!(full.session().actor, w.melder_a);

        // The same code again (same step): refused; and an older step: refused.
        assert!(is_bad_credentials(
            &loket.login("melder.a", PASSWORD, &code1, t1).await
        ));
        assert!(is_bad_credentials(
            &loket
                .login("melder.a", PASSWORD, &code, t1 + Duration::seconds(1))
                .await
        ));
        // A right code with a wrong password: refused.
        let t2 = t + Duration::seconds(60);
        let code2 = totp::code_at(&secret, unix(t2)).unwrap();
        assert!(is_bad_credentials(
            &loket
                .login("melder.a", "verkeerd wachtwoord", &code2, t2)
                .await
        ));
        // Clock drift of one step: the code of the next step is accepted.
        let t3 = t + Duration::seconds(120);
        let ahead = totp::code_at(&secret, unix(t3) + 30).unwrap();
        assert!(loket.login("melder.a", PASSWORD, &ahead, t3).await.is_ok());

        // Two logins with the same code at once (two instances, say): exactly one wins.
        let t5 = t + Duration::seconds(200);
        let code5 = totp::code_at(&secret, unix(t5)).unwrap();
        let (x, y) = tokio::join!(
            loket.login("melder.a", PASSWORD, &code5, t5),
            loket.login("melder.a", PASSWORD, &code5, t5)
        );
        assert_eq!(
            usize::from(x.is_ok()) + usize::from(y.is_ok()),
            1,
            "{}: {x:?} / {y:?}",
            b.name
        );

        // A recovery code works once, in any case and spacing.
        let typed = recovery[0].to_uppercase().replace('-', " ");
        let t4 = t + Duration::seconds(300);
        let by_recovery = loket.login("melder.a", PASSWORD, &typed, t4).await.unwrap();
        assert_eq!(by_recovery.stage(), SessionStage::Full);
        assert_eq!(loket.recovery_codes_left(&w.melder_a).await.unwrap(), 9);
        assert!(is_bad_credentials(
            &loket.login("melder.a", PASSWORD, &recovery[0], t4).await
        ));

        // Logout ends the session; an expired session is gone too.
        let token = by_recovery.session().token.clone();
        assert!(loket.current(&token, t4).await.unwrap().is_some());
        assert!(
            loket
                .current(&token, t4 + Duration::hours(9))
                .await
                .unwrap()
                .is_none()
        );
        loket.logout(&token).await.unwrap();
        assert!(loket.current(&token, t4).await.unwrap().is_none());
        assert!(loket.current("rommel", t4).await.unwrap().is_none());

        // Unknown users look like wrong passwords.
        assert!(is_bad_credentials(
            &loket.login("niemand", PASSWORD, "123456", t4).await
        ));

        let actions = audit_actions(loket, &w.admin).await;
        for expected in ["login", "totp.enrol", "recovery_code.use"] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{}: no {expected} in {actions:?}",
                b.name
            );
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn five_failures_in_fifteen_minutes_lock_the_username() {
    for b in backends("throttle").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();
        let (secret, _) = enrol(loket, "melder.b", t).await;
        for i in 0..5 {
            let at = t + Duration::seconds(60 + i);
            assert!(is_bad_credentials(
                &loket.login("melder.b", "fout wachtwoord", "", at).await
            ));
        }
        let t1 = t + Duration::minutes(2);
        let code = totp::code_at(&secret, unix(t1)).unwrap();
        let locked = loket.login("melder.b", PASSWORD, &code, t1).await;
        assert!(
            matches!(locked, Err(LoketError::Throttled { minutes: 15 })),
            "{}: {locked:?}",
            b.name
        );
        // Another user is not affected.
        assert!(matches!(
            loket.login("melder.a", PASSWORD, "", t1).await,
            Ok(LoketLogin::EnrolmentNeeded(_))
        ));
        // After the window the right credentials work again.
        let t2 = t + Duration::minutes(17);
        let code = totp::code_at(&secret, unix(t2)).unwrap();
        let login = loket.login("melder.b", PASSWORD, &code, t2).await.unwrap();
        assert_eq!(login.session().actor, w.melder_b);
        b.finish().await;
    }
}

#[tokio::test]
async fn site_admin_resets_a_lost_token_and_only_the_admin_may() {
    for b in backends("reset").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();
        let (secret, _) = enrol(loket, "melder.a", t).await;
        let t1 = t + Duration::seconds(60);
        let code = totp::code_at(&secret, unix(t1)).unwrap();
        let session = loket.login("melder.a", PASSWORD, &code, t1).await.unwrap();

        assert!(is_not_found(
            &loket.reset_totp(&w.beheerder_a, "melder.a", t1).await
        ));
        assert!(is_not_found(
            &loket.reset_totp(&w.admin, "bestaat.niet", t1).await
        ));
        loket.reset_totp(&w.admin, "melder.a", t1).await.unwrap();
        assert!(
            loket
                .current(&session.session().token, t1)
                .await
                .unwrap()
                .is_none(),
            "sessions end with the reset"
        );
        assert_eq!(loket.recovery_codes_left(&w.melder_a).await.unwrap(), 0);
        let again = loket.login("melder.a", PASSWORD, "", t1).await.unwrap();
        assert_eq!(again.stage(), SessionStage::Enrol, "{}", b.name);
        assert_eq!(again.session().expires_at, t1 + Duration::minutes(30));
        let token = again.session().token.clone();
        assert!(
            loket
                .current(&token, t1 + Duration::minutes(31))
                .await
                .unwrap()
                .is_none(),
            "an enrolment session lasts 30 minutes"
        );
        let users = loket.list_users(&w.admin).await.unwrap();
        let row = users.iter().find(|u| u.username == "melder.a").unwrap();
        assert!(!row.totp_enrolled);
        b.finish().await;
    }
}

#[tokio::test]
async fn site_admin_manages_organisations_users_and_roles() {
    for b in backends("admin").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();

        // Only the site admin.
        assert!(is_not_found(&loket.list_users(&w.beheerder_a).await));
        assert!(is_not_found(&loket.list_schools(&w.melder_a).await));
        assert!(is_not_found(
            &loket.add_school(&w.melder_a, "56EF", "X", "vo", t).await
        ));
        assert!(is_not_found(&loket.audit_log(&w.melder_a, 1).await));

        // Field errors, and duplicates.
        let bad = loket.add_school(&w.admin, "123", "", "hbo", t).await;
        for field in ["brin", "name", "sector"] {
            assert!(field_error(&bad, field).is_some(), "{field}: {bad:?}");
        }
        let dup = loket.add_school(&w.admin, "12AB", "Nog een", "vo", t).await;
        assert!(field_error(&dup, "brin").is_some(), "{dup:?}");
        let dup = loket
            .add_gemeente(&w.admin, "GM0935", "Maastricht", t)
            .await;
        assert!(field_error(&dup, "code").is_some(), "{dup:?}");
        let bad = loket.create_user(&w.admin, "x", "", "kort", t).await;
        for field in ["username", "name", "password"] {
            assert!(field_error(&bad, field).is_some(), "{field}: {bad:?}");
        }
        let dup = loket
            .create_user(&w.admin, "MELDER.A", "Ander", PASSWORD, t)
            .await;
        assert!(field_error(&dup, "username").is_some(), "{dup:?}");
        let unknown_school = loket
            .grant_role(&w.admin, "melder.a", LoketRole::Melder(brin("99ZZ")), t)
            .await;
        assert!(
            field_error(&unknown_school, "organisation").is_some(),
            "{unknown_school:?}"
        );

        // Lists.
        let schools = loket.list_schools(&w.admin).await.unwrap();
        assert_eq!(
            schools.iter().map(|s| s.brin.as_str()).collect::<Vec<_>>(),
            ["12AB", "34CD"]
        );
        assert_eq!(loket.list_gemeenten(&w.admin).await.unwrap().len(), 1);
        let orgs = loket.organisations_of(&w.beheerder_a).await.unwrap();
        assert_eq!(orgs.schools.len(), 1);
        assert_eq!(orgs.schools[0].name, "Het Baken");

        // Roles: grant twice is fine, revoke takes effect in the next actor.
        loket
            .grant_role(&w.admin, "melder.a", LoketRole::Beheerder(brin("12AB")), t)
            .await
            .unwrap();
        loket
            .grant_role(&w.admin, "melder.a", LoketRole::Beheerder(brin("12AB")), t)
            .await
            .unwrap();
        let a = loket.load_actor("melder.a").await.unwrap().unwrap();
        assert!(a.is_beheerder(&brin("12AB")) && a.is_melder(&brin("12AB")));
        loket
            .revoke_role(&w.admin, "melder.a", LoketRole::Beheerder(brin("12AB")), t)
            .await
            .unwrap();
        let a = loket.load_actor("melder.a").await.unwrap().unwrap();
        assert!(!a.is_beheerder(&brin("12AB")));
        let users = loket.list_users(&w.admin).await.unwrap();
        let row = users.iter().find(|u| u.username == "melder.a").unwrap();
        assert_eq!(row.roles, vec![LoketRole::Melder(brin("12AB"))]);
        assert!(
            field_error(
                &loket
                    .revoke_role(&w.admin, "beheer", LoketRole::SiteAdmin, t)
                    .await,
                "role"
            )
            .is_some()
        );

        // Bootstrap: idempotent for the same admin, refused for another.
        let same = loket
            .bootstrap_admin("beheer", "Site Beheerder", PASSWORD, t)
            .await
            .unwrap();
        assert_eq!(same.user_id, w.admin.user_id);
        assert!(
            field_error(
                &loket.bootstrap_admin("tweede", "Tweede", PASSWORD, t).await,
                "username"
            )
            .is_some()
        );

        // Blocking ends the sessions and refuses the login.
        let session = loket.login("melder.b", PASSWORD, "", t).await.unwrap();
        loket
            .set_active(&w.admin, "melder.b", false, t)
            .await
            .unwrap();
        assert!(
            loket
                .current(&session.session().token, t)
                .await
                .unwrap()
                .is_none()
        );
        assert!(is_bad_credentials(
            &loket.login("melder.b", PASSWORD, "", t).await
        ));
        loket
            .set_active(&w.admin, "melder.b", true, t)
            .await
            .unwrap();
        loket
            .set_password(&w.admin, "melder.b", "een nieuw wachtwoord", t)
            .await
            .unwrap();
        assert!(
            loket
                .login("melder.b", "een nieuw wachtwoord", "", t)
                .await
                .is_ok()
        );

        let actions = audit_actions(loket, &w.admin).await;
        for expected in [
            "school.add",
            "gemeente.add",
            "user.create",
            "role.grant",
            "role.revoke",
            "user.block",
            "user.password",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{}: no {expected} in {actions:?}",
                b.name
            );
        }
        b.finish().await;
    }
}

#[tokio::test]
async fn resident_register_import_is_all_or_nothing_with_the_line_in_the_error() {
    for b in backends("residents").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();
        loket
            .add_gemeente(&w.admin, "0363", "Amsterdam", t)
            .await
            .unwrap();

        assert!(is_not_found(
            &loket
                .import_residents(&w.melder_a, "123456782;0935\n", t)
                .await
        ));
        let n = loket
            .import_residents(
                &w.admin,
                "bsn;gemeentecode\n123456782;0935\n111222333;GM0363\n",
                t,
            )
            .await
            .unwrap();
        assert_eq!(n, 2, "{}", b.name);
        let gm = |c: &str| Gemeentecode::parse(c).unwrap();
        assert_eq!(
            loket.resident_gemeente("123456782").await.unwrap(),
            Some(gm("0935"))
        );
        assert_eq!(loket.resident_gemeente("999999990").await.unwrap(), None);

        // Line 3 is wrong: nothing of the file is written, not even line 2's move.
        let bad = loket
            .import_residents(&w.admin, "\n123456782;0363\n123456789;0935\n", t)
            .await;
        let reason = field_error(&bad, "file").unwrap_or_default();
        assert!(reason.starts_with("regel 3: "), "{}: {bad:?}", b.name);
        assert_eq!(
            loket.resident_gemeente("123456782").await.unwrap(),
            Some(gm("0935"))
        );
        // A gemeente the loket does not know is refused too.
        let bad = loket
            .import_residents(&w.admin, "123456782;0999\n", t)
            .await;
        let reason = field_error(&bad, "file").unwrap_or_default();
        assert!(reason.starts_with("regel 1: gemeente 0999"), "{bad:?}");

        // A later import moves a student.
        loket
            .import_residents(&w.admin, "123456782;0363\n", t)
            .await
            .unwrap();
        assert_eq!(
            loket.resident_gemeente("123456782").await.unwrap(),
            Some(gm("0363"))
        );
        let actions = audit_actions(loket, &w.admin).await;
        assert_eq!(
            actions.iter().filter(|a| *a == "residents.import").count(),
            2
        );
        b.finish().await;
    }
}

fn location(name: &str, city: &str) -> LocationInput {
    LocationInput {
        name: name.to_owned(),
        street: "Schoolstraat".to_owned(),
        number: "1a".to_owned(),
        postcode: "6211ab".to_owned(),
        city: city.to_owned(),
    }
}

#[tokio::test]
async fn beheerder_manages_locations_melder_only_reads_and_other_schools_see_nothing() {
    for b in backends("locations").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();
        let a = brin("12AB");

        // A beheerder without locations is sent to add one first.
        assert_eq!(
            loket.needs_locations(&w.beheerder_a).await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(loket.needs_locations(&w.melder_a).await.unwrap(), None);

        let main = loket
            .add_location(
                &w.beheerder_a,
                &a,
                &location("Hoofdgebouw", "Maastricht"),
                t,
            )
            .await
            .unwrap();
        let south = loket
            .add_location(
                &w.beheerder_a,
                &a,
                &location("Dependance Zuid", "Heerlen"),
                t,
            )
            .await
            .unwrap();
        assert_eq!(loket.needs_locations(&w.beheerder_a).await.unwrap(), None);
        let stored = loket.location(&w.beheerder_a, &a, main).await.unwrap();
        assert_eq!(stored.postcode, "6211 AB", "{}", b.name);

        // Search: empty lists all, by name; name or city, any case.
        let all = loket.list_locations(&w.melder_a, &a, "").await.unwrap();
        assert_eq!(
            all.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["Dependance Zuid", "Hoofdgebouw"]
        );
        let by_city = loket.list_locations(&w.melder_a, &a, "MAAS").await.unwrap();
        assert_eq!(by_city.len(), 1);
        assert_eq!(by_city[0].id, main);
        let by_name = loket
            .list_locations(&w.beheerder_a, &a, "zuid")
            .await
            .unwrap();
        assert_eq!(by_name.len(), 1);
        assert_eq!(by_name[0].id, south);
        assert!(
            loket
                .list_locations(&w.beheerder_a, &a, "100%")
                .await
                .unwrap()
                .is_empty()
        );

        // Validation and duplicates.
        let dup = loket
            .add_location(&w.beheerder_a, &a, &location("hoofdgebouw", ""), t)
            .await;
        assert!(field_error(&dup, "name").is_some(), "{}: {dup:?}", b.name);
        let mut bad = location("", "");
        bad.postcode = "12345".to_owned();
        let bad = loket.add_location(&w.beheerder_a, &a, &bad, t).await;
        assert!(field_error(&bad, "name").is_some() && field_error(&bad, "postcode").is_some());

        // A melder reads but does not change.
        assert!(loket.location(&w.melder_a, &a, main).await.is_ok());
        assert!(is_not_found(
            &loket
                .add_location(&w.melder_a, &a, &location("Nieuw", ""), t)
                .await
        ));
        assert!(is_not_found(
            &loket
                .update_location(&w.melder_a, &a, main, &location("Nieuw", ""), t)
                .await
        ));
        assert!(is_not_found(
            &loket.delete_location(&w.melder_a, &a, main, t).await
        ));

        // Another school's people see nothing of it, not even through their own BRIN.
        let other = brin("34CD");
        assert!(is_not_found(
            &loket.list_locations(&w.melder_b, &a, "").await
        ));
        assert!(is_not_found(
            &loket.location(&w.beheerder_b, &a, main).await
        ));
        assert!(is_not_found(
            &loket.location(&w.beheerder_b, &other, main).await
        ));
        assert!(is_not_found(
            &loket
                .update_location(&w.beheerder_b, &other, main, &location("Overname", ""), t)
                .await
        ));
        assert!(is_not_found(
            &loket.delete_location(&w.beheerder_b, &other, main, t).await
        ));
        assert!(is_not_found(&loket.list_locations(&w.admin, &a, "").await));

        // Change and delete.
        loket
            .update_location(
                &w.beheerder_a,
                &a,
                main,
                &location("Hoofdlocatie", "Maastricht"),
                t,
            )
            .await
            .unwrap();
        assert_eq!(
            loket.location(&w.melder_a, &a, main).await.unwrap().name,
            "Hoofdlocatie"
        );
        loket
            .delete_location(&w.beheerder_a, &a, south, t)
            .await
            .unwrap();
        assert!(is_not_found(
            &loket.location(&w.beheerder_a, &a, south).await
        ));
        assert_eq!(
            loket
                .list_locations(&w.beheerder_a, &a, "")
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            loket.store.location_names(&a).await.unwrap(),
            vec!["Hoofdlocatie".to_owned()]
        );

        let page = loket.audit_log(&w.admin, 1).await.unwrap();
        let location_rows: Vec<_> = page
            .rows
            .iter()
            .filter(|r| r.action.starts_with("location."))
            .collect();
        assert_eq!(location_rows.len(), 4, "{}: {location_rows:?}", b.name);
        assert!(
            location_rows
                .iter()
                .all(|r| r.username == "beheerder.a" && r.organisation.as_deref() == Some("12AB"))
        );
        b.finish().await;
    }
}

fn contact(name: &str, username: &str) -> ContactInput {
    ContactInput {
        name: name.to_owned(),
        function: "Verzuimcoördinator".to_owned(),
        phone: "043 123 45 67".to_owned(),
        email: format!("{}@baken.nl", name.to_lowercase().replace(' ', ".")),
        username: username.to_owned(),
    }
}

#[tokio::test]
async fn contact_persons_link_melders_and_stay_inside_their_school() {
    for b in backends("contacts").await {
        let loket = &b.loket;
        let w = world(loket).await;
        let t = now();
        let a = brin("12AB");

        assert_eq!(loket.my_contact(&w.melder_a, &a).await.unwrap(), None);
        let mila = loket
            .add_contact(&w.beheerder_a, &a, &contact("Mila Melder", "melder.a"), t)
            .await
            .unwrap();
        let piet = loket
            .add_contact(&w.beheerder_a, &a, &contact("Piet Zorg", ""), t)
            .await
            .unwrap();
        let mine = loket.my_contact(&w.melder_a, &a).await.unwrap().unwrap();
        assert_eq!(mine.id, mila, "{}", b.name);
        assert_eq!(mine.username.as_deref(), Some("melder.a"));
        assert_eq!(mine.phone, "0431234567");
        assert_eq!(loket.my_contact(&w.beheerder_a, &a).await.unwrap(), None);

        // One contact person per user; only users of the school; every field checked.
        let twice = loket
            .add_contact(&w.beheerder_a, &a, &contact("Ook Mila", "melder.a"), t)
            .await;
        assert!(
            field_error(&twice, "username").is_some(),
            "{}: {twice:?}",
            b.name
        );
        let foreign = loket
            .add_contact(&w.beheerder_a, &a, &contact("Mo", "melder.b"), t)
            .await;
        assert!(field_error(&foreign, "username").is_some(), "{foreign:?}");
        let bad = loket
            .add_contact(
                &w.beheerder_a,
                &a,
                &ContactInput {
                    name: String::new(),
                    function: String::new(),
                    phone: "abc".to_owned(),
                    email: "geen-adres".to_owned(),
                    username: String::new(),
                },
                t,
            )
            .await;
        for field in ["name", "function", "phone", "email"] {
            assert!(field_error(&bad, field).is_some(), "{field}: {bad:?}");
        }

        // Search: empty lists all; name, function or e-mail.
        assert_eq!(
            loket
                .list_contacts(&w.melder_a, &a, "")
                .await
                .unwrap()
                .len(),
            2
        );
        let found = loket.list_contacts(&w.melder_a, &a, "PIET").await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, piet);
        assert_eq!(
            loket
                .list_contacts(&w.melder_a, &a, "coördinator")
                .await
                .unwrap()
                .len(),
            2
        );

        // Role checks: the melder reads only; school B sees nothing of A.
        assert!(loket.contact(&w.melder_a, &a, piet).await.is_ok());
        assert!(is_not_found(
            &loket
                .add_contact(&w.melder_a, &a, &contact("X", ""), t)
                .await
        ));
        assert!(is_not_found(
            &loket.delete_contact(&w.melder_a, &a, piet, t).await
        ));
        assert!(is_not_found(
            &loket.list_contacts(&w.melder_b, &a, "").await
        ));
        assert!(is_not_found(&loket.contact(&w.melder_b, &a, mila).await));
        assert!(is_not_found(
            &loket.contact(&w.beheerder_b, &brin("34CD"), mila).await
        ));
        assert!(is_not_found(&loket.my_contact(&w.melder_b, &a).await));

        // Change (unlink) and delete.
        loket
            .update_contact(&w.beheerder_a, &a, mila, &contact("Mila Melder", ""), t)
            .await
            .unwrap();
        assert_eq!(loket.my_contact(&w.melder_a, &a).await.unwrap(), None);
        loket
            .update_contact(
                &w.beheerder_a,
                &a,
                piet,
                &contact("Piet Zorg", "melder.a"),
                t,
            )
            .await
            .unwrap();
        assert_eq!(
            loket
                .my_contact(&w.melder_a, &a)
                .await
                .unwrap()
                .map(|c| c.id),
            Some(piet)
        );
        loket
            .delete_contact(&w.beheerder_a, &a, mila, t)
            .await
            .unwrap();
        assert!(is_not_found(&loket.contact(&w.beheerder_a, &a, mila).await));
        assert!(is_not_found(
            &loket.delete_contact(&w.beheerder_a, &a, mila, t).await
        ));

        let actions = audit_actions(loket, &w.admin).await;
        assert_eq!(actions.iter().filter(|a| *a == "contact.add").count(), 2);
        assert_eq!(actions.iter().filter(|a| *a == "contact.update").count(), 2);
        assert_eq!(actions.iter().filter(|a| *a == "contact.delete").count(), 1);
        b.finish().await;
    }
}
