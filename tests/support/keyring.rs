//! A private Secret Service for one test: gnome-keyring on a D-Bus session
//! bus of its own (tests/servers/keyring.sh), never the developer's keyring.
//! Only child processes are pointed at it (by their environment), so the
//! test process's own environment is never changed.

use std::path::Path;
use std::process::{Command, Output};

/// Run poshta-cli over `home` with `bus` as its session bus (a keyring's,
/// or one nobody listens on); `password` in POSHTA_PASSWORD if given.
/// Stdin is empty.
pub fn cli(home: &Path, bus: &str, password: Option<&str>, args: &[&str]) -> Output {
    let mut env = vec![("DBUS_SESSION_BUS_ADDRESS", bus)];
    env.extend(password.map(|p| ("POSHTA_PASSWORD", p)));
    super::cli::run(home, &env, args, b"")
}

pub struct Keyring {
    dir: tempfile::TempDir,
    /// The value of DBUS_SESSION_BUS_ADDRESS that reaches it.
    pub bus: String,
}

impl Keyring {
    pub fn start() -> Keyring {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/keyring.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "keyring.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bus = String::from_utf8(out.stdout).unwrap().trim().to_string();
        Keyring { dir, bus }
    }

    /// What the keyring holds under `attributes` (secret-tool, a client of
    /// its own), if anything.
    pub fn lookup(&self, attributes: &[&str]) -> Option<String> {
        let out = Command::new("secret-tool")
            .arg("lookup")
            .args(attributes)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("dbus.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}
