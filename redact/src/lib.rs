//! Redaction of secrets before anything is indexed, logged or shown.
//!
//! Exports carry secrets in the clear: a password pasted into a runbook, a kubeconfig in a
//! Terraform state, a token in a CSV cell. Everything a reader produces passes through here
//! before it reaches the index, so no search result (and so no LLM prompt) can show one.
//!
//! Two complementary tools:
//! - [`redact_text`] scrubs free text by pattern: PEM blocks, long base64 blobs (CA data,
//!   kubeconfigs), well-known token shapes (AWS keys, JWTs, GitHub/Slack tokens, bearer
//!   headers), credentials inside URLs, and `key = value` pairs whose key names a secret.
//! - [`is_sensitive_key`] lets structured readers (Terraform attributes, JSON values) redact a
//!   value by the name it is stored under, which pattern matching on the value alone cannot.
//!
//! Values that only *refer* to a secret (`data.aws_secretsmanager_secret.db.arn`,
//! `${var.password}`, `secretKeyRef`) are kept: they are the useful part of the document.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

static PEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END [A-Z0-9 ]+-----|\z)").unwrap()
});

/// Long runs of base64 (certificate-authority data, kubeconfigs, private keys) and
/// base64-encoded PEM (`LS0tLS1CRUdJTi…`) of any length over a line.
static BLOB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"LS0tLS1CRUdJT[A-Za-z0-9+/=]{20,}|[A-Za-z0-9+/]{160,}={0,2}").unwrap());

static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", // AWS access key id
        r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", // JWT
        r"|\bgh[pousr]_[A-Za-z0-9]{30,}\b", // GitHub token
        r"|\bglpat-[A-Za-z0-9_-]{20,}\b", // GitLab token
        r"|\bxox[abposr]-[A-Za-z0-9-]{10,}", // Slack token
        r"|\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}", // OpenAI-style key
        r"|\bAIza[0-9A-Za-z_-]{35}\b",    // Google API key
    ))
    .unwrap()
});

static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=-]{16,})").unwrap());

/// `scheme://user:password@host`
static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]+:)([^\s@/]+)(@)").unwrap());

/// `password = hunter2`, `"client_secret": "abc"`, `DB_PASSWORD=abc`, `token: abc`.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(\b[\w.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]*)"#,
        r#"(["']?[ \t]*(?:=|:)[ \t]*)(["']?)([^\s"',;)}\]]+)"#,
    ))
    .unwrap()
});

/// Does a key (attribute, property, environment variable or column name) hold a secret?
pub fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k.ends_with("_arn") || k.ends_with("_id") || k.ends_with("_name") || k.ends_with("ref") {
        return false;
    }
    [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "private_key",
        "privatekey",
        "credential",
        "kubeconfig",
        "certificate_authority",
        "client_key",
        "client_certificate",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// Does a value merely refer to a secret (a Terraform reference, a template placeholder,
/// an already-masked value), as opposed to containing it?
pub fn is_reference(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    v.is_empty()
        || v.contains("${")
        || v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with("{{")
        || v.starts_with('*')
        || v.starts_with('[')
        || v.starts_with('(')
        || v.starts_with(REDACTED)
        || v.contains("HIDDEN")
        || [
            "var.",
            "data.",
            "local.",
            "module.",
            "each.",
            "aws_",
            "random_",
            "arn:",
            "secretKeyRef",
            "valueFrom",
        ]
        .iter()
        .any(|p| v.starts_with(p))
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "required" | "optional" | "string"
        )
        || v.bytes().all(|b| b.is_ascii_digit())
}

/// Scrubs secrets out of free text. Returns the input unchanged (borrowed) when there was
/// nothing to redact, which is the common case.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    // Cheap pre-check: every pattern below needs one of these shapes to be present.
    let mut out = Cow::Borrowed(text);
    if text.contains("-----BEGIN") {
        out = Cow::Owned(PEM.replace_all(&out, |c: &Captures| format!("[REDACTED {}]", &c[1])).into_owned());
    }
    for re in [&*BLOB, &*TOKENS] {
        if re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, REDACTED).into_owned());
        }
    }
    if BEARER.is_match(&out) {
        out = Cow::Owned(
            BEARER
                .replace_all(&out, |c: &Captures| {
                    if is_reference(&c[3]) || c[3].chars().all(char::is_alphabetic) {
                        c[0].to_string()
                    } else {
                        format!("{}{}{REDACTED}", &c[1], &c[2])
                    }
                })
                .into_owned(),
        );
    }
    if URL_CREDENTIALS.is_match(&out) {
        out = Cow::Owned(URL_CREDENTIALS.replace_all(&out, format!("${{1}}{REDACTED}${{3}}")).into_owned());
    }
    if ASSIGNMENT.is_match(&out) {
        let text = out.clone();
        out = Cow::Owned(
            ASSIGNMENT
                .replace_all(&text, |c: &Captures| {
                    let value = &c[4];
                    // Kubernetes names the object it could not find after a colon:
                    // `volume "api-keys" : secret "frontend-api-keys" not found`. The kind word
                    // is what makes the message actionable, and a name is not a secret.
                    let end = c.get(0).map_or(0, |m| m.end());
                    if is_kind_word(value) && text[end..].starts_with(" \"") {
                        return c[0].to_string();
                    }
                    // `key:value` with nothing around the colon is an identifier such as the
                    // IAM action `secretsmanager:GetSecretValue`, not an assignment.
                    let sep = &c[2];
                    if sep == ":" && c[3].is_empty() {
                        return c[0].to_string();
                    }
                    // Prose like "password: yes" is not a credential; short values rarely are.
                    if value.len() < 4 || is_reference(value) || !is_sensitive_key(&c[1]) {
                        c[0].to_string()
                    } else {
                        format!("{}{}{}{REDACTED}", &c[1], &c[2], &c[3])
                    }
                })
                .into_owned(),
        );
    }
    out
}

/// A Kubernetes kind as messages spell it before an object's quoted name (`secret "x"`).
fn is_kind_word(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "secret" | "secrets" | "configmap" | "configmaps" | "serviceaccount" | "serviceaccounts"
    )
}

/// Redacts a JSON value in place: every leaf under a sensitive key, and every string leaf by
/// [`redact_text`]. Used for Terraform state attributes and Notion/CSV cells.
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_sensitive_key(k) && !v.is_null() && !matches!(v, serde_json::Value::Bool(_)) {
                    if let serde_json::Value::String(s) = v
                        && is_reference(s)
                    {
                        continue;
                    }
                    *v = serde_json::Value::String(REDACTED.into());
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        serde_json::Value::String(s) => {
            if let Cow::Owned(r) = redact_text(s) {
                *s = r;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_are_removed_whole() {
        let text = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter";
        assert_eq!(redact_text(text), "key:\n[REDACTED RSA PRIVATE KEY]\nafter");
    }

    #[test]
    fn assignments_with_secret_names_are_redacted() {
        assert_eq!(redact_text("DB_PASSWORD=hunter22 other=1"), "DB_PASSWORD=[REDACTED] other=1");
        assert_eq!(redact_text(r#""client_secret": "s3cr3t-value""#), r#""client_secret": "[REDACTED]""#);
        assert_eq!(redact_text("password: changeme"), "password: [REDACTED]");
    }

    #[test]
    fn kubernetes_messages_about_missing_objects_keep_their_words() {
        // …while a real value after such a key still goes.
        assert_eq!(redact_text(r#"api_key: "s3cr3t-value""#), r#"api_key: "[REDACTED]""#);
        assert_eq!(redact_text("token: secret"), "token: [REDACTED]");
        // The names of Secrets and ConfigMaps are not secret; which kind is missing is the cause.
        for keep in [
            r#"Error: secret "frontend-api-keys" not found"#,
            r#"Error: configmap "app-config" not found"#,
            r#"MountVolume.SetUp failed for volume "creds" : secret "db-credentials" not found"#,
            r#"MountVolume.SetUp failed for volume "config" : configmap "app-config" not found"#,
            "Error: couldn't find key api-key in Secret shop/frontend-api-keys",
            "Error: couldn't find key LOG_LEVEL in ConfigMap shop/app-config",
            r#"Error creating: pods "web-1" is forbidden: error looking up service account shop/deployer: serviceaccount "deployer" not found"#,
            "Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.",
            r#"secrets "tls-cert" not found"#,
            r#"MountVolume.SetUp failed for volume "api-keys" : secret "frontend-api-keys" not found"#,
            r#"MountVolume.SetUp failed for volume "token-config" : configmap "token-settings" not found"#,
            r#"Failed to pull image "ghcr.io/acme/app:1.2": failed to resolve reference: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"#,
        ] {
            assert_eq!(redact_text(keep), keep);
        }
    }

    #[test]
    fn references_to_secrets_are_kept() {
        for keep in [
            "repository_password = data.aws_ecrpublic_authorization_token.token.password",
            "password = var.db_password",
            r#"password = "${random_password.db.result}""#,
            "manage_master_user_password = true",
            "token: <your token here>",
            "The password rotation runbook is below.",
            r#"Action = ["secretsmanager:GetSecretValue"]"#,
        ] {
            assert_eq!(redact_text(keep), keep);
        }
    }

    #[test]
    fn token_shapes_are_redacted() {
        let t = "aws AKIAIOSFODNN7EXAMPLE and Authorization: Bearer abcdefghijklmnop1234 and xoxb-1234567890-abcdef";
        let r = redact_text(t);
        assert!(!r.contains("AKIAIOSFODNN7EXAMPLE"), "{r}");
        assert!(!r.contains("abcdefghijklmnop1234"), "{r}");
        assert!(!r.contains("xoxb-1234567890"), "{r}");
    }

    #[test]
    fn url_credentials_are_redacted() {
        assert_eq!(
            redact_text("postgres://orders:pa55word@db.internal:5432/orders"),
            "postgres://orders:[REDACTED]@db.internal:5432/orders"
        );
    }

    #[test]
    fn base64_ca_data_is_redacted() {
        let ca =
            format!("certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{}", "QUJD".repeat(10));
        assert_eq!(redact_text(&ca), "certificate-authority-data: [REDACTED]");
    }

    #[test]
    fn json_values_under_sensitive_keys_are_redacted() {
        let mut v = serde_json::json!({"name": "db", "password": "x1y2z3", "nested": [{"api_key": "k-123456"}], "password_arn": "arn:aws:x"});
        redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"name": "db", "password": REDACTED, "nested": [{"api_key": REDACTED}], "password_arn": "arn:aws:x"})
        );
    }

    proptest::proptest! {
        #[test]
        fn redaction_never_panics_and_is_idempotent(s in "\\PC{0,200}") {
            let once = redact_text(&s).into_owned();
            let twice = redact_text(&once).into_owned();
            proptest::prop_assert_eq!(once, twice);
        }
    }
}
