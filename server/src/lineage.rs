//! Data lineage: for each feature of a decision, the source and snapshot it came from and the
//! part of the raw payload it was read at, cut out of the stored bytes with that part marked.

use serde_json::Value;

/// Lines of payload shown around a feature's origin, at most.
pub const MAX_LINES: usize = 40;

/// An excerpt of a payload: lines of text and the one to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub lines: Vec<String>,
    pub highlight: Option<usize>,
}

/// The JSON pointer a feature's path starts with, made concrete: the part before any space or
/// `;`, `*` standing for the first element, `[filter]` suffixes dropped.
pub fn concrete_pointer(path: &str) -> Option<String> {
    let head = path.split([' ', ';']).next()?.trim();
    if !head.starts_with('/') {
        return None;
    }
    let segments: Vec<String> = head
        .split('/')
        .skip(1)
        .map(|s| {
            let s = s.split('[').next().unwrap_or(s);
            if s == "*" {
                "0".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect();
    Some(segments.iter().map(|s| format!("/{s}")).collect())
}

/// Resolves a pointer where arrays may be addressed by index; a missing element is `None`.
fn resolve<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    value.pointer(pointer)
}

/// The payload around `path`: its parent pretty-printed with the line of the value itself
/// marked, or the value when it has no parent. Text payloads (FEC files) show their first lines.
pub fn excerpt(body: &[u8], path: &str) -> Excerpt {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        return Excerpt {
            lines: text.lines().take(MAX_LINES).map(str::to_owned).collect(),
            highlight: None,
        };
    };
    let Some(pointer) = concrete_pointer(path) else {
        return Excerpt {
            lines: Vec::new(),
            highlight: None,
        };
    };
    // Walk back to the deepest part of the pointer that exists.
    let mut segments: Vec<&str> = pointer.split('/').skip(1).collect();
    while !segments.is_empty() && resolve(&json, &join(&segments)).is_none() {
        segments.pop();
    }
    let Some(last) = segments.last().copied() else {
        return pretty(&json, None);
    };
    let parent_pointer = join(&segments[..segments.len() - 1]);
    match resolve(&json, &parent_pointer) {
        Some(parent @ Value::Object(_)) => pretty(parent, Some(format!("\"{last}\":"))),
        Some(_) | None => {
            let value = resolve(&json, &join(&segments)).unwrap_or(&json);
            pretty(value, None)
        }
    }
}

fn join(segments: &[&str]) -> String {
    segments.iter().map(|s| format!("/{s}")).collect()
}

/// Pretty JSON, cut to [`MAX_LINES`] around the marked key (first-level lines only).
fn pretty(value: &Value, key: Option<String>) -> Excerpt {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let marked = key.and_then(|k| {
        lines
            .iter()
            .position(|l| l.starts_with("  \"") && l.trim_start().starts_with(&k))
    });
    let start = match marked {
        Some(i) if i >= MAX_LINES / 2 => i - MAX_LINES / 2,
        _ => 0,
    };
    let shown: Vec<String> = lines
        .iter()
        .skip(start)
        .take(MAX_LINES)
        .map(|l| (*l).to_owned())
        .collect();
    Excerpt {
        highlight: marked.map(|i| i - start),
        lines: shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_concrete_pointers() {
        assert_eq!(
            concrete_pointer("/uniteLegale/periodesUniteLegale/0/etatAdministratifUniteLegale")
                .as_deref(),
            Some("/uniteLegale/periodesUniteLegale/0/etatAdministratifUniteLegale")
        );
        assert_eq!(
            concrete_pointer("/balances/*[closingBooked]; /transactions/booked").as_deref(),
            Some("/balances/0")
        );
        assert_eq!(
            concrete_pointer("/transactions/booked (amount > 0)").as_deref(),
            Some("/transactions/booked")
        );
        assert_eq!(concrete_pointer("derived"), None);
    }

    #[test]
    fn the_value_is_marked_inside_its_parent() {
        let body = br#"{"uniteLegale": {"siren": "100000009", "dateCreationUniteLegale": "2015-03-02", "periodesUniteLegale": [{"etatAdministratifUniteLegale": "A"}]}}"#;
        let e = excerpt(body, "/uniteLegale/dateCreationUniteLegale");
        let marked = &e.lines[e.highlight.unwrap()];
        assert!(
            marked.contains("\"dateCreationUniteLegale\": \"2015-03-02\""),
            "{e:?}"
        );
        let e = excerpt(
            body,
            "/uniteLegale/periodesUniteLegale/0/etatAdministratifUniteLegale",
        );
        assert!(e.lines[e.highlight.unwrap()].contains("\"etatAdministratifUniteLegale\": \"A\""));
        // A path that goes further than the payload shows the deepest part that exists.
        let e = excerpt(body, "/uniteLegale/nothing/here");
        assert!(
            e.lines[e.highlight.unwrap()].contains("\"uniteLegale\""),
            "{e:?}"
        );
    }

    #[test]
    fn text_payloads_show_their_first_lines() {
        let fec = "JournalCode\tJournalLib\nVE\tVentes\n".repeat(50);
        let e = excerpt(fec.as_bytes(), "/ratios/x (FEC account ranges)");
        assert_eq!(e.lines.len(), MAX_LINES);
        assert_eq!(e.lines[0], "JournalCode\tJournalLib");
        assert_eq!(e.highlight, None);
    }
}
