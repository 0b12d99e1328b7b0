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
    let file: LeptosFile =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("invalid {}: {e}", path.display()))?;
    Ok(file.leptos)
}

/// The options for this process: cargo-leptos announces itself with `LEPTOS_SITE_ROOT`.
pub fn load() -> anyhow::Result<LeptosOptions> {
    if std::env::var_os("LEPTOS_SITE_ROOT").is_some() {
        return Ok(leptos::config::get_configuration(None)?.leptos_options);
    }
    from_file(Path::new("Leptos.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_file(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
    }

    #[test]
    fn leptos_toml_matches_cargo_metadata() {
        let from_file = from_file(&workspace_file("Leptos.toml")).unwrap();
        let cargo: toml::Value =
            toml::from_str(&std::fs::read_to_string(workspace_file("Cargo.toml")).unwrap())
                .unwrap();
        let meta = &cargo["workspace"]["metadata"]["leptos"][0];
        let text = |key: &str| meta[key].as_str().unwrap().to_owned();
        assert_eq!(&*from_file.output_name, text("output-name"));
        assert_eq!(&*from_file.site_root, text("site-root"));
        assert_eq!(&*from_file.site_pkg_dir, text("site-pkg-dir"));
        assert_eq!(from_file.site_addr.to_string(), text("site-addr"));
        assert_eq!(
            i64::from(from_file.reload_port),
            meta["reload-port"].as_integer().unwrap()
        );
    }

    #[test]
    fn the_stylesheet_path_in_the_app_matches_the_output_name() {
        let cargo = std::fs::read_to_string(workspace_file("Cargo.toml")).unwrap();
        let shell = std::fs::read_to_string(workspace_file("app/src/shell.rs")).unwrap();
        assert!(cargo.contains("output-name = \"aval\""));
        assert!(shell.contains("href=\"/pkg/aval.css\""));
    }
}
