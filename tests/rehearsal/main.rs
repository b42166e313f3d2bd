//! The rehearsals: the lab's app booted in a network namespace against moto and PostgreSQL,
//! faults injected, the results judged. A test binary of their own, apart from tests/suite,
//! because cargo runs test binaries one after another: a rehearsal measures timings and
//! shares the machine with nothing else but its own load (the rest of the suite, run beside
//! it, starved PostgreSQL long enough for the app's bulkhead to shed catalog calls). Filter by
//! module, e.g. `cargo test --test rehearsal command::`.

#[path = "../suite/common/mod.rs"]
mod common;

mod command;
mod scenarios;
