use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = chaoslab::cli::run(std::env::args_os());
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
}
