//! The AWS services a lab's resources live in, and which resource or data source types each
//! kind emits where: the README's "Before you apply" names every service the applying
//! identity needs, with what the lab makes there. Each kind declares its own types next to
//! its model; the model layer gathers them in registry order.

/// In the README's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Ec2,
    AutoScaling,
    ElasticLoadBalancing,
    Ecs,
    Lambda,
    SystemsManager,
    Rds,
    SecretsManager,
    DynamoDb,
    S3,
    Sqs,
    CloudWatch,
    CloudWatchLogs,
    EventBridge,
    Scheduler,
    Fis,
    Iam,
}

impl Service {
    /// The service's name and its IAM action prefix.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Service::Ec2 => ("Amazon EC2", "ec2"),
            Service::AutoScaling => ("Amazon EC2 Auto Scaling", "autoscaling"),
            Service::ElasticLoadBalancing => ("Elastic Load Balancing", "elasticloadbalancing"),
            Service::Ecs => ("Amazon ECS", "ecs"),
            Service::Lambda => ("AWS Lambda", "lambda"),
            Service::SystemsManager => ("AWS Systems Manager", "ssm"),
            Service::Rds => ("Amazon RDS", "rds"),
            Service::SecretsManager => ("AWS Secrets Manager", "secretsmanager"),
            Service::DynamoDb => ("Amazon DynamoDB", "dynamodb"),
            Service::S3 => ("Amazon S3", "s3"),
            Service::Sqs => ("Amazon SQS", "sqs"),
            Service::CloudWatch => ("Amazon CloudWatch", "cloudwatch"),
            Service::CloudWatchLogs => ("Amazon CloudWatch Logs", "logs"),
            Service::EventBridge => ("Amazon EventBridge", "events"),
            Service::Scheduler => ("EventBridge Scheduler", "scheduler"),
            Service::Fis => ("AWS FIS", "fis"),
            Service::Iam => ("AWS IAM", "iam"),
        }
    }
}

/// A resource or data source type, the service it is made in and what it is there (`None`:
/// nothing worth naming). A type may be declared twice with two services (RDS creates the
/// cluster's master secret in Secrets Manager with the caller's rights), and by two kinds.
pub type TypeUse = (&'static str, Service, Option<&'static str>);
