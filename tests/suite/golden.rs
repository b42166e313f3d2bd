//! The checked-in generated/ trees are exactly what the blueprints generate.

use crate::common;

use chaoslab::output;

#[test]
fn every_blueprint_reproduces_its_generated_tree_byte_for_byte() {
    for spec in common::blueprints() {
        let (lab, files) = common::generate_file(&spec);
        let dir = common::root().join("generated").join(&lab.name);
        let diff = output::diff(&dir, &files).expect("generated tree readable");
        assert!(
            diff.is_empty(),
            "generated/{} is stale; run `cargo run -- generate {}`:\n{diff}",
            lab.name,
            spec.display()
        );
        // Every file in the directory is one chaoslab generated (nothing hand-added).
        let mut on_disk = common::files_under(&dir);
        on_disk.sort();
        let mut expected: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        expected.push(output::MANIFEST.to_owned());
        expected.sort();
        assert_eq!(
            on_disk, expected,
            "generated/{} holds files the blueprint does not generate",
            lab.name
        );
    }
}

#[test]
fn generated_dirs_all_have_a_blueprint() {
    let labs: Vec<String> = common::blueprints()
        .iter()
        .map(|s| common::generate_file(s).0.resources.name)
        .collect();
    for entry in std::fs::read_dir(common::root().join("generated")).expect("generated/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            labs.contains(&name),
            "generated/{name} has no blueprint in blueprints/"
        );
    }
}

/// Two separate processes (fresh hash seeds, allocator and clock) write the same bytes.
#[test]
fn generation_is_deterministic() {
    for spec in common::blueprints() {
        let dirs = [
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        ];
        for d in &dirs {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_chaoslab"))
                .arg("generate")
                .arg(&spec)
                .arg("-o")
                .arg(d.path().join("lab"))
                .output()
                .expect("chaoslab runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let [a, b] = [0, 1].map(|i| dirs[i].path().join("lab"));
        let files = common::files_under(&a);
        assert_eq!(files, common::files_under(&b));
        for f in files {
            let read = |dir: &std::path::Path| std::fs::read(dir.join(&f)).expect("read");
            assert!(read(&a) == read(&b), "{f} differs between two runs");
        }
    }
}

#[test]
fn yaml_order_does_not_change_the_output() {
    let a = format!(
        "{}tags: {{b: '2', a: '1'}}\ndynamodb:\n  t2: {{hash_key: {{name: k, type: S}}}}\n  t1: {{hash_key: {{name: k, type: S}}}}\n",
        common::MINIMAL
    );
    let b = format!(
        "{}dynamodb:\n  t1: {{hash_key: {{name: k, type: S}}}}\n  t2: {{hash_key: {{name: k, type: S}}}}\ntags: {{a: '1', b: '2'}}\n",
        common::MINIMAL
    );
    assert_eq!(common::generate_str(&a), common::generate_str(&b));
}
