//! A small CloudWatch alarm evaluator: given an alarm as chaoslab emits it and a synthetic
//! metric series, when (if ever) does the alarm go into ALARM?
//!
//! It exists so that a stop condition is judged by CloudWatch's documented semantics, not by
//! chaoslab's belief about them: M out of N, the four ways to treat missing data with the
//! evaluation range, and the metric math chaoslab's alarms use. The documentation's worked
//! examples are its tests (`tests/suite/cloudwatch.rs`), each beside the source below.

pub mod alarm;
pub mod math;

/// A documented fact this module encodes, with where and when it was read.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    pub url: &'static str,
    /// The copy that was read: the public source of the page at a commit.
    pub copy: &'static str,
    /// The date it was read.
    pub read: &'static str,
    pub fact: &'static str,
}

/// The CloudWatch User Guide sections the evaluator follows.
pub const SOURCES: [Source; 5] = [
    Source {
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation",
        copy: "github.com/awsdocs/amazon-cloudwatch-user-guide@b355497 doc_source/AlarmThatSendsEmail.md",
        read: "2026-12-07",
        fact: "Evaluating an alarm: Period, Evaluation Periods (N), Datapoints to Alarm (M); the breaching points need not be consecutive; a period of a minute or more is evaluated every minute over the window that ends then",
    },
    Source {
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data",
        copy: "github.com/awsdocs/amazon-cloudwatch-user-guide@b355497 doc_source/AlarmThatSendsEmail.md",
        read: "2026-12-07",
        fact: "How alarm state is evaluated when data is missing: the evaluation range, real points first, missing ones filled as few times as possible; the two tables of examples (N = 3, M = 3 and M = 2, range 5)",
    },
    Source {
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#CloudWatch-alarms-avoiding-premature-transition",
        copy: "github.com/awsdocs/amazon-cloudwatch-user-guide@b355497 doc_source/AlarmThatSendsEmail.md",
        read: "2026-12-07",
        fact: "Avoiding premature transitions to alarm state: `- - X - -` goes into ALARM under `missing`, `- - - - X` and `- - - X -` (M = 3) do not",
    },
    Source {
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html",
        copy: "github.com/awsdocs/amazon-cloudwatch-user-guide@b355497 doc_source/using-metric-math.md",
        read: "2026-12-07",
        fact: "Arithmetic treats a missing value as 0 and drops a division by zero; comparisons between series treat a value missing on one side as 0; IF's four forms with their tables; FILL replaces every missing point",
    },
    Source {
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/percentiles-with-low-samples.html",
        copy: "the page itself, and the PutMetricAlarm reference's EvaluateLowSampleCountPercentile",
        read: "2026-12-07",
        fact: "a percentile alarm is evaluated however few samples there are unless `ignore` is set (chaoslab never sets it): a p99 alarm on fewer than 1000 requests still changes state",
    },
];
