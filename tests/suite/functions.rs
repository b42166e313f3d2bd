//! `functions:`: the handler the lab ships runs and answers an ALB event as the load balancer
//! expects, and the AWS FIS Lambda extension is set up exactly on the functions with
//! `fault_injection` (layer, wrapper and configuration location; the config bucket only when
//! some function needs it; the archive provider only when the lab has functions).

use crate::common;

use chaoslab::output::GeneratedFile;
use hcl::{Block, Body, Expression};

const LAB: &str = "functions:\n  plain: {fault_injection: false}\n  faulted: {architecture: arm64, timeout: 10}\n";

fn file<'a>(files: &'a [GeneratedFile], name: &str) -> Option<&'a str> {
    files
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.content.as_str())
}

fn blocks(text: &str) -> Vec<Block> {
    let body: Body = hcl::from_str(text).expect("parses");
    body.into_blocks().collect()
}

fn labelled<'a>(blocks: &'a [Block], kind: &str, name: &str) -> &'a Block {
    blocks
        .iter()
        .find(|b| {
            let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
            labels == [kind, name]
        })
        .unwrap_or_else(|| panic!("no {kind}.{name}"))
}

/// An expression as HCL text without whitespace, to compare regardless of layout.
fn flat(e: &Expression) -> String {
    let text = hcl::format::to_string(e).expect("formats");
    text.split_whitespace().collect()
}

fn attr<'a>(block: &'a Block, key: &str) -> Option<&'a Expression> {
    block
        .body()
        .attributes()
        .find(|a| a.key() == key)
        .map(|a| a.expr())
}

#[test]
fn the_extension_is_on_exactly_the_functions_with_fault_injection() {
    let files = common::generate_str(&format!("{}{LAB}", common::MINIMAL));
    let lambda = blocks(file(&files, "lambda.tf").expect("lambda.tf"));
    let faulted = labelled(&lambda, "aws_lambda_function", "fn_faulted");
    let plain = labelled(&lambda, "aws_lambda_function", "fn_plain");

    assert_eq!(
        flat(attr(faulted, "layers").expect("layers")),
        "[data.aws_ssm_parameter.fis_lambda_extension_arm64.insecure_value]"
    );
    let env = faulted
        .body()
        .blocks()
        .find(|b| b.identifier() == "environment")
        .expect("environment");
    let vars = flat(attr(env, "variables").expect("variables"));
    assert!(
        vars.contains("AWS_LAMBDA_EXEC_WRAPPER=\"/opt/aws-fis/bootstrap\""),
        "{vars}"
    );
    assert!(
        vars.contains(
            "AWS_FIS_CONFIGURATION_LOCATION=\"${aws_s3_bucket.fis_config.arn}/FisConfigs/\""
        ),
        "{vars}"
    );
    // Timeout 10 s: the guide's 2000 ms, under half the timeout.
    assert!(
        vars.contains("AWS_FIS_POLL_MAX_WAIT_MILLISECONDS=\"2000\""),
        "{vars}"
    );
    assert!(attr(plain, "layers").is_none());
    assert!(
        !plain
            .body()
            .blocks()
            .any(|b| b.identifier() == "environment")
    );
    // Only the arm64 parameter: no function without the extension asks for the x86_64 one.
    let parameters: Vec<&Block> = lambda
        .iter()
        .filter(|b| {
            b.labels()
                .first()
                .is_some_and(|l| l.as_str() == "aws_ssm_parameter")
        })
        .collect();
    assert_eq!(parameters.len(), 1);
    assert_eq!(
        flat(attr(parameters[0], "name").expect("name")),
        "\"/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x\""
    );
    // The function role reads the config prefix only where the extension polls it.
    let policy = |name: &str| {
        let doc = labelled(&lambda, "aws_iam_policy_document", name);
        hcl::format::to_string(doc.body()).expect("fmt")
    };
    assert!(policy("fn_faulted").contains("s3:GetObject"));
    assert!(policy("fn_faulted").contains("\"s3:prefix\""));
    assert!(!policy("fn_plain").contains("s3:"));
    assert!(file(&files, "s3.tf").is_some_and(|s| s.contains("\"fis_config\"")));
    assert!(file(&files, "versions.tf").is_some_and(|v| v.contains("hashicorp/archive")));
    assert!(file(&files, ".gitignore").is_some_and(|g| g.contains("\n.build/\n")));
}

#[test]
fn without_fault_injection_or_functions_nothing_of_the_extension_is_built() {
    let off = common::generate_str(&format!(
        "{}functions:\n  plain: {{fault_injection: false}}\n",
        common::MINIMAL
    ));
    let lambda = file(&off, "lambda.tf").expect("lambda.tf");
    for absent in ["aws_ssm_parameter", "AWS_LAMBDA_EXEC_WRAPPER", "fis_config"] {
        assert!(!lambda.contains(absent), "{absent} in:\n{lambda}");
    }
    assert!(file(&off, "s3.tf").is_none_or(|s| !s.contains("fis_config")));
    // No app: no load balancer route, the function's name is an output instead.
    assert!(!lambda.contains("aws_lb_listener_rule"));
    assert!(file(&off, "outputs.tf").is_some_and(|o| o.contains("fn_plain_name")));

    let none = common::generate_str(common::MINIMAL);
    assert!(file(&none, "lambda.tf").is_none());
    assert!(file(&none, "versions.tf").is_some_and(|v| !v.contains("archive")));
    assert!(file(&none, ".gitignore").is_some_and(|g| !g.contains(".build/")));
}

/// The handler chaoslab ships, as the tree carries it (`archive_file.source_content`).
fn handler_source() -> String {
    let (_, files) = common::generate_file(&common::root().join("tests/fixtures/lambda-lab.yaml"));
    let lambda = blocks(file(&files, "lambda.tf").expect("lambda.tf"));
    let package = labelled(&lambda, "archive_file", "functions");
    match attr(package, "source_content") {
        Some(Expression::String(s)) => s.clone(),
        other => panic!("source_content is {other:?}"),
    }
}

/// Runs the handler with `python3` on an ALB event for `method`, printing its result as JSON.
fn invoke(method: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("handler.py"), handler_source()).expect("write");
    let event = serde_json::json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"}},
        "httpMethod": method,
        "path": "/fn/recommendations",
        "queryStringParameters": {},
        "headers": {"host": "lab.example", "user-agent": "chaoslab-test"},
        "body": "",
        "isBase64Encoded": false
    });
    let script = "import json, sys\nimport handler\nprint(json.dumps(handler.handler(json.loads(sys.argv[1]), None)))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, &event.to_string()])
        .current_dir(dir.path())
        .env("AWS_LAMBDA_FUNCTION_NAME", "chaos-lab-recommendations")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the handler fails: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the handler returns JSON-serialisable data")
}

#[test]
fn the_handler_answers_an_alb_event_as_the_load_balancer_expects() {
    let ok = invoke("GET");
    assert_eq!(ok["statusCode"], 200);
    assert_eq!(ok["statusDescription"], "200 OK");
    assert_eq!(ok["isBase64Encoded"], false);
    assert_eq!(ok["headers"]["Content-Type"], "application/json");
    let body: serde_json::Value =
        serde_json::from_str(ok["body"].as_str().expect("body is a string")).expect("JSON body");
    assert_eq!(body["function"], "chaos-lab-recommendations");
    assert!(
        body["recommendations"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );

    let refused = invoke("POST");
    assert_eq!(refused["statusCode"], 405);
    assert_eq!(refused["statusDescription"], "405 Method Not Allowed");
    assert_eq!(refused["headers"]["Allow"], "GET, HEAD");
}

#[test]
fn the_lab_readme_says_where_each_function_answers_and_what_to_watch() {
    let (_, files) = common::generate_file(&common::root().join("tests/fixtures/lambda-lab.yaml"));
    let readme = file(&files, "README.md").expect("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("* **Lambda** function `chaos-lab-recommendations`"))
        .expect("a line for the function");
    for needed in [
        "`/fn/recommendations`",
        "`Errors`",
        "`Duration`",
        "`chaos-lab-fis-config-<account id>`",
    ] {
        assert!(line.contains(needed), "{needed} not in: {line}");
    }
    let plain = common::generate_str(&format!(
        "{}functions:\n  plain: {{fault_injection: false}}\n",
        common::MINIMAL
    ));
    let readme = file(&plain, "README.md").expect("README.md");
    assert!(readme.contains("no Lambda fault reaches it"), "{readme}");
    assert!(
        !readme.contains("/fn/plain"),
        "no app, no load balancer path"
    );
}

/// G10 as a property of the tree: every function a Lambda template targets carries the layer,
/// both environment variables, and a role that may list and read the config prefix.
#[test]
fn every_lambda_target_has_the_extension_set_up() {
    for spec in [
        "tests/fixtures/lambda-lab.yaml",
        "tests/fixtures/every-action.yaml",
    ] {
        let (_, files) = common::generate_file(&common::root().join(spec));
        let fis = blocks(file(&files, "fis.tf").expect("fis.tf"));
        let lambda = blocks(file(&files, "lambda.tf").expect("lambda.tf"));
        let mut targeted = Vec::new();
        for template in fis.iter().filter(|b| {
            b.labels()
                .first()
                .is_some_and(|l| l.as_str() == "aws_fis_experiment_template")
        }) {
            for target in template
                .body()
                .blocks()
                .filter(|b| b.identifier() == "target")
            {
                if attr(target, "resource_type").map(flat)
                    == Some("\"aws:lambda:function\"".to_owned())
                {
                    let arns = flat(attr(target, "resource_arns").expect("resource_arns"));
                    targeted.push(arns.trim_matches(['[', ']']).to_owned());
                }
            }
        }
        assert!(!targeted.is_empty(), "{spec} has no Lambda template");
        for arn in targeted {
            let id = arn
                .strip_prefix("aws_lambda_function.")
                .and_then(|r| r.strip_suffix(".arn"))
                .unwrap_or_else(|| panic!("{spec}: {arn} is not one lab function's ARN"));
            let function = labelled(&lambda, "aws_lambda_function", id);
            assert!(
                attr(function, "layers").is_some_and(|l| flat(l).contains("fis_lambda_extension")),
                "{spec}: {id} has no extension layer"
            );
            let env = function
                .body()
                .blocks()
                .find(|b| b.identifier() == "environment")
                .map(|e| flat(attr(e, "variables").expect("variables")))
                .unwrap_or_default();
            assert!(
                env.contains("AWS_LAMBDA_EXEC_WRAPPER")
                    && env.contains("AWS_FIS_CONFIGURATION_LOCATION"),
                "{spec}: {id}: {env}"
            );
            let policy =
                hcl::format::to_string(labelled(&lambda, "aws_iam_policy_document", id).body())
                    .expect("formats");
            for needed in ["s3:ListBucket", "s3:prefix", "s3:GetObject", "FisConfigs/*"] {
                assert!(
                    policy.contains(needed),
                    "{spec}: {id}'s role lacks {needed}"
                );
            }
        }
    }
}

/// A delay past the timeout is E053, unless the experiment says timeouts are its point.
#[test]
fn a_timeout_experiment_is_e053_unless_acknowledged() {
    let spec = |ack: &str| {
        format!(
            "{}functions:\n  f: {{timeout: 3}}\nexperiments:\n  slow:\n    description: Time the function out\n    action: aws:lambda:invocation-add-delay\n    parameters: {{duration: PT3M, startupDelayMilliseconds: \"5000\"}}\n    targets: {{functions: f}}\n    acknowledge: [no-stop-condition{ack}]\n",
            common::MINIMAL
        )
    };
    let err = chaoslab::load("t.yaml", &spec(""))
        .expect_err("E053")
        .to_string();
    assert!(
        err.contains("error[E053]") && err.contains("3 s = 3000 ms"),
        "{err}"
    );
    assert!(chaoslab::load("t.yaml", &spec(", function-timeout")).is_ok());
}
