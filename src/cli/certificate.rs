//! What `account test` prints for a refused certificate: why, what the
//! certificate is, and the command that trusts exactly it, so the user
//! decides with the facts in front of them and pins nothing by accident.

use crate::account::{Direction, Server};
use crate::model::AccountId;
use crate::net::tls::{CertificateProblem, RejectedCertificate};
use std::io::{self, Write};
use std::path::Path;

/// Where a certificate was refused: what the command to trust it names.
pub(super) struct TrustCommand<'a> {
    pub account: AccountId,
    pub direction: Direction,
    pub server: &'a Server,
    /// The --home of this run, repeated in the command.
    pub home: Option<&'a Path>,
}

/// Writes the certificate's details and how to trust it, indented under
/// the server's line.
pub(super) fn explain(
    out: &mut impl Write,
    certificate: &RejectedCertificate,
    at: &TrustCommand<'_>,
) -> io::Result<()> {
    let unknown = |field: &Option<String>| field.clone().unwrap_or_else(|| "(unreadable)".into());
    let place = format!("{}:{}", at.server.host, at.server.port);
    writeln!(out, "  Why:         {}", certificate.reason)?;
    writeln!(out, "  SHA-256:     {}", certificate.fingerprint_hex())?;
    writeln!(out, "  Subject:     {}", unknown(&certificate.subject))?;
    writeln!(out, "  Issuer:      {}", unknown(&certificate.issuer))?;
    writeln!(out, "  Valid from:  {}", unknown(&certificate.not_before))?;
    writeln!(out, "  Valid until: {}", unknown(&certificate.not_after))?;
    if certificate.reason == CertificateProblem::PinMismatch {
        writeln!(
            out,
            "  Warning: this is not the certificate you trusted for {place}. It may have \
             been renewed, or someone may be intercepting the connection: trust it only \
             if you know why it changed."
        )?;
    }
    writeln!(
        out,
        "  To trust exactly this certificate for {place} (and no other), run:"
    )?;
    writeln!(out, "    {}", command(certificate, at))
}

/// `poshta-cli [--home DIR] account trust ID --incoming --sha256 AB:...`.
fn command(certificate: &RejectedCertificate, at: &TrustCommand<'_>) -> String {
    let home = at
        .home
        .map(|home| format!(" --home {}", shell_quoted(&home.to_string_lossy())))
        .unwrap_or_default();
    format!(
        "poshta-cli{home} account trust {} --{} --sha256 {}",
        at.account.0,
        at.direction.as_str(),
        certificate.fingerprint_hex()
    )
}

/// `text` as one shell word: as it is when that is safe, else in single
/// quotes.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Protocol, Security};

    fn server() -> Server {
        Server {
            protocol: Protocol::Smtp,
            host: "mail.example.test".into(),
            port: 465,
            security: Security::Tls,
            username: "me".into(),
            extra_ca_pem: None,
            pinned_sha256: None,
        }
    }

    fn refused(reason: CertificateProblem) -> RejectedCertificate {
        RejectedCertificate {
            reason,
            fingerprint_sha256: [0xA5; 32],
            subject: Some("CN=mail.example.test".into()),
            issuer: None,
            not_before: Some("2026-01-01 00:00:00 UTC".into()),
            not_after: Some("2026-04-01 00:00:00 UTC".into()),
        }
    }

    fn explained(certificate: &RejectedCertificate, home: Option<&Path>) -> String {
        let server = server();
        let at = TrustCommand {
            account: AccountId(7),
            direction: Direction::Outgoing,
            server: &server,
            home,
        };
        let mut out = Vec::new();
        explain(&mut out, certificate, &at).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_details_and_the_exact_command_are_shown() {
        let text = explained(&refused(CertificateProblem::Expired), None);
        let fingerprint = ["A5"; 32].join(":");
        assert!(
            text.contains("  Why:         the certificate has expired\n"),
            "{text}"
        );
        assert!(text.contains(&format!("  SHA-256:     {fingerprint}\n")));
        assert!(text.contains("  Subject:     CN=mail.example.test\n"));
        assert!(text.contains("  Issuer:      (unreadable)\n"), "{text}");
        assert!(text.contains("  Valid until: 2026-04-01 00:00:00 UTC\n"));
        assert!(!text.contains("Warning"), "{text}");
        assert!(
            text.ends_with(&format!(
                "for mail.example.test:465 (and no other), run:\n    \
                 poshta-cli account trust 7 --outgoing --sha256 {fingerprint}\n"
            )),
            "{text}"
        );
    }

    #[test]
    fn a_changed_certificate_is_a_warning_and_the_home_is_kept() {
        let home = Path::new("/tmp/my mail's home");
        let text = explained(&refused(CertificateProblem::PinMismatch), Some(home));
        assert!(text.contains("Warning: this is not the certificate you trusted"));
        assert!(
            text.contains(r"poshta-cli --home '/tmp/my mail'\''s home' account trust 7"),
            "{text}"
        );
        let plain = explained(
            &refused(CertificateProblem::UnknownIssuer),
            Some(Path::new("/srv/poshta-1")),
        );
        assert!(plain.contains("poshta-cli --home /srv/poshta-1 account trust"));
    }
}
