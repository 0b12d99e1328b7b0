//! The reference payloads of `testdata/payloads`, read the way the tests need them. Compiled for
//! this crate's tests and, with the `test-support` feature, for the server's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

pub fn folder(relative: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/payloads/"
    ))
    .join(relative)
}

/// The files of a folder with one of the extensions, sorted by name.
pub fn files(relative: &str, extensions: &[&str]) -> Vec<PathBuf> {
    let dir = folder(relative);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    files.sort();
    files
}

/// One API Entreprise staging example: its HTTP status and the JSON body held in the YAML
/// `payload: |-` block.
pub struct Example {
    pub name: String,
    pub status: u16,
    pub body: Vec<u8>,
}

pub fn example(path: &std::path::Path) -> Example {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let status = text
        .lines()
        .find_map(|l| l.strip_prefix("status:"))
        .and_then(|s| s.trim().trim_matches(['\'', '"']).parse().ok())
        .unwrap_or_else(|| panic!("{}: no status", path.display()));
    Example {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        status,
        body: yaml_block(&text, "payload")
            .unwrap_or_else(|| panic!("{}: no payload block", path.display()))
            .into_bytes(),
    }
}

/// The text of a YAML literal block (`key: |-` or `key: |`) at the top level: the following
/// lines that are indented or blank, with the block's indentation removed.
pub fn yaml_block(yaml: &str, key: &str) -> Option<String> {
    let mut lines = yaml.lines();
    lines.find(|l| {
        l.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.trim().starts_with('|'))
    })?;
    let block: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.starts_with(' '))
        .collect();
    let indent = block
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()?;
    let text: Vec<&str> = block
        .iter()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect();
    Some(text.join("\n").trim_end().to_owned())
}

/// The examples of one API Entreprise staging folder.
pub fn staging(folder_name: &str) -> Vec<Example> {
    files(
        &format!("api_entreprise_staging/{folder_name}"),
        &["yaml", "yml"],
    )
    .iter()
    .map(|p| example(p))
    .collect()
}

pub fn annuaire(file: &str) -> Vec<u8> {
    let path = folder("annuaire_e2e_fixtures").join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file of the reference payloads (`testdata/payloads`).
pub fn payload(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../testdata/payloads/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Berlin Group examples wrap the response body in `{"summary", "description", "value"}`
/// (an OpenAPI example object); this returns the body itself.
pub fn openapi_example_value(relative: &str) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(&payload(relative)).unwrap();
    serde_json::to_vec(&v["value"]).unwrap()
}
