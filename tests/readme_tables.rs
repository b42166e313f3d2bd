//! The README's action table and action reference are the catalog's: rebuilt from
//! `catalog::ACTIONS` (and rendered by `catalog::doc`, which `chaoslab actions` prints), they
//! must appear in README.md verbatim; every snippet in them loads in a lab.

mod common;

use chaoslab::catalog::ACTIONS;

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).expect("README.md")
}

fn assert_in_readme(what: &str, table: &str) {
    assert!(
        readme().contains(table),
        "README.md's {what} table differs from the code; it should read:\n\n{table}"
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
            .map_or("none".to_owned(), |k| format!("`{}`", k.spec_key()));
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
    let readme = readme();
    let start = readme
        .find("\n### FIS action reference\n")
        .expect("README.md has an action reference");
    let end = start + readme[start..].find("\n## ").expect("a section after it");
    let section = &readme[start..end];
    let reference = chaoslab::catalog::doc::reference();
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
    let fixture = std::fs::read_to_string(common::root().join("tests/fixtures/every-action.yaml"))
        .expect("every-action.yaml");
    let base = &fixture[..fixture.find("\nexperiments:").expect("experiments") + 1];
    for a in ACTIONS {
        let snippet = chaoslab::catalog::doc::snippet(a);
        let spec = format!("{base}{snippet}");
        let lab = chaoslab::load("snippet.yaml", &spec)
            .unwrap_or_else(|e| panic!("the {} snippet does not load:\n{e}\n{snippet}", a.id));
        assert_eq!(lab.experiments.len(), 1);
        assert!(chaoslab::catalog::doc::entry(a).contains(&snippet));
    }
}
