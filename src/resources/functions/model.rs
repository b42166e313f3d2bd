//! lambda.tf: each function of `functions:` (chaoslab's recommendations handler, zipped by the
//! archive provider), its execution role and log group, the AWS FIS Lambda extension when
//! `fault_injection` is on, and with an app its route on the load balancer (`/fn/<name>`).
//!
//! The extension setup follows "Use the AWS FIS aws:lambda:function actions"
//! (<https://docs.aws.amazon.com/fis/latest/userguide/use-lambda-actions.html>): the layer ARN
//! for the Region and architecture from the public SSM parameter
//! `/aws/service/fis/lambda-extension/AWS-FIS-extension-<arch>/1.x.x` ("Available versions of
//! the AWS FIS extension for Lambda"), `AWS_LAMBDA_EXEC_WRAPPER=/opt/aws-fis/bootstrap`,
//! `AWS_FIS_CONFIGURATION_LOCATION=arn:aws:s3:::<bucket>/<prefix>/` (the S3 ARN of the
//! folder), `AWS_FIS_POLL_MAX_WAIT_MILLISECONDS` ([`poll_wait_ms`]), and a function role that
//! may list the prefix and read its objects (the page's policy template).

use crate::base::address::{Address, FIS_CONFIG, LISTENER, NAME_PREFIX};
use crate::base::hcl::{Block, Expr, interp, lit};
use crate::resources::functions::{Architecture, Function, function_address, id, path};
use crate::resources::iam;
use crate::resources::services::{Service, TypeUse};
use crate::resources::tree::{Accepted, Tree, name_tag, prefixed};

const FILE: &str = "lambda.tf";

/// The handler: chaoslab's own file, never spec text.
const HANDLER: &str = include_str!("../../../blueprints/templates/lambda/recommendations.py");

/// Where `archive_file` writes the functions' zip, inside the lab directory.
pub const BUILD_DIR: &str = ".build/";

/// One package for every function: they all run the same handler.
const PACKAGE: Address = Address::Data("archive_file", "functions");

const LAMBDA_ASSUME: Address = Address::Data("aws_iam_policy_document", LAMBDA_ASSUME_NAME);
const LAMBDA_ASSUME_NAME: &str = "lambda_assume";

/// The folder of the config bucket FIS writes fault configurations to, and the extension reads.
pub const CONFIG_PREFIX: &str = "FisConfigs";

/// `AWS_FIS_POLL_MAX_WAIT_MILLISECONDS`: how long the extension may hold an invocation for an
/// in-flight poll of the fault configuration. The handler runs in a few milliseconds, under the
/// extension's average 70 ms poll, and the lab invokes it rarely: the guide's "fast infrequent
/// functions", whose poll may never complete, so faults would never apply without it. The
/// actions reference's example value, 2000 ms, also recommended with `preventExecution`;
/// capped at half the timeout so the wait never spends the function's whole time.
pub fn poll_wait_ms(f: &Function) -> u32 {
    (f.timeout * 1000 / 2).min(2000)
}

fn extension_parameter(arch: Architecture) -> Address {
    Address::Data(
        "aws_ssm_parameter",
        match arch {
            Architecture::X86_64 => "fis_lambda_extension_x86_64",
            Architecture::Arm64 => "fis_lambda_extension_arm64",
        },
    )
}

/// `app`: the lab has the app, whose load balancer routes `/fn/<name>` to each function.
pub fn build(functions: &[Function], app: bool, tree: &mut Tree) {
    if functions.is_empty() {
        return;
    }
    tree.accept(&LAB_FUNCTIONS);
    for arch in Architecture::ALL.map(|(_, a)| a) {
        if functions
            .iter()
            .any(|f| f.fault_injection && f.architecture == arch)
        {
            tree.add(
                FILE,
                extension_parameter(arch).block().attr(
                    "name",
                    Expr::str(format!(
                        "/aws/service/fis/lambda-extension/AWS-FIS-extension-{}/1.x.x",
                        arch.name()
                    )),
                ),
            );
        }
    }
    // One trust policy for every function role: Lambda may assume them.
    tree.add(
        FILE,
        iam::trust_policy(LAMBDA_ASSUME_NAME, "lambda.amazonaws.com", vec![]),
    );
    tree.add(
        FILE,
        PACKAGE
            .block()
            .attr("type", Expr::str("zip"))
            .attr("source_content", Expr::str(HANDLER))
            .attr("source_content_filename", Expr::str("handler.py"))
            .attr(
                "output_path",
                Expr::template(vec![
                    interp(Expr::r("path.module")),
                    lit(format!("/{BUILD_DIR}functions.zip")),
                ]),
            ),
    );
    for (i, f) in functions.iter().enumerate() {
        function(app, tree, f, i);
    }
}

fn function(app: bool, tree: &mut Tree, f: &Function, index: usize) {
    let id = id(&f.name);
    let role = Address::resource("aws_iam_role", &id);
    let logs = Address::resource("aws_cloudwatch_log_group", &id);
    let policy = Address::resource("aws_iam_role_policy", &id);
    tree.add(
        FILE,
        logs.block()
            .attr(
                "name",
                Expr::template(vec![
                    lit("/aws/lambda/"),
                    interp(NAME_PREFIX.expr()),
                    lit(format!("-{}", f.name)),
                ]),
            )
            .attr("retention_in_days", Expr::int(14)),
    );

    tree.add(
        FILE,
        role.block()
            .attr("name", prefixed(&format!("fn-{}", f.name)))
            .attr(
                "description",
                Expr::str(format!("Runs the {} Lambda function.", f.name)),
            )
            .attr("assume_role_policy", LAMBDA_ASSUME.attr("json")),
    );
    // Basic logging to its own group only (the group exists: no logs:CreateLogGroup).
    let mut doc = Block::data("aws_iam_policy_document", &id).block(iam::statement(
        "WriteOwnLogs",
        vec![
            Expr::str("logs:CreateLogStream"),
            Expr::str("logs:PutLogEvents"),
        ],
        vec![Expr::template(vec![interp(logs.attr("arn")), lit(":*")])],
    ));
    if f.fault_injection {
        doc = doc
            .block(
                iam::statement(
                    "ListFisConfigLocation",
                    vec![Expr::str("s3:ListBucket")],
                    vec![FIS_CONFIG.attr("arn")],
                )
                .block(iam::condition(
                    "StringLike",
                    "s3:prefix",
                    Expr::str(format!("{CONFIG_PREFIX}/*")),
                )),
            )
            .block(iam::statement(
                "ReadFisConfigs",
                vec![Expr::str("s3:GetObject")],
                vec![Expr::template(vec![
                    interp(FIS_CONFIG.attr("arn")),
                    lit(format!("/{CONFIG_PREFIX}/*")),
                ])],
            ));
    }
    tree.add(FILE, doc);
    tree.add(
        FILE,
        policy
            .block()
            .attr("name", Expr::str("function"))
            .attr("role", role.attr("id"))
            .attr(
                "policy",
                Expr::r(format!("data.aws_iam_policy_document.{id}.json")),
            ),
    );

    let address = function_address(&f.name);
    let mut lambda = address
        .block()
        .attr("function_name", prefixed(&f.name))
        .attr(
            "description",
            Expr::str("Chaos Shop recommendations (chaoslab)."),
        )
        .attr("role", role.attr("arn"))
        .attr("runtime", Expr::str(&f.runtime))
        .attr("handler", Expr::str("handler.handler"))
        .attr(
            "architectures",
            Expr::List(vec![Expr::str(f.architecture.name())]),
        )
        .attr("memory_size", Expr::int(i64::from(f.memory)))
        .attr("timeout", Expr::int(i64::from(f.timeout)))
        .attr("filename", PACKAGE.attr("output_path"))
        .attr("source_code_hash", PACKAGE.attr("output_base64sha256"));
    if f.fault_injection {
        lambda = lambda
            .attr(
                "layers",
                Expr::List(vec![
                    extension_parameter(f.architecture).attr("insecure_value"),
                ]),
            )
            .block(Block::new("environment", &[]).attr(
                "variables",
                Expr::map([
                    (
                        "AWS_FIS_CONFIGURATION_LOCATION",
                        Expr::template(vec![
                            interp(FIS_CONFIG.attr("arn")),
                            lit(format!("/{CONFIG_PREFIX}/")),
                        ]),
                    ),
                    (
                        "AWS_FIS_POLL_MAX_WAIT_MILLISECONDS",
                        Expr::str(poll_wait_ms(f).to_string()),
                    ),
                    (
                        "AWS_LAMBDA_EXEC_WRAPPER",
                        Expr::str("/opt/aws-fis/bootstrap"),
                    ),
                ]),
            ));
    }
    lambda = lambda
        .block(
            Block::new("logging_config", &[])
                .attr("log_format", Expr::str("Text"))
                .attr("log_group", logs.attr("name")),
        )
        .blank()
        .attr("depends_on", Expr::List(vec![logs.expr(), policy.expr()]));
    tree.add(FILE, lambda);

    match app {
        true => route(tree, f, &id, &address, index),
        false => tree.output(
            &format!("{id}_name"),
            &format!("Name of the {} Lambda function.", f.name),
            address.attr("function_name"),
        ),
    }
}

/// The load balancer invokes the function for `/fn/<name>`: a `lambda` target group, the
/// permission for elasticloadbalancing.amazonaws.com to invoke it from that group, the
/// attachment (after the permission, or registration fails) and a listener rule.
fn route(tree: &mut Tree, f: &Function, id: &str, function: &Address, index: usize) {
    let group = Address::resource("aws_lb_target_group", id);
    let permission = Address::resource("aws_lambda_permission", id);
    // Target group names are at most 32 characters, too few for `<prefix>-fn-<name>`:
    // Terraform names the group, and its `Name` tag says which function it serves.
    tree.add(
        FILE,
        group
            .block()
            .attr("target_type", Expr::str("lambda"))
            .attr("tags", name_tag(&format!("fn-{}", f.name))),
    );
    tree.add(
        FILE,
        permission
            .block()
            .attr("statement_id", Expr::str("AllowLoadBalancerInvoke"))
            .attr("action", Expr::str("lambda:InvokeFunction"))
            .attr("function_name", function.attr("function_name"))
            .attr("principal", Expr::str("elasticloadbalancing.amazonaws.com"))
            .attr("source_arn", group.attr("arn")),
    );
    tree.add(
        FILE,
        Address::resource("aws_lb_target_group_attachment", id)
            .block()
            .attr("target_group_arn", group.attr("arn"))
            .attr("target_id", function.attr("arn"))
            .attr("depends_on", Expr::List(vec![permission.expr()])),
    );
    let path = path(&f.name);
    tree.add(
        FILE,
        Address::resource("aws_lb_listener_rule", id)
            .block()
            .attr("listener_arn", LISTENER.attr("arn"))
            .attr("priority", Expr::int(100 + index as i64))
            .block(
                Block::new("action", &[])
                    .attr("type", Expr::str("forward"))
                    .attr("target_group_arn", group.attr("arn")),
            )
            .block(Block::new("condition", &[]).block(
                Block::new("path_pattern", &[]).attr("values", Expr::List(vec![Expr::str(&path)])),
            )),
    );
    tree.output(
        &format!("{id}_url"),
        &format!("URL of the {} Lambda function.", f.name),
        Expr::template(vec![
            lit("http://"),
            interp(crate::base::address::ALB.attr("dns_name")),
            lit(path),
        ]),
    );
}

const LAB_FUNCTIONS: Accepted = Accepted {
    findings: "CKV_AWS_50, CKV_AWS_115, CKV_AWS_116, CKV_AWS_117, CKV_AWS_173, CKV_AWS_272, CKV_AWS_158, CKV_AWS_338 (Lambda tracing, concurrency limit, dead-letter queue, VPC, environment KMS key, code signing; log group without a customer key, retention under a year)",
    reason: "the functions are a stateless demo endpoint that calls nothing; their environment holds only the FIS extension's settings, and their logs are kept 14 days",
};

/// The resource and data source types this kind emits, and their services.
pub const TYPES: &[TypeUse] = &[
    ("aws_lambda_function", Service::LAMBDA, Some("functions")),
    (
        "aws_lambda_permission",
        Service::LAMBDA,
        Some("invoke permissions"),
    ),
    (
        "aws_ssm_parameter",
        Service::SYSTEMS_MANAGER,
        Some("read the public AMI parameter"),
    ),
    (
        "aws_lb_listener_rule",
        Service::ELASTIC_LOAD_BALANCING,
        Some("listener rules"),
    ),
    (
        "aws_lb_target_group",
        Service::ELASTIC_LOAD_BALANCING,
        Some("target groups"),
    ),
    (
        "aws_lb_target_group_attachment",
        Service::ELASTIC_LOAD_BALANCING,
        Some("target registrations"),
    ),
    (
        "aws_cloudwatch_log_group",
        Service::CLOUDWATCH_LOGS,
        Some("log groups"),
    ),
    ("aws_iam_role", Service::IAM, Some("roles")),
    ("aws_iam_role_policy", Service::IAM, Some("role policies")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poll_wait_is_2000_ms_at_most_half_the_timeout() {
        let f = |timeout| Function {
            name: "f".to_owned(),
            runtime: "python3.12".to_owned(),
            memory: 128,
            timeout,
            architecture: Architecture::X86_64,
            fault_injection: true,
        };
        assert_eq!(poll_wait_ms(&f(1)), 500);
        assert_eq!(poll_wait_ms(&f(3)), 1500);
        assert_eq!(poll_wait_ms(&f(4)), 2000);
        assert_eq!(poll_wait_ms(&f(900)), 2000);
    }
}
