//! rds_proxy.tf: RDS Proxy between the app and Aurora, when the spec asks for it (Article 4's
//! layout). It reads the same Secrets Manager secret as the app, through its own role.

use super::Aurora;
use super::model::secret_arn;
use crate::base::hcl::{Block, Expr};
use crate::resources::iam;
use crate::resources::network::{Tier, subnets};
use crate::resources::tree::{Accepted, Tree, name_tag, prefixed};

const FILE: &str = "rds_proxy.tf";

pub fn build(aurora: &Aurora, tree: &mut Tree) {
    if !aurora.proxy {
        return;
    }
    tree.accept(&GROUP_ON_THE_PROXY);
    tree.add(
        FILE,
        iam::trust_policy("rds_proxy_assume", "rds.amazonaws.com", Vec::new()),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role", "rds_proxy")
            .attr("name", prefixed("rds-proxy"))
            .attr(
                "assume_role_policy",
                Expr::r("data.aws_iam_policy_document.rds_proxy_assume.json"),
            ),
    );
    tree.add(
        FILE,
        Block::data("aws_iam_policy_document", "rds_proxy").block(iam::statement(
            "ReadDatabaseSecret",
            vec![Expr::str("secretsmanager:GetSecretValue")],
            vec![secret_arn()],
        )),
    );
    tree.add(
        FILE,
        Block::resource("aws_iam_role_policy", "rds_proxy")
            .attr("name", Expr::str("read-db-secret"))
            .attr("role", Expr::r("aws_iam_role.rds_proxy.id"))
            .attr(
                "policy",
                Expr::r("data.aws_iam_policy_document.rds_proxy.json"),
            ),
    );
    tree.add(
        FILE,
        Block::resource("aws_db_proxy", "main")
            .attr("name", prefixed("proxy"))
            .attr("engine_family", Expr::str("POSTGRESQL"))
            .attr("role_arn", Expr::r("aws_iam_role.rds_proxy.arn"))
            .attr("vpc_subnet_ids", subnets(Tier::Private, "id"))
            .attr(
                "vpc_security_group_ids",
                Expr::List(vec![Expr::r("aws_security_group.rds_proxy.id")]),
            )
            .attr("require_tls", Expr::Bool(false))
            .block(
                Block::new("auth", &[])
                    .attr("auth_scheme", Expr::str("SECRETS"))
                    .attr("iam_auth", Expr::str("DISABLED"))
                    .attr("secret_arn", secret_arn()),
            )
            .blank()
            .attr("tags", name_tag("proxy")),
    );
    tree.add(
        FILE,
        Block::resource("aws_db_proxy_default_target_group", "main")
            .attr("db_proxy_name", Expr::r("aws_db_proxy.main.name")),
    );
    tree.add(
        FILE,
        Block::resource("aws_db_proxy_target", "main")
            .attr("db_proxy_name", Expr::r("aws_db_proxy.main.name"))
            .attr(
                "target_group_name",
                Expr::r("aws_db_proxy_default_target_group.main.name"),
            )
            .attr(
                "db_cluster_identifier",
                Expr::r("aws_rds_cluster.main.cluster_identifier"),
            ),
    );
    tree.output(
        "rds_proxy_endpoint",
        "Endpoint of the RDS Proxy the app connects through.",
        Expr::r("aws_db_proxy.main.endpoint"),
    );
    if aurora.reads_from_readers {
        // The proxy's default endpoint only reaches the writer; reads go to the readers
        // through an endpoint of their own.
        tree.add(
            FILE,
            Block::resource("aws_db_proxy_endpoint", "reader")
                .attr("db_proxy_name", Expr::r("aws_db_proxy.main.name"))
                .attr("db_proxy_endpoint_name", prefixed("proxy-reader"))
                .attr("vpc_subnet_ids", subnets(Tier::Private, "id"))
                .attr(
                    "vpc_security_group_ids",
                    Expr::List(vec![Expr::r("aws_security_group.rds_proxy.id")]),
                )
                .attr("target_role", Expr::str("READ_ONLY"))
                .blank()
                .attr("tags", name_tag("proxy-reader")),
        );
        tree.output(
            "rds_proxy_reader_endpoint",
            "Read-only endpoint of the RDS Proxy, which the catalog reads through.",
            Expr::r("aws_db_proxy_endpoint.reader.endpoint"),
        );
    }
}

const GROUP_ON_THE_PROXY: Accepted = Accepted {
    findings: "CKV2_AWS_5 (security group not attached to a resource), on the RDS Proxy's group",
    reason: "a false positive: the group is attached to the proxy through `aws_db_proxy.vpc_security_group_ids`, which checkov does not follow",
};
