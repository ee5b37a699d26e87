//! Running the `poshta-cli` binary as a user would: its own process, a
//! home directory, environment variables and stdin.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run poshta-cli over `home` with `env` set (POSHTA_PASSWORD unset unless
/// given), feeding it `stdin`.
pub fn run(home: &Path, env: &[(&str, &str)], args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
        .args(args)
        .env("POSHTA_HOME", home)
        .env_remove("POSHTA_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read stdin may close it first.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// Its stdout, after checking it succeeded.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
