//! Which attachments could run code when opened, so the UI warns first:
//! by the extension a desktop decides with, or by the declared type.

use super::real_extension;

/// Whether opening a file could run code rather than show a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    Safe,
    /// A program, script, installer, shortcut or macro document: the UI
    /// warns before opening it.
    Executable,
}

/// Whether the attachment could run code when opened: by the extension it
/// would be saved with, or by its declared type.
pub fn risk(name: &str, mime_type: &str) -> Risk {
    let by_name = real_extension(name).is_some_and(|ext| is_risky_extension(&ext));
    let mime = mime_type.trim().to_ascii_lowercase();
    let by_type = RISKY_TYPES.contains(&mime.as_str()) || mime.contains("macroenabled");
    if by_name || by_type {
        Risk::Executable
    } else {
        Risk::Safe
    }
}

pub(super) fn is_risky_extension(ext: &str) -> bool {
    RISKY_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
}

/// Extensions a desktop runs, installs, mounts or follows rather than
/// shows: Windows programs and scripts, shortcuts, Office documents with
/// macros, Unix scripts and launchers, packages and disk images.
const RISKY_EXTENSIONS: &[&str] = &[
    // Windows programs, libraries, installers.
    "exe",
    "com",
    "scr",
    "pif",
    "cpl",
    "dll",
    "ocx",
    "sys",
    "drv",
    "msi",
    "msp",
    "mst",
    "msc",
    "msix",
    "msixbundle",
    "appx",
    "appxbundle",
    "application",
    "appref-ms",
    "gadget",
    "xbap",
    "cab",
    "diagcab", // Windows scripts and shells.
    "bat",
    "cmd",
    "ps1",
    "ps1xml",
    "ps2",
    "ps2xml",
    "psc1",
    "psc2",
    "psd1",
    "psm1",
    "vb",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "wsc",
    "ws",
    "hta",
    "msh",
    "msh1",
    "msh2",
    "mshxml",
    "reg",
    "inf",
    "chm",
    "hlp", // Shortcuts and locations that run things.
    "lnk",
    "url",
    "scf",
    "library-ms",
    "settingcontent-ms",
    "desktop",
    "webloc",
    "inetloc",
    "terminal", // Office documents with macros, add-ins, Access.
    "docm",
    "dotm",
    "xlsm",
    "xltm",
    "xlsb",
    "xlam",
    "xll",
    "pptm",
    "potm",
    "ppsm",
    "ppam",
    "sldm",
    "mde",
    "mda",
    "accde",
    "ade",
    "adp", // Java.
    "jar",
    "jnlp",
    "class", // Unix scripts, programs and packages.
    "sh",
    "bash",
    "zsh",
    "csh",
    "ksh",
    "fish",
    "command",
    "tool",
    "run",
    "appimage",
    "py",
    "pyw",
    "pyc",
    "pyz",
    "pl",
    "rb",
    "php",
    "tcl",
    "lua",
    "so",
    "deb",
    "rpm",
    "apk",
    "flatpakref",
    "snap", // macOS.
    "app",
    "dmg",
    "pkg",
    "mpkg",
    "scpt",
    "applescript",
    "workflow",
    "action",
    "dylib",
    // Disk images (mounted with one click; their contents escape checks).
    "iso",
    "img",
    "vhd",
    "vhdx",
];

/// Declared types of programs and scripts.
const RISKY_TYPES: &[&str] = &[
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
    "application/x-msi",
    "application/x-ms-installer",
    "application/x-ms-shortcut",
    "application/x-sh",
    "application/x-shellscript",
    "text/x-shellscript",
    "application/x-csh",
    "application/x-bat",
    "application/bat",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "text/javascript",
    "text/vbscript",
    "application/x-vbscript",
    "application/hta",
    "application/java-archive",
    "application/x-java-archive",
    "application/x-java-jnlp-file",
    "application/x-python",
    "application/x-python-code",
    "text/x-python",
    "application/x-perl",
    "text/x-perl",
    "application/x-ruby",
    "application/x-php",
    "application/x-desktop",
    "application/x-appimage",
    "application/vnd.appimage",
    "application/x-deb",
    "application/vnd.debian.binary-package",
    "application/x-rpm",
    "application/x-redhat-package-manager",
    "application/vnd.android.package-archive",
    "application/x-apple-diskimage",
    "application/x-iso9660-image",
];
