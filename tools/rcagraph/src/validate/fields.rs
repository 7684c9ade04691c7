//! The typed readers of single JSON members: each records a problem and carries on, so that one
//! pass finds every problem of a document.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::issue::{Issue, Level};

#[derive(Default)]
pub(super) struct Cx {
    pub(super) issues: Vec<Issue>,
}

pub(super) type Obj = Map<String, Value>;

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses an RFC 3339 time that carries an explicit offset.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    // jiff's Timestamp parser refuses civil times without an offset, which is the rule here.
    s.parse::<Timestamp>().ok()
}

impl Cx {
    pub(super) fn push(
        &mut self,
        level: Level,
        code: &'static str,
        path: &str,
        id: Option<&str>,
        message: String,
    ) {
        self.issues.push(Issue { level, code, path: path.to_string(), id: id.map(String::from), message });
    }

    pub(super) fn error(&mut self, code: &'static str, path: &str, id: Option<&str>, message: String) {
        self.push(Level::Error, code, path, id, message);
    }

    /// `v` as an object, reporting a wrong type and members not in `known`.
    pub(super) fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        id: Option<&str>,
        known: &[&str],
    ) -> Option<&'v Obj> {
        let Some(o) = v.as_object() else {
            self.error("wrong_type", path, id, format!("expected an object, found {}", type_name(v)));
            return None;
        };
        for k in o.keys().filter(|k| !known.contains(&k.as_str())) {
            self.push(
                Level::Warning,
                "unknown_field",
                &join(path, k),
                id,
                format!("member {k:?} is not part of rcagraph/v1 and is ignored"),
            );
        }
        Some(o)
    }

    pub(super) fn sub<'v>(
        &mut self,
        o: &'v Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<&'v Value> {
        match o.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.error(
                        "missing_field",
                        &join(path, key),
                        id,
                        format!("required member {key:?} is missing"),
                    );
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    pub(super) fn string(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<String> {
        let v = self.sub(o, key, path, id, required)?;
        match v.as_str() {
            Some(s) if s.is_empty() && required => {
                self.error("missing_field", &join(path, key), id, format!("{key:?} must not be empty"));
                None
            }
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    "wrong_type",
                    &join(path, key),
                    id,
                    format!("expected a string, found {}", type_name(v)),
                );
                None
            }
        }
    }

    pub(super) fn number(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<f64> {
        let v = self.sub(o, key, path, id, required)?;
        if let Some(f) = v.as_f64().filter(|f| f.is_finite()) {
            Some(f)
        } else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected a finite number, found {}", type_name(v)),
            );
            None
        }
    }

    pub(super) fn probability(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Option<f64> {
        let f = self.number(o, key, path, id, false)?;
        if (0.0..=1.0).contains(&f) {
            Some(f)
        } else {
            self.error("out_of_range", &join(path, key), id, format!("{key} {f} is outside [0, 1]"));
            None
        }
    }

    pub(super) fn boolean(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Option<bool> {
        let v = self.sub(o, key, path, id, false)?;
        if let Some(b) = v.as_bool() {
            Some(b)
        } else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected a boolean, found {}", type_name(v)),
            );
            None
        }
    }

    pub(super) fn time(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
    ) -> Option<Timestamp> {
        let s = self.string(o, key, path, id, required)?;
        let t = parse_time(&s);
        if t.is_none() {
            self.error(
                "bad_time",
                &join(path, key),
                id,
                format!("{s:?} is not an RFC 3339 time with an offset (e.g. 2024-11-26T12:38:55Z)"),
            );
        }
        t
    }

    #[allow(clippy::too_many_arguments)] // the common (object, key, path, id, required) plus the enum's parser
    pub(super) fn enumerated<T>(
        &mut self,
        o: &Obj,
        key: &str,
        path: &str,
        id: Option<&str>,
        required: bool,
        parse: fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let s = self.string(o, key, path, id, required)?;
        let v = parse(&s);
        if v.is_none() {
            self.error("unknown_value", &join(path, key), id, format!("{s:?} is not one of: {expected}"));
        }
        v
    }

    pub(super) fn strings(&mut self, o: &Obj, key: &str, path: &str, id: Option<&str>) -> Vec<String> {
        let Some(v) = self.sub(o, key, path, id, false) else { return Vec::new() };
        let Some(a) = v.as_array() else {
            self.error(
                "wrong_type",
                &join(path, key),
                id,
                format!("expected an array of strings, found {}", type_name(v)),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in a.iter().enumerate() {
            match item.as_str() {
                Some(s) => out.push(s.to_string()),
                None => self.error(
                    "wrong_type",
                    &format!("{}[{i}]", join(path, key)),
                    id,
                    format!("expected a string, found {}", type_name(item)),
                ),
            }
        }
        out
    }

    pub(super) fn evidence(&mut self, o: &Obj, path: &str, id: Option<&str>) -> Vec<Value> {
        let Some(v) = self.sub(o, "evidence", path, id, false) else { return Vec::new() };
        let Some(a) = v.as_array() else {
            self.error(
                "wrong_type",
                &join(path, "evidence"),
                id,
                format!("expected an array, found {}", type_name(v)),
            );
            return Vec::new();
        };
        for (i, item) in a.iter().enumerate() {
            let p = format!("{path}.evidence[{i}]");
            match item.as_object() {
                Some(e) => {
                    self.string(e, "kind", &p, id, true);
                }
                None => {
                    self.error(
                        "wrong_type",
                        &p,
                        id,
                        format!("expected an object, found {}", type_name(item)),
                    );
                }
            }
        }
        a.clone()
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}
