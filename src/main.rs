//! The `ksim` command line. Thin: parse arguments, call the library, map errors to exit codes.

mod cli;

fn main() {
    let code = match cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
