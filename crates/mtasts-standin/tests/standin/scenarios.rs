//! The project's scenarios (`tests/data/zones/`): every file loads, and the two examples work.

use domain::base::iana::{Rcode, Rtype};
use domain::base::ParsedName;
use domain::rdata::Mx;

use crate::client::*;

#[tokio::test]
async fn every_scenario_loads() {
    // Start fails on any zone or .http file that does not parse.
    let standin = start(shared_zones()).await;
    for zone in ["healthy-1mx.test", "redirect.test"] {
        assert!(standin.zones().iter().any(|z| z == zone), "{zone}");
    }
    for host in ["mta-sts.healthy-1mx.test", "mta-sts.redirect.test"] {
        assert!(standin.policy_hosts().iter().any(|h| h == host), "{host}");
    }
}

#[tokio::test]
async fn hosts_file_names_every_policy_host() {
    let mut config = mtasts_standin::StandInConfig::new(shared_zones());
    config.ip = std::net::Ipv4Addr::new(127, 0, 0, 3);
    let standin = mtasts_standin::StandIn::start(config).await.unwrap();
    let text = standin.hosts_file();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines[..2], ["127.0.0.1 localhost", "::1 localhost"]);
    for host in standin.policy_hosts() {
        assert!(
            lines.contains(&format!("127.0.0.3 {host}").as_str()),
            "{host}"
        );
    }
    // Named in its zone without a `.http` file: listed, so the fetch fails at TLS, not DNS.
    assert!(lines.contains(&"127.0.0.3 mta-sts.policy-fetch-tls-no-cert.test"));
    // No address in its zone and no `.http` file: left out, so the name does not resolve.
    assert!(!text.contains("mta-sts.policy-fetch-dns.test"));
    assert_eq!(lines.len(), 2 + standin.policy_hosts().len() + 1, "{text}");
}

#[tokio::test]
async fn healthy_1mx() {
    let standin = start(shared_zones()).await;
    let answer = resolve(&standin, "healthy-1mx.test", Rtype::MX, Ask::Ad).await;
    assert_eq!(answer.header().rcode(), Rcode::NOERROR);
    assert!(answer.header().ad());
    let exchanges: Vec<String> = answer
        .answer()
        .unwrap()
        .limit_to::<Mx<ParsedName<_>>>()
        .map(|r| r.unwrap().data().exchange().to_string())
        .collect();
    assert_eq!(exchanges, ["mx1.healthy-1mx.test"]);

    let policy = fetch_policy(&standin, "mta-sts.healthy-1mx.test")
        .await
        .unwrap();
    assert_eq!(policy.status, 200);
    assert_eq!(policy.header("content-type"), Some("text/plain"));
    assert_eq!(
        policy.body,
        b"version: STSv1\r\nmode: enforce\r\nmx: mx1.healthy-1mx.test\r\nmax_age: 604800\r\n"
    );
}

#[tokio::test]
async fn redirect_answers_301() {
    let standin = start(shared_zones()).await;
    let response = fetch_policy(&standin, "mta-sts.redirect.test")
        .await
        .unwrap();
    assert_eq!(response.status, 301);
    assert_eq!(
        response.header("location"),
        Some("https://www.redirect.test/.well-known/mta-sts.txt")
    );
}
