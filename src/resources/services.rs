//! The AWS services a lab's resources live in, and which resource or data source types each
//! kind emits where: the README's "Before you apply" names every service the applying
//! identity needs, with what the lab makes there. Each kind declares its own types next to
//! its model; the model layer gathers them in registry order.

/// A service as the README names it. A kind whose service is not below declares its own
/// `Service` beside its types, with a rank that places it in the list: no central edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Service {
    /// Where the README lists it (ascending); the services below are ten apart.
    pub rank: u16,
    pub name: &'static str,
    /// Its IAM action prefix.
    pub prefix: &'static str,
}

impl Service {
    pub const fn new(rank: u16, name: &'static str, prefix: &'static str) -> Service {
        Service { rank, name, prefix }
    }

    pub const EC2: Service = Service::new(10, "Amazon EC2", "ec2");
    pub const AUTO_SCALING: Service = Service::new(20, "Amazon EC2 Auto Scaling", "autoscaling");
    pub const ELASTIC_LOAD_BALANCING: Service =
        Service::new(30, "Elastic Load Balancing", "elasticloadbalancing");
    pub const ECS: Service = Service::new(40, "Amazon ECS", "ecs");
    pub const LAMBDA: Service = Service::new(50, "AWS Lambda", "lambda");
    pub const SYSTEMS_MANAGER: Service = Service::new(60, "AWS Systems Manager", "ssm");
    pub const RDS: Service = Service::new(70, "Amazon RDS", "rds");
    pub const SECRETS_MANAGER: Service = Service::new(80, "AWS Secrets Manager", "secretsmanager");
    pub const DYNAMODB: Service = Service::new(90, "Amazon DynamoDB", "dynamodb");
    pub const S3: Service = Service::new(100, "Amazon S3", "s3");
    pub const SQS: Service = Service::new(110, "Amazon SQS", "sqs");
    pub const CLOUDWATCH: Service = Service::new(120, "Amazon CloudWatch", "cloudwatch");
    pub const CLOUDWATCH_LOGS: Service = Service::new(130, "Amazon CloudWatch Logs", "logs");
    pub const EVENTBRIDGE: Service = Service::new(140, "Amazon EventBridge", "events");
    pub const SCHEDULER: Service = Service::new(150, "EventBridge Scheduler", "scheduler");
    pub const FIS: Service = Service::new(160, "AWS FIS", "fis");
    pub const IAM: Service = Service::new(170, "AWS IAM", "iam");
}

/// A resource or data source type, the service it is made in and what it is there (`None`:
/// nothing worth naming). A type may be declared twice with two services (RDS creates the
/// cluster's master secret in Secrets Manager with the caller's rights), and by two kinds.
pub type TypeUse = (&'static str, Service, Option<&'static str>);
