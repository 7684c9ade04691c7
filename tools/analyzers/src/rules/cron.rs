//! CronJob schedules, validated the way the CronJob controller parses them.
//!
//! The controller uses robfig/cron's `ParseStandard`: five fields (minute, hour, day of month,
//! month, day of week) with `*`, `?`, lists, ranges, steps and month/day names, or a descriptor
//! (`@hourly`, `@daily`, `@every 5m`, …), optionally after `TZ=`/`CRON_TZ=`. Crates such as
//! `cron` (seconds field) or `croner` (`L`, `W`, `#`) accept different languages, so a finding
//! based on them would disagree with the cluster; this small parser accepts exactly the
//! controller's.

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// `Ok(())` when the controller would accept `schedule`, else the reason.
pub fn validate(schedule: &str) -> Result<(), String> {
    let mut s = schedule.trim();
    if s.is_empty() {
        return Err("empty schedule".into());
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        let (tz, rest) = s.split_once(' ').ok_or("a time zone prefix needs a schedule after it")?;
        if tz.split_once('=').is_none_or(|(_, z)| z.is_empty()) {
            return Err("empty time zone".into());
        }
        s = rest.trim();
    }
    if let Some(d) = s.strip_prefix('@') {
        return match d {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => Ok(()),
            _ if d.starts_with("every ") => duration(d["every ".len()..].trim()),
            _ => Err(format!("unrecognized descriptor: @{d}")),
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}: {s:?}", fields.len()));
    }
    let specs: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day of month", 1, 31, &[]),
        ("month", 1, 12, MONTHS),
        ("day of week", 0, 6, DAYS),
    ];
    for (field, (what, min, max, names)) in fields.iter().zip(specs) {
        for part in field.split(',') {
            check_part(part, min, max, names, what == "day of month" || what == "day of week")
                .map_err(|e| format!("{what} {field:?}: {e}"))?;
        }
    }
    Ok(())
}

fn check_part(part: &str, min: u32, max: u32, names: &[&str], question_ok: bool) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (part, None),
    };
    if !(range == "*" || (range == "?" && question_ok)) {
        if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(a, min, max, names)?, value(b, min, max, names)?);
            if a > b {
                return Err(format!("beginning of range ({a}) beyond end of range ({b})"));
            }
        } else {
            value(range, min, max, names)?;
        }
    }
    if let Some(step) = step {
        let n: u32 = step.parse().map_err(|_| format!("failed to parse int from {step:?}"))?;
        if n == 0 {
            return Err("step of range should be a positive number".into());
        }
    }
    Ok(())
}

fn value(s: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + min);
    }
    let v: u32 = s.parse().map_err(|_| format!("failed to parse int from {s:?}"))?;
    if v < min || v > max {
        return Err(format!("{v} is out of range [{min}, {max}]"));
    }
    Ok(v)
}

fn duration(s: &str) -> Result<(), String> {
    // Go's time.ParseDuration: one or more number+unit pairs.
    let mut rest = s;
    if rest.is_empty() {
        return Err("@every needs a duration".into());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("failed to parse duration {s:?}"));
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(*u))
            .ok_or_else(|| format!("failed to parse duration {s:?}"))?;
        rest = &rest[unit.len()..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_what_the_controller_accepts() {
        for s in [
            "*/5 * * * *",
            "0 3 * * 1-5",
            "15,45 9-17 * JAN-MAR mon",
            "@hourly",
            "@every 1h30m",
            "CRON_TZ=Europe/Paris 0 6 * * *",
            "0 0 ? * *",
            "5/15 * * * *",
        ] {
            assert_eq!(validate(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn rejects_the_rest_with_a_reason() {
        for (s, why) in [
            ("* * * *", "expected exactly 5 fields"),
            ("0 0 * * * *", "expected exactly 5 fields"),
            ("61 * * * *", "out of range"),
            ("0 25 * * *", "out of range"),
            ("*/0 * * * *", "positive"),
            ("0 0 * * 7", "out of range"),
            ("@fortnightly", "unrecognized descriptor"),
            ("5-1 * * * *", "beyond end"),
            ("0 0 L * *", "failed to parse"),
        ] {
            let err = validate(s).unwrap_err();
            assert!(err.contains(why), "{s}: {err}");
        }
    }
}
