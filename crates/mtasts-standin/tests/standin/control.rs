//! Records added at run time, through the control endpoint and the Rust API, seen over DoH.

use domain::base::iana::{Rcode, Rtype};
use domain::base::Message;
use domain::rdata::{Txt, A};
use mtasts_standin::{RecordType, RuntimeRecord, StandIn};
use tokio::net::TcpStream;

use crate::client::*;

const CHALLENGE: &str = "_mtasts-challenge.healthy-1mx.test";

/// A control request with a JSON body on a new connection.
fn control_request(method: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} /control/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn control(standin: &StandIn, method: &str, body: &str) -> (u16, serde_json::Value) {
    let response = doh_raw(standin, &control_request(method, body)).await;
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{method} {body}"
    );
    assert_eq!(response.header("access-control-allow-origin"), None);
    let json = serde_json::from_slice(&response.body).unwrap();
    (response.status, json)
}

fn record_json(name: &str, rtype: &str, value: &str) -> String {
    serde_json::json!({ "name": name, "type": rtype, "value": value }).to_string()
}

/// The TXT texts of the answer (each record's strings joined), sorted.
fn txt_texts(message: &Message<Vec<u8>>) -> Vec<String> {
    let mut texts: Vec<String> = message
        .answer()
        .unwrap()
        .limit_to::<Txt<_>>()
        .map(|record| {
            let bytes: Vec<u8> = record.unwrap().data().iter().flatten().copied().collect();
            String::from_utf8(bytes).unwrap()
        })
        .collect();
    texts.sort();
    texts
}

/// (RCODE, TXT texts, records in the answer, records in the authority section).
async fn txt(standin: &StandIn, name: &str) -> (Rcode, Vec<String>, usize, usize) {
    let message = resolve(standin, name, Rtype::TXT, Ask::Nothing).await;
    let answer = message.answer().unwrap().count();
    let authority = message.authority().unwrap().count();
    (
        message.header().rcode(),
        txt_texts(&message),
        answer,
        authority,
    )
}

#[tokio::test]
async fn added_txt_records_make_one_rrset_until_removed() {
    let standin = start(shared_zones()).await;
    assert_eq!(
        txt(&standin, CHALLENGE).await,
        (Rcode::NXDOMAIN, vec![], 0, 1)
    );

    let (status, json) = control(
        &standin,
        "POST",
        &record_json(CHALLENGE, "TXT", "mtasts-verify=abc"),
    )
    .await;
    assert_eq!(status, 201, "{json}");
    assert_eq!(
        json,
        serde_json::json!({
            "name": CHALLENGE, "type": "TXT", "value": "mtasts-verify=abc",
            "ttl": 60, "added": true, "rrset": 1,
        })
    );
    assert_eq!(
        txt(&standin, CHALLENGE).await,
        (Rcode::NOERROR, vec!["mtasts-verify=abc".to_owned()], 1, 0)
    );
    // Names compare case-insensitively; the answer keeps the question's case.
    let upper = CHALLENGE.to_ascii_uppercase();
    assert_eq!(
        txt(&standin, &upper).await.1,
        vec!["mtasts-verify=abc".to_owned()]
    );

    // A second value joins the RRset; the same one again changes nothing.
    let (status, json) = control(
        &standin,
        "POST",
        &record_json(CHALLENGE, "TXT", "mtasts-verify=def"),
    )
    .await;
    assert_eq!((status, &json["rrset"]), (201, &serde_json::json!(2)));
    let (status, json) = control(
        &standin,
        "POST",
        &record_json(&format!("{CHALLENGE}."), "txt", "mtasts-verify=def"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!((&json["added"], &json["rrset"]), (&false.into(), &2.into()));
    assert_eq!(
        txt(&standin, CHALLENGE).await,
        (
            Rcode::NOERROR,
            vec![
                "mtasts-verify=abc".to_owned(),
                "mtasts-verify=def".to_owned()
            ],
            2,
            0
        )
    );

    // DELETE with a value removes that record; without, every one of the name and type.
    let (status, json) = control(
        &standin,
        "DELETE",
        &record_json(CHALLENGE, "TXT", "mtasts-verify=abc"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(
        json,
        serde_json::json!({ "name": CHALLENGE, "type": "TXT", "removed": 1, "rrset": 1 })
    );
    assert_eq!(
        txt(&standin, CHALLENGE).await.1,
        vec!["mtasts-verify=def".to_owned()]
    );
    let (status, json) = control(
        &standin,
        "DELETE",
        &format!(r#"{{"name": "{CHALLENGE}", "type": "TXT"}}"#),
    )
    .await;
    assert_eq!((status, &json["removed"]), (200, &1.into()));
    // The name owns nothing again: NXDOMAIN with the zone's SOA.
    assert_eq!(
        txt(&standin, CHALLENGE).await,
        (Rcode::NXDOMAIN, vec![], 0, 1)
    );
    let (status, json) = control(
        &standin,
        "DELETE",
        &format!(r#"{{"name": "{CHALLENGE}", "type": "TXT"}}"#),
    )
    .await;
    assert_eq!((status, &json["removed"]), (200, &0.into()));
    // Control requests are not DoH requests.
    assert_eq!(standin.request_counts().doh, 6);
}

#[tokio::test]
async fn added_records_answer_like_the_zone_files() {
    let standin = start(shared_zones()).await;
    // A TXT record beside the zone file's A and AAAA: removed, the name answers NODATA.
    let mx1 = "mx1.healthy-1mx.test";
    assert_eq!(txt(&standin, mx1).await, (Rcode::NOERROR, vec![], 0, 1));
    let (status, _) = control(&standin, "POST", &record_json(mx1, "TXT", "hello")).await;
    assert_eq!(status, 201);
    assert_eq!(
        txt(&standin, mx1).await,
        (Rcode::NOERROR, vec!["hello".to_owned()], 1, 0)
    );
    let a = resolve(&standin, mx1, Rtype::A, Ask::Nothing).await;
    assert_eq!(a.answer().unwrap().count(), 1, "the A record stays");
    control(&standin, "DELETE", &record_json(mx1, "TXT", "hello")).await;
    assert_eq!(txt(&standin, mx1).await, (Rcode::NOERROR, vec![], 0, 1));

    // An A record deep down makes the names between exist (empty non-terminals, RFC 8020 §2).
    let deep = "a.b.healthy-1mx.test";
    let (status, json) = control(&standin, "POST", &record_json(deep, "A", "192.0.2.7")).await;
    assert_eq!(status, 201, "{json}");
    let answer = resolve(&standin, deep, Rtype::A, Ask::Ad).await;
    let addresses: Vec<String> = answer
        .answer()
        .unwrap()
        .limit_to::<A>()
        .map(|r| r.unwrap().data().to_string())
        .collect();
    assert_eq!(addresses, ["192.0.2.7"]);
    assert!(answer.header().ad(), "the zone is signed");
    assert_eq!(
        txt(&standin, "b.healthy-1mx.test").await,
        (Rcode::NOERROR, vec![], 0, 1)
    );

    // A CNAME added is followed; a TXT beside it is refused.
    let alias = "alias.healthy-1mx.test";
    let (status, _) = control(&standin, "POST", &record_json(alias, "CNAME", deep)).await;
    assert_eq!(status, 201);
    let answer = resolve(&standin, alias, Rtype::A, Ask::Nothing).await;
    assert_eq!(answer.answer().unwrap().count(), 2, "the CNAME and the A");
    let (status, json) = control(&standin, "POST", &record_json(alias, "TXT", "x")).await;
    assert_eq!(status, 422, "{json}");

    // Removed, the deep name and the names between are gone again.
    for (name, rtype) in [(alias, "CNAME"), (deep, "A")] {
        let body = format!(r#"{{"name": "{name}", "type": "{rtype}"}}"#);
        let (status, json) = control(&standin, "DELETE", &body).await;
        assert_eq!((status, &json["removed"]), (200, &1.into()), "{name}");
    }
    for name in [alias, deep, "b.healthy-1mx.test"] {
        assert_eq!(
            txt(&standin, name).await,
            (Rcode::NXDOMAIN, vec![], 0, 1),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_rust_api_changes_the_same_answers() {
    let standin = start(shared_zones()).await;
    let record = RuntimeRecord::new(CHALLENGE, RecordType::Txt, "mtasts-verify=rust");
    let change = standin.add_record(&record).unwrap();
    assert_eq!((change.changed, change.rrset_len), (1, 1));
    assert_eq!(
        txt(&standin, CHALLENGE).await.1,
        vec!["mtasts-verify=rust".to_owned()]
    );
    // The control endpoint sees the same records.
    let (status, json) = control(
        &standin,
        "DELETE",
        &format!(r#"{{"name": "{CHALLENGE}", "type": "TXT"}}"#),
    )
    .await;
    assert_eq!((status, &json["removed"]), (200, &1.into()));
    assert_eq!(txt(&standin, CHALLENGE).await.0, Rcode::NXDOMAIN);

    standin.add_record(&record).unwrap();
    let change = standin
        .remove_records(CHALLENGE, RecordType::Txt, Some("mtasts-verify=rust"))
        .unwrap();
    assert_eq!((change.changed, change.rrset_len), (1, 0));
    let error = standin
        .add_record(&RuntimeRecord::new(
            "_mtasts-challenge.example.com",
            RecordType::Txt,
            "x",
        ))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"_mtasts-challenge.example.com\" is outside every zone served"
    );
    assert!(standin
        .control_url()
        .ends_with(&format!("{}/control/records", standin.doh_addr().port())));
}

#[tokio::test]
async fn refuses_bad_control_requests_with_a_json_reason() {
    let standin = start(shared_zones()).await;
    let good = record_json(CHALLENGE, "TXT", "v");
    for (body, status, reason) in [
        ("{".to_owned(), 400, "malformed JSON"),
        (
            r#"{"name": "x.healthy-1mx.test", "type": "TXT"}"#.to_owned(),
            400,
            "missing field `value`",
        ),
        (
            record_json(CHALLENGE, "SRV", "0 0 25 mx1"),
            400,
            "unsupported record type \"SRV\"",
        ),
        (
            record_json(CHALLENGE, "AAAA", "192.0.2.1"),
            400,
            "not an IPv6 address",
        ),
        (record_json("a..b", "TXT", "v"), 400, "bad name"),
        (
            record_json("_mtasts-challenge.example.com", "TXT", "v"),
            422,
            "outside every zone",
        ),
        (
            record_json("_mta-sts.dns-lookup-failed.test", "TXT", "v"),
            422,
            "$SERVFAIL",
        ),
    ] {
        let (got, json) = control(&standin, "POST", &body).await;
        assert_eq!(got, status, "{body}: {json}");
        let error = json["error"].as_str().unwrap();
        assert!(error.contains(reason), "{body}: {error}");
    }

    let with = |from: &str, to: &str| {
        String::from_utf8(control_request("POST", &good))
            .unwrap()
            .replace(from, to)
            .into_bytes()
    };
    for (request, status) in [
        (with("application/json", "text/plain"), 415),
        (with("Content-Length", "X-Length"), 411),
        (with("Host: 127.0.0.1", "Host: evil.example"), 403),
        (with("Host: 127.0.0.1\r\n", ""), 400),
        (with("/control/records", "/control/other"), 404),
        (control_request("PUT", &good), 405),
        (
            b"GET /control/records HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
            405,
        ),
        (
            format!(
                "POST /control/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                20 * 1024
            )
            .into_bytes(),
            413,
        ),
    ] {
        let response = doh_raw(&standin, &request).await;
        assert_eq!(
            response.status,
            status,
            "{}",
            String::from_utf8_lossy(&request)
        );
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert!(json["error"].is_string(), "{json}");
    }
    assert_eq!(txt(&standin, CHALLENGE).await.0, Rcode::NXDOMAIN);
}

/// A page may not call it: the preflight that its JSON POST or DELETE needs is refused, and no
/// answer carries a CORS header.
#[tokio::test]
async fn no_cors_for_the_control_endpoint() {
    let standin = start(shared_zones()).await;
    let preflight = doh_raw(
        &standin,
        b"OPTIONS /control/records HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:8787\r\n\
          Access-Control-Request-Method: POST\r\n\
          Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(preflight.status, 405);
    assert_eq!(preflight.header("allow"), Some("POST, DELETE"));
    assert!(
        preflight
            .headers
            .iter()
            .all(|(name, _)| !name.to_ascii_lowercase().starts_with("access-control")),
        "{:?}",
        preflight.headers
    );
}

/// A control request and DoH queries on one kept-alive connection, as an HTTP client pools them.
#[tokio::test]
async fn control_and_queries_share_a_connection() {
    let standin = start(shared_zones()).await;
    let body = record_json(CHALLENGE, "TXT", "mtasts-verify=kept");
    let mut both = format!(
        "POST /control/records HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();
    both.extend_from_slice(&post_request(&query(CHALLENGE, Rtype::TXT, Ask::Nothing)));
    let mut stream = TcpStream::connect(standin.doh_addr()).await.unwrap();
    let raw = exchange(&mut stream, &both).await;
    let first = parse_response(&raw);
    let second = parse_response(&raw[first.len..]);
    assert_eq!((first.status, second.status), (201, 200));
    let message = Message::from_octets(second.body).unwrap();
    assert_eq!(txt_texts(&message), ["mtasts-verify=kept"]);
}
