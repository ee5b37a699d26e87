//! Opening an attachment: it is saved into a folder only this user can
//! enter, made once per process under `$XDG_RUNTIME_DIR` (else the temp
//! dir), and handed to the desktop's default application. Folders left by
//! earlier runs are removed when the next run makes its own (not at exit:
//! the application may still be reading the file then).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const PREFIX: &str = "poshta-open.";
/// How long a launcher (xdg-open) is watched for an early failure before
/// it is taken as handed off; it may wait for the application itself.
const LAUNCH_CHECK: Duration = Duration::from_secs(2);

/// This process's private folder for opened attachments, made on first use.
pub fn private_dir() -> Result<PathBuf> {
    static DIR: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| make_private_dir().map_err(|e| e.to_string()))
        .clone()
        .map_err(|detail| Error::io("making a private folder", std::io::Error::other(detail)))
}

fn base_dir() -> PathBuf {
    // The runtime dir is the user's own (0700, tmpfs, emptied at logout);
    // the shared temp dir is the fallback.
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .unwrap_or_else(std::env::temp_dir)
}

fn make_private_dir() -> std::io::Result<PathBuf> {
    let base = base_dir();
    remove_stale(&base);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = base.join(format!("{PREFIX}{}.{nanos:x}", std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    // Fails if the name exists: a folder someone prepared is never used.
    builder.create(&dir)?;
    Ok(dir)
}

/// Remove the open-folders of runs that have ended (their process id is
/// gone), if they are this user's.
fn remove_stale(base: &Path) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(base) else {
            return;
        };
        // SAFETY: getuid has no preconditions and cannot fail.
        let me = unsafe { libc::getuid() };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
                continue;
            };
            let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            let alive = Path::new("/proc").join(pid.to_string()).exists();
            let mine = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
            if !alive && mine && pid != std::process::id() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = base;
}

/// Open `path` with the desktop's default application for its type
/// (xdg-open on Linux). Returns once the launcher reported success or is
/// still running after a short check; a launcher that fails at once (no
/// application for the type) is an error.
pub fn launch(path: &Path) -> Result<()> {
    open::that_detached_with_timeout(path, LAUNCH_CHECK)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))
}
