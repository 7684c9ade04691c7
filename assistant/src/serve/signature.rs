//! Slack request signing (v0): `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`)),
//! sent as `X-Slack-Signature` with `X-Slack-Request-Timestamp`. Checked on the raw bytes before
//! anything parses them; the comparison is constant-time (`Mac::verify_slice`), and requests more
//! than five minutes off the server's clock are refused so a captured request cannot be replayed.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from now.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// Why a request was refused (logged, never sent back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// A header is missing.
    #[error("missing {0} header")]
    Missing(&'static str),
    /// The timestamp is not a number.
    #[error("timestamp is not a number")]
    BadTimestamp,
    /// The timestamp is too far from now.
    #[error("timestamp is {0} s away from the server clock")]
    Stale(i64),
    /// The signature is not `v0=` + 64 hex digits.
    #[error("signature is not v0=<hex>")]
    Malformed,
    /// The signature does not match.
    #[error("signature does not match")]
    Mismatch,
}

/// Verifies one request. `now` is Unix seconds.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Refused> {
    let timestamp = timestamp.ok_or(Refused::Missing("X-Slack-Request-Timestamp"))?;
    let signature = signature.ok_or(Refused::Missing("X-Slack-Signature"))?;
    let ts: i64 = timestamp.trim().parse().map_err(|_| Refused::BadTimestamp)?;
    // `abs_diff`: a timestamp near i64::MIN or MAX must not overflow the subtraction.
    let skew = now.abs_diff(ts);
    if skew > MAX_SKEW_SECONDS.unsigned_abs() {
        return Err(Refused::Stale(i64::try_from(skew).unwrap_or(i64::MAX)));
    }
    let given = signature.strip_prefix("v0=").and_then(|h| hex::decode(h).ok()).ok_or(Refused::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.trim().as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| Refused::Mismatch)
}

/// The signature a request would carry (for tests and tools that sign).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's own documented example ("Verifying requests from Slack").
    const SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const TS: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn slacks_documented_example_verifies() {
        assert_eq!(verify(SECRET, Some(TS), Some(SIG), BODY.as_bytes(), 1_531_420_618 + 10), Ok(()));
        assert_eq!(sign(SECRET, 1_531_420_618, BODY.as_bytes()), SIG);
    }

    #[test]
    fn anything_else_is_refused() {
        let now = 1_531_420_618;
        let body = BODY.as_bytes();
        assert_eq!(verify(b"another secret", Some(TS), Some(SIG), body, now), Err(Refused::Mismatch));
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert_eq!(verify(SECRET, Some(TS), Some(SIG), &tampered, now), Err(Refused::Mismatch));
        assert_eq!(verify(SECRET, Some(TS), Some(SIG), body, now + 301), Err(Refused::Stale(301)));
        assert_eq!(verify(SECRET, Some(TS), Some(SIG), body, now - 301), Err(Refused::Stale(301)));
        assert_eq!(
            verify(SECRET, None, Some(SIG), body, now),
            Err(Refused::Missing("X-Slack-Request-Timestamp"))
        );
        assert_eq!(verify(SECRET, Some(TS), None, body, now), Err(Refused::Missing("X-Slack-Signature")));
        assert_eq!(verify(SECRET, Some("soon"), Some(SIG), body, now), Err(Refused::BadTimestamp));
        assert_eq!(verify(SECRET, Some(TS), Some("v1=abc"), body, now), Err(Refused::Malformed));
        assert_eq!(verify(SECRET, Some(TS), Some("v0=zz"), body, now), Err(Refused::Malformed));
        // A different timestamp with the same signature (a replay with a fresh clock) fails.
        assert_eq!(verify(SECRET, Some("1531420619"), Some(SIG), body, now), Err(Refused::Mismatch));
    }

    #[test]
    fn extreme_timestamps_are_stale_never_a_panic() {
        for ts in [i64::MIN, i64::MIN + 1, i64::MAX, -1] {
            let r = verify(SECRET, Some(&ts.to_string()), Some(SIG), b"{}", 1_531_420_618);
            assert!(matches!(r, Err(Refused::Stale(_))), "{ts}: {r:?}");
        }
        assert!(matches!(
            verify(SECRET, Some("0"), Some(SIG), b"{}", i64::MIN),
            Err(Refused::Stale(i64::MAX))
        ));
    }

    proptest::proptest! {
        #[test]
        fn only_the_right_secret_and_body_verify(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200), ts in 1_600_000_000i64..1_900_000_000) {
            let sig = sign(SECRET, ts, &body);
            proptest::prop_assert!(verify(SECRET, Some(&ts.to_string()), Some(&sig), &body, ts).is_ok());
            proptest::prop_assert!(verify(b"x", Some(&ts.to_string()), Some(&sig), &body, ts).is_err());
        }
    }
}
