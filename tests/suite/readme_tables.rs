//! The README's tables are the code's: the action table and action reference are the
//! catalog's (rendered by `catalog::doc`, which `chaoslab actions` prints; every snippet in them
//! loads in a lab) and the code table is generated from `errors::Code::ALL`, verbatim.

use crate::common;

use chaoslab::base::errors::Code;
use chaoslab::catalog::ACTIONS;

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).expect("README.md")
}

/// Under `CHAOSLAB_BLESS`, writes `text` over the README's block that starts with its first
/// line and ends with the line break that begins `after` (`\n\n`: a blank line follows).
fn bless(text: &str, after: &str) {
    if std::env::var_os("CHAOSLAB_BLESS").is_none() {
        return;
    }
    let readme = readme();
    let first = text.lines().next().expect("a first line");
    let start = readme
        .find(&format!("\n{first}\n"))
        .map(|i| i + 1)
        .expect("README.md has the block's first line");
    let end = readme[start..]
        .find(after)
        .map_or(readme.len(), |i| start + i + 1);
    if readme[start..end] != *text {
        let blessed = format!("{}{text}{}", &readme[..start], &readme[end..]);
        std::fs::write(common::root().join("README.md"), blessed).expect("write README.md");
    }
}

fn assert_in_readme(what: &str, table: &str) {
    bless(table, "\n\n");
    assert!(
        readme().contains(table),
        "README.md's {what} table differs from the code; it should read:\n\n{table} \
         (CHAOSLAB_BLESS=1 cargo test --test suite readme_tables:: writes it)"
    );
}

#[test]
fn the_action_table_is_the_catalog() {
    let table = chaoslab::catalog::doc::table();
    let rows: Vec<&str> = table.lines().skip(2).collect();
    assert_eq!(rows.len(), ACTIONS.len());
    for (row, a) in rows.iter().zip(ACTIONS) {
        let target = a
            .target
            .map_or("none".to_owned(), |k| format!("`{}`", k.spec_key));
        assert!(
            row.starts_with(&format!("| `{}` | {target} | ", a.id)),
            "{row}"
        );
        for p in a.params {
            let optional = if p.required { "" } else { " (optional)" };
            assert!(row.contains(&format!("`{}`{optional}", p.name)), "{row}");
        }
        assert!(row.ends_with(&format!(" | {} |", a.summary)), "{row}");
    }
    assert_in_readme("action", &table);
}

#[test]
fn the_action_reference_is_the_catalog() {
    let reference = chaoslab::catalog::doc::reference();
    bless(&reference, "\n\n## ");
    let readme = readme();
    let start = readme
        .find("\n### FIS action reference\n")
        .expect("README.md has an action reference");
    let end = start + readme[start..].find("\n## ").expect("a section after it");
    let section = &readme[start..end];
    assert!(
        section.ends_with(&reference),
        "README.md's action reference differs from the catalog; it should end with:\n\n{reference}"
    );
    for a in ACTIONS {
        let entry = chaoslab::catalog::doc::entry(a);
        for p in a.params {
            assert!(entry.contains(p.meaning), "{} {}", a.id, p.name);
        }
        for s in a.iam {
            for action in s.actions {
                assert!(entry.contains(&format!("`{action}`")), "{} {action}", a.id);
            }
        }
        let (major, minor) = a.provider_floor;
        assert!(entry.contains(&format!("hashicorp/aws {major}.{minor}")));
    }
}

#[test]
fn every_snippet_loads_in_a_lab() {
    for a in ACTIONS {
        let snippet = chaoslab::catalog::doc::snippet(a);
        let spec = common::snippet_lab(a);
        let lab = chaoslab::load("snippet.yaml", &spec)
            .unwrap_or_else(|e| panic!("the {} snippet does not load:\n{e}\n{snippet}", a.id));
        assert_eq!(lab.experiments.len(), 1);
        assert!(chaoslab::catalog::doc::entry(a).contains(&snippet));
    }
}

/// The README's code table is generated: `Code::markdown_table()` between the `codes`
/// markers. Under `CHAOSLAB_BLESS` this test writes it there; otherwise it fails on any drift.
#[test]
fn the_code_table_is_the_code_enum() {
    const BEGIN: &str = "<!-- codes: generated from the `codes!` table";
    const END: &str = "<!-- /codes -->\n";
    let table = Code::markdown_table();
    let readme = readme();
    let start = readme.find(BEGIN).expect("README.md has the codes marker");
    let start = start + readme[start..].find('\n').expect("a line after the marker") + 1;
    let end = start
        + readme[start..]
            .find(END)
            .expect("README.md has the end marker");
    if std::env::var_os("CHAOSLAB_BLESS").is_some() && readme[start..end] != table {
        let blessed = format!("{}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(common::root().join("README.md"), blessed).expect("write README.md");
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README.md's code table differs from the `codes!` table; run \
         CHAOSLAB_BLESS=1 cargo test --test suite readme_tables:: and review the diff"
    );
    // No other code row anywhere in the README.
    let rows = readme
        .lines()
        .filter(|l| l.starts_with("| E0") || l.starts_with("| W0"))
        .count();
    assert_eq!(
        rows,
        Code::ALL.len(),
        "README.md lists a code the enum does not have"
    );
}

#[test]
fn codes_are_unique_and_in_order() {
    let names: Vec<String> = Code::ALL.iter().map(ToString::to_string).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        names, sorted,
        "Code::ALL must list each code once, in order"
    );
    let mut meanings: Vec<&str> = Code::ALL.iter().map(|c| c.description()).collect();
    meanings.sort_unstable();
    meanings.dedup();
    assert_eq!(meanings.len(), Code::ALL.len(), "two codes share a meaning");
}

/// The provider table: one row per action, in catalog order, its floor the catalog's, and
/// its release the facts' (so a floor raised or a release read shows in the README).
#[test]
fn the_provider_table_is_the_catalog_and_the_facts() {
    let table = chaoslab::catalog::doc::provider_table();
    let rows: Vec<&str> = table.lines().skip(2).collect();
    assert_eq!(rows.len(), ACTIONS.len());
    for (row, a) in rows.iter().zip(ACTIONS) {
        let (major, minor) = a.provider_floor;
        assert!(row.starts_with(&format!("| `{}` | ", a.id)), "{row}");
        assert!(
            row.ends_with(&format!(" | `~> {major}.{minor}` |")),
            "{row}"
        );
        for need in chaoslab::catalog::facts::provider_needs(a.id) {
            if let Some(since) = need.since {
                assert!(row.contains(&since), "{row}");
            }
        }
    }
    let lambda = rows
        .iter()
        .find(|r| r.starts_with("| `aws:lambda:invocation-error`"))
        .expect("row");
    assert!(lambda.contains("| 6.22.0 | [#41209]("), "{lambda}");
    assert_in_readme("provider compatibility", &table);
}

#[test]
fn the_rehearsal_coverage_table_is_the_catalog() {
    let table = chaoslab::catalog::doc::rehearsal_table();
    let rows: Vec<&str> = table.lines().skip(2).collect();
    assert_eq!(rows.len(), ACTIONS.len());
    for (row, a) in rows.iter().zip(ACTIONS) {
        let yes = matches!(a.rehearsal, chaoslab::catalog::Rehearsal::Local { .. });
        let start = format!("| `{}` | {} | ", a.id, if yes { "yes" } else { "no" });
        assert!(row.starts_with(&start), "{row}");
    }
    assert_in_readme("rehearsal coverage", &table);
}
