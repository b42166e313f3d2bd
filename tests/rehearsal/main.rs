//! The rehearsals: the lab's app booted in a network namespace against moto and PostgreSQL,
//! faults injected, the results judged. A test binary of their own, apart from tests/suite,
//! because cargo runs test binaries one after another: a rehearsal measures timings and
//! shares the machine with nothing else but its own load (the rest of the suite, run beside
//! it, starved PostgreSQL long enough for the app's bulkhead to shed catalog calls). Filter by
//! module, e.g. `cargo test --test rehearsal subcommand::`.
//!
//! Rehearsals run side by side, a few at a time (`common::rehearsal_lane`). libtest starts
//! tests in the order of their names, so the long runs of the harness's scenarios
//! (`scenarios::`) start first and the short `chaoslab rehearse` runs (`subcommand::`) fill
//! the lanes at the end, rather than one long run starting last and alone.

#[path = "../suite/common/mod.rs"]
mod common;

mod scenarios;
mod subcommand;
