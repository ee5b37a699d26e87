//! Account discovery against real peers on loopback: dnsmasq answering for
//! made-up `.test` domains (A, SRV, MX), an HTTPS server serving
//! autoconfig XML, and Dovecot and Postfix to log in to with what was
//! found. Broken and hostile autoconfig answers are shown, not used.

mod support;

use poshta::account::discover::{self, Offer, Problem, Source};
use poshta::account::{Security, Server};
use std::time::{Duration, Instant};
use support::discovery::{peers, settings};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn discover(address: &str) -> Offer {
    let settings = settings();
    runtime()
        .block_on(discover::discover(address, &settings))
        .unwrap()
}

fn at(server: &Option<Server>) -> (String, u16, Security, String) {
    let s = server.as_ref().expect("a server");
    (s.host.clone(), s.port, s.security, s.username.clone())
}

#[test]
fn the_providers_autoconfig_leads_to_servers_that_log_in() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let offer = discover("carol@isp.test");
    let url = format!(
        "https://autoconfig.isp.test:{}/mail/config-v1.1.xml?emailaddress=carol%40isp.test",
        peers().https.port
    );
    assert_eq!(offer.source, Some(Source::Autoconfig(url)));
    assert!(offer.problems.is_empty(), "{:?}", offer.problems);
    assert_eq!(
        at(&offer.imap),
        (
            "localhost".into(),
            servers.imaps,
            Security::Tls,
            carol.address.clone()
        )
    );
    assert_eq!(at(&offer.pop3).1, servers.pop3s);
    assert_eq!(
        at(&offer.smtp),
        (
            "localhost".into(),
            servers.submission_starttls,
            Security::StartTls,
            carol.address.clone()
        )
    );
    assert!(
        peers().https.requests().iter().any(|r| r.starts_with(
            "autoconfig.isp.test /mail/config-v1.1.xml?emailaddress=carol%40isp.test"
        )),
        "{:?}",
        peers().https.requests()
    );

    // What was found works: Dovecot and Postfix take carol's password.
    let ca = std::fs::read(&servers.ca_pem).unwrap();
    let trusted = |s: &Option<Server>| Server {
        extra_ca_pem: Some(ca.clone()),
        ..s.clone().unwrap()
    };
    let test = runtime().block_on(poshta::service::test_servers(
        &trusted(&offer.imap),
        Some(&trusted(&offer.smtp)),
        &carol.password,
    ));
    test.incoming
        .expect("IMAP login with the discovered settings");
    test.outgoing
        .unwrap()
        .expect("SMTP login with the discovered settings");
}

#[test]
fn the_well_known_location_is_asked_when_autoconfig_has_no_host() {
    let offer = discover("carol@wk.test");
    assert!(
        matches!(&offer.source, Some(Source::Autoconfig(url)) if url.contains("wk.test:") && url.contains("/.well-known/"))
    );
    assert_eq!(at(&offer.imap).1, support::servers().imaps);
}

#[test]
fn srv_records_offer_both_protocols_with_implicit_tls_first() {
    let servers = support::servers();
    let offer = discover("dana@srv.test");
    assert_eq!(offer.source, Some(Source::Srv));
    assert_eq!(
        at(&offer.imap),
        (
            "localhost".into(),
            servers.imaps,
            Security::Tls,
            "dana@srv.test".into()
        )
    );
    assert_eq!(at(&offer.pop3).1, servers.pop3s);
    assert_eq!(
        at(&offer.smtp),
        (
            "localhost".into(),
            servers.submission_starttls,
            Security::StartTls,
            "dana@srv.test".into()
        )
    );
}

#[test]
fn autoconfig_is_trusted_over_srv() {
    let offer = discover("erlan@both.test");
    assert!(
        matches!(offer.source, Some(Source::Autoconfig(_))),
        "{:?}",
        offer.source
    );
    assert_eq!(
        at(&offer.imap).1,
        support::servers().imaps,
        "not SRV's 9993"
    );
}

#[test]
fn a_domain_hosted_by_a_known_provider_is_found_by_its_mx() {
    let offer = discover("boss@hosted.test");
    assert_eq!(offer.source, Some(Source::Mx("Gmail".into())));
    assert_eq!(
        at(&offer.imap),
        (
            "imap.gmail.com".into(),
            993,
            Security::Tls,
            "boss@hosted.test".into()
        )
    );
    assert_eq!(at(&offer.smtp).0, "smtp.gmail.com");
}

#[test]
fn common_host_names_are_guessed_last() {
    let offer = discover("guest@guess.test");
    assert_eq!(offer.source, Some(Source::Guess));
    assert_eq!(
        at(&offer.imap),
        (
            "imap.guess.test".into(),
            993,
            Security::Tls,
            "guest@guess.test".into()
        )
    );
    assert_eq!(
        at(&offer.smtp),
        (
            "smtp.guess.test".into(),
            465,
            Security::Tls,
            "guest@guess.test".into()
        )
    );
    assert!(offer.pop3.is_none(), "no pop., pop3. or mail. host");
}

#[test]
fn an_endless_autoconfig_answer_is_cut_off_and_reported() {
    let started = Instant::now();
    let offer = discover("x@huge.test");
    let url = format!(
        "https://autoconfig.huge.test:{}/mail/config-v1.1.xml?emailaddress=x%40huge.test",
        peers().https.port
    );
    assert!(
        offer
            .problems
            .contains(&Problem::AutoconfigTooLarge { url }),
        "{:?}",
        offer.problems
    );
    // The guess (mail.huge.test) still gives the user something to check.
    assert_eq!(offer.source, Some(Source::Guess));
    assert_eq!(at(&offer.imap).0, "mail.huge.test");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn malformed_and_plaintext_only_answers_are_reported_not_used() {
    let offer = discover("x@broken.test");
    assert!(
        matches!(offer.problems.as_slice(), [Problem::AutoconfigMalformed { url, .. }] if url.contains("autoconfig.broken.test")),
        "{:?}",
        offer.problems
    );
    assert!(!offer.found());

    let offer = discover("x@plain.test");
    assert!(
        matches!(offer.problems.as_slice(), [Problem::AutoconfigInsecure { url }] if url.contains("autoconfig.plain.test")),
        "{:?}",
        offer.problems
    );
    assert!(
        !offer.found(),
        "imap.plain.test:143 without TLS is not offered"
    );
}

#[test]
fn an_unknown_domain_finds_nothing_quickly() {
    let started = Instant::now();
    let offer = discover("x@unknown-mx.test");
    assert!(
        !offer.found() && offer.smtp.is_none() && offer.problems.is_empty(),
        "{offer:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        runtime()
            .block_on(discover::discover("not an address", &settings()))
            .is_err()
    );
}

#[test]
fn the_command_line_discovers_and_adds_an_account_that_logs_in() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let home = tempfile::tempdir().unwrap();
    let settings = settings();
    let dns = settings.name_server.unwrap().to_string();
    let port = settings.https_port.unwrap().to_string();
    let ca = settings.extra_ca.unwrap().to_string_lossy().into_owned();
    let env = [
        ("POSHTA_DISCOVERY_DNS", dns.as_str()),
        ("POSHTA_DISCOVERY_HTTPS_PORT", port.as_str()),
        ("POSHTA_DISCOVERY_CA", ca.as_str()),
        ("POSHTA_PASSWORD", carol.password.as_str()),
    ];
    let run = |args: &[&str]| support::cli::run(home.path(), &env, args, b"");

    let shown = support::cli::ok(run(&["account", "discover", "carol@isp.test"]));
    assert!(
        shown.contains("found by\tautoconfig at https://autoconfig.isp.test:"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "imap\tlocalhost:{}\ttls\t{}",
            servers.imaps, carol.address
        )),
        "{shown}"
    );
    let out = run(&["account", "discover", "x@plain.test"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("offers only unencrypted connections"),
        "{said}"
    );

    let ca_pem = servers.ca_pem.to_string_lossy().into_owned();
    let id = support::cli::ok(run(&[
        "account",
        "add",
        "--name",
        "Found",
        "--email",
        "carol@isp.test",
        "--ca-file",
        &ca_pem,
    ]));
    let id = id.trim();
    let listed = support::cli::ok(run(&["account", "list"]));
    assert!(
        listed.contains(&format!("imap localhost:{} (tls)", servers.imaps))
            && listed.contains(&format!(
                "smtp localhost:{} (starttls)",
                servers.submission_starttls
            )),
        "{listed}"
    );
    support::cli::ok(run(&["account", "test", id]));
}
