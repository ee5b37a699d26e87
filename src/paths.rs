//! Where Poshta keeps its data: `$POSHTA_HOME` when set (tests, portable
//! installs), else the XDG data directory (`~/.local/share/poshta`).

use std::path::PathBuf;

pub const HOME_ENV: &str = "POSHTA_HOME";

/// The data directory, not yet created.
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("org", "poshta", "Poshta")
        .map(|dirs| dirs.data_dir().to_path_buf())
        // No home directory at all (a bare service account): stay usable.
        .unwrap_or_else(|| std::env::temp_dir().join("poshta"))
}

/// The SQLite store inside a data directory.
pub fn store_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("poshta.sqlite3")
}
