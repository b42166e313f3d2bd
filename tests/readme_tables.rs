//! The README's action table is the catalog's: rebuilt from `catalog::ACTIONS`, it must
//! appear in README.md verbatim.

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
