//! Writing attachments to disk without ever replacing or following what
//! is already there: a private temporary file in the target folder
//! (created exclusively, never through a symlink), written and synced,
//! then given its name by an operation that fails if the name is taken.
//! The folder is synced last, so a saved file survives a crash.

use crate::error::{Error, Result};
use crate::mime::filename::{self, MAX_NAME_BYTES};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub mod open;

/// Free names tried before giving up ("name (1).ext" … "(9999)").
const MAX_SUFFIX: u32 = 9_999;
/// Temporary names tried when one is taken (another process's, or an
/// attacker's guess).
const TEMP_ATTEMPTS: u32 = 16;

/// Save `bytes` as `dir/name` (the name sanitized first: it cannot leave
/// `dir`). An existing file, folder or symlink of that name is left as it
/// is and reported as [`Error::FileExists`] with a free name to offer.
/// The file is readable by its owner only.
pub fn save(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let name = filename::sanitize(Some(name), "application/octet-stream");
    let target = dir.join(&name);
    let (temp_path, mut temp) = create_temp(dir, &name)?;
    let written = temp
        .write_all(bytes)
        .and_then(|()| temp.sync_all())
        .map_err(|e| Error::io(format!("writing {}", temp_path.display()), e));
    drop(temp);
    let placed = written
        .map_err(Placement::Failed)
        .and_then(|()| place(&temp_path, &target));
    // The temporary name goes in every case; after a successful link it is
    // the second name of the saved file.
    let _ = std::fs::remove_file(&temp_path);
    match placed {
        Ok(()) => {}
        Err(Placement::Exists) => {
            return Err(Error::FileExists {
                suggested: free_name(dir, &name),
                name,
            });
        }
        Err(Placement::Failed(e)) => return Err(e),
    }
    sync_dir(dir)?;
    Ok(target)
}

/// Save several attachments into `dir`, each under its own sanitized name
/// or, where that is taken (by an existing file or an earlier one of
/// these), the first free "name (n).ext". The paths, in order.
pub fn save_all<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<PathBuf>> {
    let mut saved = Vec::new();
    for (name, bytes) in files {
        let mut name = filename::sanitize(Some(name), "application/octet-stream");
        // Bounded: each round the suggestion was free a moment ago, so only
        // a racing writer makes another round needed.
        let mut rounds = 0;
        let path = loop {
            match save(dir, &name, bytes) {
                Err(Error::FileExists { suggested, .. }) if rounds < TEMP_ATTEMPTS => {
                    name = suggested;
                    rounds += 1;
                }
                other => break other?,
            }
        };
        saved.push(path);
    }
    Ok(saved)
}

/// The first of `name`, "stem (1).ext", "stem (2).ext", … that nothing in
/// `dir` is called (symlinks count, dangling or not). `name` is sanitized
/// first, and the result fits the length bound too.
pub fn free_name(dir: &Path, name: &str) -> String {
    let name = filename::sanitize(Some(name), "application/octet-stream");
    let taken = |candidate: &str| dir.join(candidate).symlink_metadata().is_ok();
    if !taken(&name) {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name.as_str(), String::new()),
    };
    for n in 1..=MAX_SUFFIX {
        let suffix = format!(" ({n}){ext}");
        let mut cut = MAX_NAME_BYTES.saturating_sub(suffix.len()).min(stem.len());
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        let candidate = format!("{}{suffix}", &stem[..cut]);
        if !taken(&candidate) {
            return candidate;
        }
    }
    // Ten thousand copies: the caller's save will report this one taken.
    name
}

/// A new, empty file beside the target, named so nothing else uses it,
/// created only if no file or link of that name exists.
fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last_error = None;
    for _ in 0..TEMP_ATTEMPTS {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // A short prefix of the name only, so the path stays well within
        // NAME_MAX whatever the name's length.
        let mut cut = name.len().min(40);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let temp = dir.join(format!(
            ".{}.{}-{nanos:08x}-{n}.part",
            &name[..cut],
            std::process::id()
        ));
        match create_exclusive(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => {
                return Err(Error::io(
                    format!("creating a file in {}", dir.display()),
                    e,
                ));
            }
        }
    }
    Err(Error::io(
        format!("creating a file in {}", dir.display()),
        last_error.unwrap_or_else(|| std::io::Error::other("no free temporary name")),
    ))
}

/// Create `path` only if nothing of that name exists, never through a
/// symlink, readable and writable by the owner only.
pub(crate) fn create_exclusive(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // create_new is O_CREAT|O_EXCL, which already refuses a symlink;
        // O_NOFOLLOW says so once more for any platform quirk.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

enum Placement {
    Exists,
    Failed(Error),
}

/// Give the synced temporary file its final name, failing if anything of
/// that name exists (a symlink is never followed: neither rename with
/// RENAME_NOREPLACE nor link(2) resolves the new name).
fn place(temp: &Path, target: &Path) -> Result<(), Placement> {
    let failed = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Placement::Exists
        } else {
            Placement::Failed(Error::io(format!("saving {}", target.display()), e))
        }
    };
    #[cfg(target_os = "linux")]
    match rename_noreplace(temp, target) {
        Ok(()) => return Ok(()),
        // Older kernels and some file systems (NFS, FUSE) lack the flag:
        // fall through to a hard link.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        Err(e) => return Err(failed(e)),
    }
    match std::fs::hard_link(temp, target) {
        Ok(()) => Ok(()),
        // File systems without hard links (FAT on a USB stick): copy into
        // a new file created exclusively.
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            copy_exclusive(temp, target).map_err(failed)
        }
        Err(e) => Err(failed(e)),
    }
}

#[cfg(target_os = "linux")]
fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call;
    // AT_FDCWD makes relative paths relative to the working directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn copy_exclusive(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = File::open(from)?;
    let mut target = create_exclusive(to)?;
    let copied = std::io::copy(&mut source, &mut target).and_then(|_| target.sync_all());
    if copied.is_err() {
        drop(target);
        let _ = std::fs::remove_file(to);
    }
    copied
}

/// Make the new directory entry durable (on Unix a file's name lives in
/// its directory, which needs its own fsync).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("syncing {}", dir.display()), e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_is_private_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = save(dir.path(), "report.pdf", b"%PDF-1.4 x").unwrap();
        assert_eq!(path, dir.path().join("report.pdf"));
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn an_existing_name_is_not_replaced_and_a_free_one_is_offered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.pdf"), b"mine").unwrap();
        std::fs::write(dir.path().join("report (1).pdf"), b"mine too").unwrap();
        match save(dir.path(), "report.pdf", b"theirs") {
            Err(Error::FileExists { name, suggested }) => {
                assert_eq!(name, "report.pdf");
                assert_eq!(suggested, "report (2).pdf");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read(dir.path().join("report.pdf")).unwrap(),
            b"mine"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let all = save_all(
            dir.path(),
            [
                ("report.pdf", &b"a"[..]),
                ("report.pdf", &b"b"[..]),
                ("README", &b"c"[..]),
            ],
        )
        .unwrap();
        let names: Vec<_> = all
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["report (2).pdf", "report (3).pdf", "README"]);
        assert_eq!(free_name(dir.path(), "README"), "README (1)");
    }

    #[test]
    fn free_names_stay_within_the_length_bound() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{}.pdf", "ж".repeat(150));
        let first = save(dir.path(), &long, b"1").unwrap();
        let name = first.file_name().unwrap().to_string_lossy().to_string();
        let next = free_name(dir.path(), &name);
        assert!(
            next.len() <= MAX_NAME_BYTES && next.ends_with(" (1).pdf"),
            "{next}"
        );
        save(dir.path(), &next, b"2").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_name_is_neither_followed_nor_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let link = dir.path().join("x.txt");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let dangling = dir.path().join("y.txt");
        std::os::unix::fs::symlink(outside.path().join("new"), &dangling).unwrap();
        for name in ["x.txt", "y.txt"] {
            assert!(matches!(
                save(dir.path(), name, b"evil"),
                Err(Error::FileExists { .. })
            ));
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!outside.path().join("new").exists());
        assert_eq!(std::fs::read_link(&link).unwrap(), victim);
        assert_eq!(free_name(dir.path(), "y.txt"), "y (1).txt");
    }

    #[cfg(unix)]
    #[test]
    fn the_copy_fallback_refuses_an_existing_name_or_link_too() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("temp");
        std::fs::write(&temp, b"new").unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"old").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        for target in [&victim, &link] {
            let e = copy_exclusive(&temp, target).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"old");
        copy_exclusive(&temp, &dir.path().join("fresh")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("fresh")).unwrap(), b"new");
    }

    #[test]
    fn a_hostile_name_cannot_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = save(dir.path(), "../../escape.txt", b"x").unwrap();
        assert_eq!(path, dir.path().join("escape.txt"));
    }
}
