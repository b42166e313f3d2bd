//! The Chaos Shop app delivered by user_data: valid Python, timeouts from the spec, and a
//! bootstrap script Terraform's templatefile() and bash both accept.

mod common;

use std::process::Command;

const SAMPLE_CONFIG: &str = r#"{"region":"us-east-1","db_host":"db","db_name":"chaosshop","db_secret_arn":"arn","reviews_table":"t","reviews_key":"product_id","reviews_key_type":"S","promo_bucket":"b","promo_key":"promo.json"}"#;

fn spec(app: &str) -> String {
    format!(
        "{}dynamodb:\n  reviews:\n    hash_key: {{name: product_id, type: S}}\ns3:\n  promo:\n    objects:\n      promo.json: {{content: '{{}}'}}\naurora: {{}}\napp: {app}\n",
        common::MINIMAL
    )
}

/// What Terraform's templatefile() makes of the file: `${config}` filled, escapes undone.
/// Fails on any other interpolation or directive, which templatefile would reject or expand.
fn render_tftpl(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['$', '%']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("$${") || tail.starts_with("%%{") {
            out.push_str(&tail[1..3]);
            rest = &tail[3..];
        } else if let Some(after) = tail.strip_prefix("${config}") {
            out.push_str(SAMPLE_CONFIG);
            rest = after;
        } else if tail.starts_with("${") || tail.starts_with("%{") {
            panic!(
                "unexpected template sequence: {}",
                &tail[..tail.len().min(40)]
            );
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

fn user_data(spec: &str) -> String {
    let files = common::generate_str(spec);
    let f = files
        .iter()
        .find(|f| f.name == "templates/user_data.sh.tftpl")
        .expect("user_data template generated");
    render_tftpl(&f.content)
}

fn app_py(script: &str) -> String {
    let start = script.find("<<'PY'\n").expect("app heredoc") + "<<'PY'\n".len();
    let len = script[start..].find("\nPY\n").expect("heredoc end");
    script[start..start + len + 1].to_owned()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn app_code_compiles_and_takes_its_timeouts_from_the_spec() {
    let script = user_data(&spec(
        "{timeouts: {connect: 3, read: 7, retries: 1}, workers: 3, port: 9000}",
    ));
    let py = app_py(&script);
    assert!(
        py.contains(
            r#"_boto_cfg = Config(connect_timeout=3, read_timeout=7, retries={"max_attempts": 1})"#
        ),
        "{py}"
    );
    assert!(
        py.contains("connect_timeout=3,\n    )"),
        "database connects use the same timeout"
    );
    assert!(script.contains("--workers 3 --timeout 30 --bind 0.0.0.0:9000 app:app"));

    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("app.py");
    std::fs::write(&path, &py).expect("write app.py");
    run(Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&path));
    let sh = tmp.path().join("user_data.sh");
    std::fs::write(&sh, &script).expect("write script");
    run(Command::new("bash").arg("-n").arg(&sh));
}

#[test]
fn reference_lab_uses_the_article_timeouts() {
    let (_, files) =
        common::generate_file(&common::root().join("blueprints/chaos-shop-dependencies.yaml"));
    let f = files
        .iter()
        .find(|f| f.name == "templates/user_data.sh.tftpl")
        .expect("user_data");
    let py = app_py(&render_tftpl(&f.content));
    assert!(
        py.contains(r#"Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 0})"#)
    );
}

#[test]
fn health_and_catalog_never_touch_dynamodb_or_s3() {
    let py = app_py(&user_data(&spec("{}")));
    let handler = |route: &str| {
        let start = py.find(&format!("@app.route(\"{route}\")")).expect("route");
        let end = py[start + 1..]
            .find("\n@app.route")
            .map_or(py.len(), |e| start + 1 + e);
        py[start..end].to_owned()
    };
    let health = handler("/health");
    for dep in ["_db(", "_reviews_table", "_s3", "_ddb"] {
        assert!(!health.contains(dep), "/health calls {dep}");
    }
    let catalog = handler("/products");
    assert!(catalog.contains("_db("));
    for dep in ["_reviews_table", "_s3.", "_ddb"] {
        assert!(!catalog.contains(dep), "/products calls {dep}");
    }
    let reviews = handler("/products/<product_id>/reviews");
    assert!(reviews.contains("_reviews_table.query") && reviews.contains("503"));
    let promo = handler("/promo");
    assert!(promo.contains("_s3.get_object") && promo.contains("503"));
}
