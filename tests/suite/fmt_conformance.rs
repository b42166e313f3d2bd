//! The output is byte-identical to what a real `terraform fmt` (1.0.3) produces.

use crate::common;

use std::process::Command;

/// Fails when `terraform fmt` would change (or cannot parse) a file below `dir`.
pub(crate) fn assert_fmt_clean(dir: &std::path::Path) {
    let out = Command::new(common::terraform())
        .args(["fmt", "-check", "-diff", "-recursive"])
        .arg(dir)
        .output()
        .expect("terraform runs");
    assert!(
        out.status.success(),
        "terraform fmt would change {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn checked_in_trees_are_terraform_fmt_canonical() {
    assert_fmt_clean(&common::root().join("generated"));
}

/// Specs that stress the renderer: odd strings, non-ASCII keys, every NAT mode.
#[test]
fn unusual_specs_render_canonically() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let odd = "x ${y} %{z} \"q\" \\ <<EOT\nline2 é ✓";
    let specs = [
        format!(
            "{}description: d\ntags: {{Ünïcode-Key: 'vàlue', x: 'y'}}\ns3:\n  b:\n    objects:\n      \"k €.txt\": {{content: {odd:?}}}\ndynamodb:\n  t:\n    hash_key: {{name: id, type: N}}\n    items:\n      - {{id: 1, \"ä attr\": {odd:?}, ok: true, n: 1.5}}\nexperiments:\n  e:\n    description: {odd:?}\n    action: aws:network:disrupt-connectivity\n    parameters: {{duration: PT1M, scope: all}}\n    targets: {{subnets: public}}\n",
            common::MINIMAL
        ),
        format!(
            "{}  nat: per-az\n  gateway_endpoints: [s3, dynamodb]\n",
            common::MINIMAL
        ),
        format!(
            "{}  nat: none\n  interface_endpoints: [s3]\n",
            common::MINIMAL
        ),
        format!(
            "{}dynamodb: {{reviews: {{hash_key: {{name: id, type: N}}}}}}\ns3: {{promo: {{objects: {{promo.json: {{content: x}}}}}}}}\napp: {{}}\naurora: {{proxy: true, readers: 2}}\n",
            common::MINIMAL
        ),
    ];
    for (i, spec) in specs.iter().enumerate() {
        common::write_tree(&tmp.path().join(i.to_string()), &common::generate_str(spec));
    }
    assert_fmt_clean(tmp.path());
}
