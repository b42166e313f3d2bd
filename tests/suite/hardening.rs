//! YAML hardening: size cap, YAML 1.2 booleans, alias budget, no panics on odd input.

use crate::common;

use std::time::{Duration, Instant};

#[test]
fn oversized_spec_is_refused_before_parsing() {
    let big = format!(
        "{}description: \"{}\"\n",
        common::MINIMAL,
        "x".repeat(300 * 1024)
    );
    let started = Instant::now();
    let err = chaoslab::load("big.yaml", &big)
        .expect_err("too large")
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        err.contains("error[E001]") && err.contains("the limit is 262144 bytes"),
        "{err}"
    );
}

#[test]
fn yes_and_no_are_text_not_booleans() {
    let spec = format!(
        "{}dynamodb:\n  t:\n    hash_key: {{name: id, type: S}}\n    items:\n      - {{id: a, in_stock: yes, sold_out: no, flag: true}}\n",
        common::MINIMAL
    );
    let files = common::generate_str(&spec);
    let ddb = &files
        .iter()
        .find(|f| f.name == "dynamodb.tf")
        .expect("dynamodb.tf")
        .content;
    assert!(ddb.contains("in_stock = { S = \"yes\" }"), "{ddb}");
    assert!(ddb.contains("sold_out = { S = \"no\" }"), "{ddb}");
    assert!(ddb.contains("flag     = { BOOL = true }"), "{ddb}");
}

#[test]
fn alias_floods_hit_the_budget() {
    let mut spec = format!("{}tags: {{a: &v x", common::MINIMAL);
    for i in 0..200 {
        spec.push_str(&format!(", k{i}: *v"));
    }
    spec.push_str("}\n");
    let err = chaoslab::load("aliases.yaml", &spec)
        .expect_err("alias flood")
        .to_string();
    assert!(err.contains("error[E002]"), "{err}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap, deterministic sweep over mutations of a valid spec; the fuzz target goes further.
    let base =
        std::fs::read_to_string(common::root().join("blueprints/chaos-shop-dependencies.yaml"))
            .expect("spec");
    let bytes = base.as_bytes();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..1000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut m = bytes.to_vec();
        let at = (seed as usize) % m.len();
        let replacement = [
            b':', b'{', b'[', b'-', b'&', b'*', b'\n', b' ', b'"', b'\'', b'#', b'!',
        ][(seed >> 32) as usize % 12];
        match (seed >> 40) % 3 {
            0 => m[at] = replacement,
            1 => m.insert(at, replacement),
            _ => {
                m.remove(at);
            }
        }
        let text = String::from_utf8_lossy(&m);
        if let Ok(lab) = chaoslab::load("m.yaml", &text) {
            chaoslab::generate(&lab).expect("a valid spec always generates");
        }
    }
}
