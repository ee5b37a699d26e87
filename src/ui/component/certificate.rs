//! The decision about a server certificate that failed verification: why
//! it failed, in words, what it says about itself, and its SHA-256
//! fingerprint, with "trust exactly this certificate for this server" or
//! "don't". Used by account setup and when a connection is refused later
//! (a trusted certificate that changed asks again).

use crate::fl;
use crate::net::tls::{CertificateProblem, RejectedCertificate};
use crate::ui::theme;
use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Font, Theme};

/// Why the certificate was refused, for a person.
pub fn reason(problem: &CertificateProblem) -> String {
    match problem {
        CertificateProblem::Expired => fl!("certificate-expired"),
        CertificateProblem::NotYetValid => fl!("certificate-not-yet-valid"),
        CertificateProblem::NotValidForName => fl!("certificate-wrong-host"),
        CertificateProblem::UnknownIssuer => fl!("certificate-unknown-issuer"),
        CertificateProblem::SelfSigned => fl!("certificate-self-signed"),
        CertificateProblem::PinMismatch => fl!("certificate-changed"),
        CertificateProblem::Other(detail) => fl!("certificate-other", detail = detail.as_str()),
    }
}

/// The fingerprint in two lines of 16 bytes: one unbroken line of 95
/// characters does not fit the dialog, and halves are easier to compare.
pub fn fingerprint_lines(certificate: &RejectedCertificate) -> String {
    let hex = certificate.fingerprint_hex();
    match (hex.get(..47), hex.get(48..)) {
        (Some(first), Some(second)) => format!("{first}\n{second}"),
        _ => hex,
    }
}

/// The dialog's body for `certificate`, presented by `host:port`.
pub fn view<'a, M: Clone + 'a>(
    certificate: &'a RejectedCertificate,
    host: &str,
    port: u16,
    trust: M,
    cancel: M,
) -> Element<'a, M> {
    let server = format!("{host}:{port}");
    let unknown = fl!("certificate-unknown-field");
    let field = |label: String, value: Option<&String>| {
        row![
            text(label)
                .size(12)
                .width(130)
                .style(|t: &Theme| text::Style {
                    color: Some(theme::muted(t)),
                }),
            text(value.cloned().unwrap_or_else(|| unknown.clone()))
                .size(12)
                .width(Fill),
        ]
        .spacing(8)
    };
    let changed = certificate.reason == CertificateProblem::PinMismatch;
    column![
        text(fl!("certificate-title", server = server.as_str())).size(16),
        text(reason(&certificate.reason))
            .size(13)
            .style(|t: &Theme| text::Style {
                color: Some(theme::error_text(t)),
            }),
        container(
            column![
                field(fl!("certificate-subject"), certificate.subject.as_ref()),
                field(fl!("certificate-issuer"), certificate.issuer.as_ref()),
                field(
                    fl!("certificate-valid-from"),
                    certificate.not_before.as_ref()
                ),
                field(
                    fl!("certificate-valid-until"),
                    certificate.not_after.as_ref()
                ),
                row![
                    text(fl!("certificate-fingerprint"))
                        .size(12)
                        .width(130)
                        .style(|t: &Theme| {
                            text::Style {
                                color: Some(theme::muted(t)),
                            }
                        }),
                    text(fingerprint_lines(certificate))
                        .size(12)
                        .font(Font::MONOSPACE)
                        .width(Fill),
                ]
                .spacing(8),
            ]
            .spacing(6),
        )
        .padding(12)
        .style(container::bordered_box),
        text(if changed {
            fl!("certificate-advice-changed")
        } else {
            fl!("certificate-advice")
        })
        .size(12),
        row![
            button(text(fl!("certificate-cancel")).size(13))
                .style(button::secondary)
                .on_press(cancel),
            button(text(fl!("certificate-trust", server = server.as_str())).size(13))
                .style(button::danger)
                .on_press(trust),
        ]
        .spacing(8),
    ]
    .spacing(10)
    .into()
}
