//! Leptos runtime options: from the `LEPTOS_*` environment when cargo-leptos starts the
//! server, otherwise from `Leptos.toml`.

use leptos::config::LeptosOptions;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct LeptosFile {
    leptos: LeptosOptions,
}

/// Reads the options from a `Leptos.toml` file's `[leptos]` table.
pub fn from_file(path: &Path) -> anyhow::Result<LeptosOptions> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let file: LeptosFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("invalid {}: {e}", path.display()))?;
    Ok(file.leptos)
}

/// The options for this process.
pub fn load() -> anyhow::Result<LeptosOptions> {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        return Ok(leptos::config::get_configuration(None)?.leptos_options);
    }
    from_file(Path::new("Leptos.toml"))
}
