//! Certificates and keys for the TLS unit tests: test material only,
//! shared by the configuration, verifier and DER reader tests.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::sha256;

/// A throwaway CA certificate (no key kept), valid until 2126.
pub(super) const TEST_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBojCCAUmgAwIBAgIUDGlED31L4Wda7huT66zrg2oMO2gwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTcG9zaHRhIHVuaXQtdGVzdCBDQTAgFw0yNjExMjMxNTAzNTRa
GA8yMTI2MTAzMDE1MDM1NFowHjEcMBoGA1UEAwwTcG9zaHRhIHVuaXQtdGVzdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLAdUEc8SPzNVTkyXi0tRTb7o4bE
krklbGlPiOkJoYgv1TgSqVvb1lghdpuenXqkwfwAq4XQ5Afzz/axL9HvgL2jYzBh
MB0GA1UdDgQWBBQsbpnUMnD/cWon+tv9ZVhukGU/CTAfBgNVHSMEGDAWgBQsbpnU
MnD/cWon+tv9ZVhukGU/CTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIC
BDAKBggqhkjOPQQDAgNHADBEAiAWePK1HBsELKCrZ2fmkEki3iVp99V/zPS4tiG5
EhJNEwIgPfYA41cSz58tuwfKu/92BjLWlM+ENVAXzSNHIALSzHs=
-----END CERTIFICATE-----
";

// Two self-signed CA:TRUE certificates (what `openssl req -x509` makes)
// with their keys, for in-process handshakes. Test material only.
pub(super) const A_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBozCCAUqgAwIBAgIUfoN53VdbL3QR4R8YAht4omNfJiEwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9zaHRhIHBpbiB0ZXN0IEEwIBcNMjYxMTIzMTYyMTI0WhgP
MjEyNjEwMzAxNjIxMjRaMBwxGjAYBgNVBAMMEXBvc2h0YSBwaW4gdGVzdCBBMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEufczPaYQ9BaYT14gq6pFuJHchkdJngvb
o9t+Vmz1XdtETHgh0afarEWWNkmJDnyiFha4pTN+DStczoX/Zx0zIKNoMGYwHQYD
VR0OBBYEFIfa29HzLMUif581QxucdxgN67BvMB8GA1UdIwQYMBaAFIfa29HzLMUi
f581QxucdxgN67BvMA8GA1UdEwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIcGluLnRl
c3QwCgYIKoZIzj0EAwIDRwAwRAIgBTd/nQXMARDKDKQ9jZOgfMaLxwaTOFAAFCMm
g+Bsh5gCIBRRACfMshXtuHpOx0GZO3kajCJ/HCrWyl8E8gsSCwG1
-----END CERTIFICATE-----
";
pub(super) const A_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHitJYAHRfxbG5KWl
r5up5dZjuULDzbZG4LkHCMi1wKihRANCAAS59zM9phD0FphPXiCrqkW4kdyGR0me
C9uj235WbPVd20RMeCHRp9qsRZY2SYkOfKIWFrilM34NK1zOhf9nHTMg
-----END PRIVATE KEY-----
";
pub(super) const B_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBozCCAUqgAwIBAgIUKWZ+xSMZC18WWmZt4uTnf6/lyvkwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9zaHRhIHBpbiB0ZXN0IEIwIBcNMjYxMTIzMTYyMTI0WhgP
MjEyNjEwMzAxNjIxMjRaMBwxGjAYBgNVBAMMEXBvc2h0YSBwaW4gdGVzdCBCMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/pFVZACfJpez/AsGhshhloIUYMvGVU/K
6fr+q7HFJnwWQQl8J+qR0YU1khugkcUE/zh4typ6Z1+TIawYp01QYqNoMGYwHQYD
VR0OBBYEFImZaA1j4ih1UMP2Zaj2KkqhKv0sMB8GA1UdIwQYMBaAFImZaA1j4ih1
UMP2Zaj2KkqhKv0sMA8GA1UdEwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIcGluLnRl
c3QwCgYIKoZIzj0EAwIDRwAwRAIgJuTqS/gFCSWcVxFsPRP4oKVjRWok8URNA8b3
OcrWMP0CIFnfupPlgJ7N36R8MkvAWzFJ21aXm9nNDE27LSqs0p/r
-----END CERTIFICATE-----
";
pub(super) const B_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYaYWCgfTM68f79Xm
lCjgO+BE9apoaaN24bhuKjRGubihRANCAAT+kVVkAJ8ml7P8CwaGyGGWghRgy8ZV
T8rp+v6rscUmfBZBCXwn6pHRhTWSG6CRxQT/OHi3KnpnX5MhrBinTVBi
-----END PRIVATE KEY-----
";
/// `openssl x509 -noout -fingerprint -sha256` of A_CERT.
pub(super) const A_FINGERPRINT: &str = "65:8E:45:7D:22:F4:69:76:09:CA:4E:83:BA:2E:B6:52:C0:34:E7:C2:A3:62:19:4B:21:D8:11:77:BA:41:1D:66";
/// `openssl x509 -noout -fingerprint -sha256` of B_CERT.
pub(super) const B_FINGERPRINT: &str = "80:39:DD:6B:03:F1:B4:EA:9F:38:61:15:09:1A:34:41:47:72:0F:02:42:4A:DD:2B:FD:6B:D5:FD:78:80:15:D0";

pub(super) fn der_of(pem: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
}

pub(super) fn pin_of(pem: &str) -> [u8; 32] {
    sha256(&der_of(pem))
}
