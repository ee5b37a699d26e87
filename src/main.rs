//! `poshta`: the desktop mail client window.

fn main() -> iced::Result {
    poshta::logging::init();
    poshta::ui::run(poshta::paths::data_dir())
}
