//! The rehearsals: the lab's app booted in a network namespace against moto and PostgreSQL,
//! faults injected, the results judged. A test binary of their own, apart from tests/suite,
//! because cargo runs test binaries one after another: a rehearsal measures timings and
//! shares the machine with nothing else but its own load (the rest of the suite, run beside
//! it, starved PostgreSQL long enough for the app's bulkhead to shed catalog calls). Filter by
//! module, e.g. `cargo test --test rehearsal subcommand::`.
//!
//! Rehearsals run side by side, a few at a time, the longest first ([`lane`]): scripts/test
//! starts every test at once (`--test-threads 64`) and the lanes pick the order.

#[path = "../suite/common/mod.rs"]
mod common;

mod scenarios;
mod subcommand;

/// The rehearsal tests, longest first (wall time of each beside two others, this 2-core
/// machine, 2026-12-07): the order lanes are given in.
const LONGEST_FIRST: [&str; 12] = [
    "scenarios::probe_and_verify_judge_the_reference_lab_beside_its_app", // 154 s
    "scenarios::the_reference_lab_keeps_its_promise_and_the_unguarded_app_does_not", // 136 s
    "scenarios::latency_and_packet_loss_slow_the_shop_but_do_not_break_it", // 121 s
    "scenarios::the_catalog_cache_and_the_order_queue_carry_the_shop_through_a_database_outage", // 86 s
    "subcommand::true_hypotheses_hold_and_a_false_one_exits_1_in_one_boot", // 78 s
    "scenarios::the_fargate_task_boots_from_its_task_definition_and_keeps_the_promise", // 56 s
    "scenarios::the_circuit_breaker_turns_repeated_failures_into_immediate_503s_and_closes_again", // 53 s
    "subcommand::a_latency_fault_on_the_ecs_task_is_injected_and_judged", // 45 s
    "subcommand::without_root_the_unguarded_app_breaks_the_reference_labs_promise", // 45 s
    "subcommand::a_circuit_breakers_reset_is_awaited_before_the_recovery_is_judged", // 43 s
    "subcommand::a_database_restart_is_injected_and_the_other_features_hold", // 35 s
    "subcommand::ctrl_c_ends_the_rehearsal_and_leaves_nothing_behind",    // 29 s
];

/// A lane for this test's rehearsal, in [`LONGEST_FIRST`]'s order.
fn lane() -> common::Lane {
    common::rehearsal_lane(&LONGEST_FIRST)
}

/// Every name in [`LONGEST_FIRST`] is a test of this binary: a renamed test would otherwise
/// lose its place and start last.
#[test]
fn the_lane_order_names_tests_that_exist() {
    for name in LONGEST_FIRST {
        let (module, test) = name.split_once("::").expect("module::test");
        let source =
            std::fs::read_to_string(common::root().join(format!("tests/rehearsal/{module}.rs")))
                .expect("the module's source");
        assert!(
            source.contains(&format!("#[test]\nfn {test}()")),
            "{name} is not a test of tests/rehearsal"
        );
    }
}
