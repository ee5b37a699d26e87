fn main() -> std::process::ExitCode {
    poshta::cli::main()
}
