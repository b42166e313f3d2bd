//! The README's tables are the code's: the action table rebuilt from `catalog::ACTIONS` and the
//! code table from `errors::Code::ALL` must appear in README.md verbatim.

mod common;

use chaoslab::catalog::ACTIONS;
use chaoslab::errors::Code;

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
    let mut table = String::from("| action | targets | parameters |\n| --- | --- | --- |\n");
    for a in ACTIONS {
        let target = a
            .target
            .map_or("none".to_owned(), |k| format!("`{}`", k.spec_key()));
        let params: Vec<String> = a
            .params
            .iter()
            .map(|p| {
                if p.required {
                    format!("`{}`", p.name)
                } else {
                    format!("`{}` (optional)", p.name)
                }
            })
            .collect();
        let params = if params.is_empty() {
            "none".to_owned()
        } else {
            params.join(", ")
        };
        table.push_str(&format!("| `{}` | {target} | {params} |\n", a.id));
    }
    assert_in_readme("action", &table);
}

#[test]
fn the_code_table_is_the_code_enum() {
    let mut table = String::from("| code | meaning |\n| --- | --- |\n");
    for code in Code::ALL {
        table.push_str(&format!("| {code} | {} |\n", code.description()));
    }
    assert_in_readme("code", &table);
    // No other code row anywhere in the README.
    let rows = readme()
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
