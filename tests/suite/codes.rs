//! One meaning per code. Every variant of every area's `Problem` enum is built (the
//! `problems!` table gives each one with default data) and the codes they claim are compared:
//! a code claimed by two areas is a drift unless `SHARED` says why its one meaning spans
//! areas; every code of the table is claimed by a variant; every enum the source declares is
//! in the list; and no checking area builds a diagnostic by hand.

use std::collections::{BTreeMap, BTreeSet};

use chaoslab::base::diag::Problem;
use chaoslab::base::errors::Code;
use chaoslab::resources;

use crate::common;

/// (area, variant, code) for each variant of each area's enum. A new area adds its line.
fn claims() -> Vec<(&'static str, &'static str, Code)> {
    let mut out = Vec::new();
    add::<chaoslab::spec::Problem>(&mut out);
    add::<resources::checker::Problem>(&mut out);
    add::<resources::network::Problem>(&mut out);
    add::<resources::app::Problem>(&mut out);
    add::<resources::aurora::Problem>(&mut out);
    add::<resources::dynamodb::Problem>(&mut out);
    add::<resources::functions::Problem>(&mut out);
    add::<resources::s3::Problem>(&mut out);
    add::<resources::tenants::Problem>(&mut out);
    add::<resources::alarms::Problem>(&mut out);
    add::<chaoslab::experiments::Problem>(&mut out);
    add::<chaoslab::experiments::StepProblem>(&mut out);
    add::<chaoslab::catalog::Problem>(&mut out);
    add::<chaoslab::lint::problem::Problem>(&mut out);
    out
}

/// Every `problems!` enum in the source is in [`claims`], so none escapes the one-meaning test.
#[test]
fn every_problem_enum_is_claimed() {
    let listed: BTreeSet<&str> = claims().into_iter().map(|(area, _, _)| area).collect();
    let mut declared = BTreeSet::new();
    for path in common::rust_sources(&common::root().join("src")) {
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        // A table opens a line (`problems! {`); its area follows on the `enum` line.
        let mut lines = source.lines().map(str::trim_start);
        while let Some(line) = lines.next() {
            if line != "problems! {" {
                continue;
            }
            let area = lines
                .find(|l| l.contains(" enum "))
                .and_then(|l| l.split_once(" in \""))
                .and_then(|(_, r)| r.split_once('"'))
                .map(|(area, _)| area.to_owned())
                .unwrap_or_else(|| {
                    panic!("{}: a problems! table without its area", path.display())
                });
            declared.insert(area);
        }
    }
    assert!(declared.len() > 10, "found only {declared:?}");
    let missing: Vec<&String> = declared
        .iter()
        .filter(|a| !listed.contains(a.as_str()))
        .collect();
    assert!(missing.is_empty(), "add these to claims(): {missing:?}");
}

/// The examples hold default data, so their message and help are not checked here: a variant
/// may pass on the loader's words or a rule's fix, empty by default.
fn add<P: Problem>(out: &mut Vec<(&'static str, &'static str, Code)>) {
    for p in P::examples() {
        out.push((P::AREA, p.variant(), p.code()));
    }
}

/// Codes whose one meaning is a kind of check every area makes on its own fields, so several
/// areas report it; with the reason.
const SHARED: &[(Code, &str)] = &[
    (
        Code::E005,
        "a missing key: the loader's, and a key a section needs only with another value",
    ),
    (
        Code::E006,
        "a number out of its range or step: each area checks its own numbers",
    ),
    (
        Code::E007,
        "text not in its field's form: each area checks its own text",
    ),
    (
        Code::E010,
        "an invalid name: each area names its own things, and some names are taken",
    ),
    (
        Code::E012,
        "not a Region code: the lab's Region and the replicas' Regions",
    ),
    (
        Code::E031,
        "an S3 object key: the objects' own keys and the key the app reads",
    ),
    (
        Code::E042,
        "a target that does not fit the action: the experiments check its key, zone and selection mode, the catalog's target kinds what a kind takes",
    ),
    (
        Code::E043,
        "a reference to something the spec does not define: each area names what it refers to",
    ),
];

#[test]
fn each_code_is_claimed_by_one_area_or_shared_for_a_reason() {
    let mut areas: BTreeMap<Code, BTreeSet<&str>> = BTreeMap::new();
    for (area, _, code) in claims() {
        areas.entry(code).or_default().insert(area);
    }
    let shared: BTreeSet<Code> = SHARED.iter().map(|(c, _)| *c).collect();
    let drifted: Vec<String> = areas
        .iter()
        .filter(|(code, areas)| areas.len() > 1 && !shared.contains(code))
        .map(|(code, areas)| {
            let variants: Vec<String> = claims()
                .into_iter()
                .filter(|(_, _, c)| c == code)
                .map(|(a, v, _)| format!("{a}::{v}"))
                .collect();
            format!(
                "{code} ({}) is claimed by {areas:?}: {}",
                code.description(),
                variants.join(", ")
            )
        })
        .collect();
    assert!(
        drifted.is_empty(),
        "codes with more than one owner; give the other meaning a code of its own (or, if the \
         meaning truly spans areas, add it to SHARED with the reason):\n{}",
        drifted.join("\n")
    );
    for (code, why) in SHARED {
        assert!(!why.is_empty());
        let owners = areas.get(code).map_or(0, BTreeSet::len);
        assert!(
            owners > 1,
            "{code} is in SHARED but has one owner; drop it there"
        );
    }
}

#[test]
fn every_code_is_used() {
    let claimed: BTreeSet<Code> = claims().into_iter().map(|(_, _, c)| c).collect();
    for code in Code::ALL {
        assert!(
            claimed.contains(code),
            "{code} ({}) is reported by no Problem variant: report it through one, or retire it",
            code.description()
        );
    }
}

/// The areas (folders or files) moved to `Problem` enums.
const CONVERTED: &[&str] = &[
    "src/resources",
    "src/spec",
    "src/catalog",
    "src/experiments",
];

/// The areas moved to `Problem` enums report through them only: no code or prose at a call
/// site.
#[test]
fn converted_areas_build_no_diagnostic_by_hand() {
    let root = common::root();
    let mut scanned = 0;
    for dir in CONVERTED {
        for path in common::rust_sources(&root.join(dir)) {
            scanned += 1;
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rel = path.strip_prefix(&root).unwrap_or(&path);
            // (The checker's old `err`, which took a code and prose, is gone: the compiler holds
            // that one.)
            for needle in ["Code::", "Diagnostic::error", "Diagnostic::warning"] {
                assert!(
                    !source.contains(needle),
                    "{}: `{needle}`: report a Problem variant instead",
                    rel.display()
                );
            }
        }
    }
    assert!(scanned > 10, "found only {scanned} sources to scan");
}
