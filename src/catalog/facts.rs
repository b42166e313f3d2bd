//! The service facts of `data/fis-facts.json` that the validator and the lab README read: how
//! long a service may take before an action's fault is in effect, as its documentation says.
//! The file is embedded and parsed once; tests/suite/fis_facts.rs holds the catalog to the rest
//! of it and checks that this copy parses (a lookup finds nothing otherwise).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

const TEXT: &str = include_str!("../../data/fis-facts.json");

#[derive(Deserialize)]
struct File {
    sources: BTreeMap<String, Source>,
    actions: BTreeMap<String, ActionFacts>,
}

#[derive(Deserialize)]
struct Source {
    url: String,
    title: String,
}

#[derive(Deserialize)]
struct ActionFacts {
    #[serde(default)]
    lag: Option<Fact<LagValue>>,
    #[serde(default)]
    provider: Vec<ProviderFact>,
}

/// A provider release fact: the target key (or resource argument) an action's template needs,
/// and the first release that accepts it, with the change's number in its note.
#[derive(Deserialize)]
struct ProviderFact {
    value: ProviderValue,
    #[serde(default)]
    confirmed: Option<bool>,
}

#[derive(Deserialize)]
struct ProviderValue {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    argument: Option<String>,
    since: Option<String>,
    /// The pull request that brought it, e.g. `#41209`, when the sources name it.
    #[serde(default)]
    change: Option<String>,
}

#[derive(Deserialize)]
struct Fact<T> {
    value: T,
    src: String,
    #[serde(default)]
    confirmed: Option<bool>,
    #[serde(default)]
    says: Option<String>,
}

#[derive(Deserialize)]
struct LagValue {
    seconds: Option<u64>,
    bound: String,
    #[serde(default)]
    after_end_seconds: Option<u64>,
    #[serde(default)]
    often_under_seconds: Option<u64>,
}

static FACTS: LazyLock<Result<File, String>> =
    LazyLock::new(|| serde_json::from_str(TEXT).map_err(|e| e.to_string()));

/// Why the embedded facts do not parse, if they do not.
pub fn parse_error() -> Option<String> {
    FACTS.as_ref().err().cloned()
}

/// How long the service may take before an action's fault is in effect, as documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lag {
    pub seconds: u64,
    /// An upper bound ("up to"), which a shorter fault cannot outlast; otherwise a typical time.
    pub upper_bound: bool,
    /// How long the fault may last after the action ends, when documented.
    pub after_end: Option<u64>,
    /// A shorter time the documentation calls frequent ("often under").
    pub often_under: Option<u64>,
    /// What the documentation says, in a phrase.
    pub says: String,
    /// The page's title, e.g. `AWS FIS Actions reference`.
    pub source: String,
    /// The page, at the section when it has an anchor.
    pub url: String,
}

/// The documented lag of an action, when the documentation gives it in seconds.
pub fn lag(action: &str) -> Option<Lag> {
    let file = FACTS.as_ref().ok()?;
    let fact = file.actions.get(action)?.lag.as_ref()?;
    if fact.confirmed == Some(false) {
        return None;
    }
    let (key, section) = fact.src.split_once('#').unwrap_or((&fact.src, ""));
    let page = file.sources.get(key)?;
    // A section named by its heading (it has a space) is no anchor.
    let url = match section {
        "" => page.url.clone(),
        s if s.contains(' ') => page.url.clone(),
        s => format!("{}#{s}", page.url),
    };
    Some(Lag {
        seconds: fact.value.seconds?,
        upper_bound: fact.value.bound == "up to",
        after_end: fact.value.after_end_seconds,
        often_under: fact.value.often_under_seconds,
        says: fact.says.clone().unwrap_or_default(),
        source: page.title.split(" (").next().unwrap_or_default().to_owned(),
        url,
    })
}

/// What an action's template needs of the hashicorp/aws provider: a target key or a resource
/// argument, the first release that accepts it (when the changelog read settles it) and the
/// pull request that brought it (`#41209`) where the sources name it, as
/// `data/fis-facts.json` records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderNeed {
    /// `action.target.key = "Functions"`, or the argument, e.g.
    /// `aws_ecs_task_definition.enable_fault_injection`.
    pub what: String,
    pub since: Option<String>,
    pub change: Option<String>,
}

/// The provider needs of an action, in the facts' order.
pub fn provider_needs(action: &str) -> Vec<ProviderNeed> {
    let Some(facts) = FACTS.as_ref().ok().and_then(|f| f.actions.get(action)) else {
        return Vec::new();
    };
    facts
        .provider
        .iter()
        .filter_map(|p| {
            let what = match (&p.value.key, &p.value.argument) {
                (Some(key), _) => format!("target key `{key}`"),
                (None, Some(argument)) => format!("`{argument}`"),
                (None, None) => return None,
            };
            Some(ProviderNeed {
                what,
                since: p.value.since.clone().filter(|_| p.confirmed != Some(false)),
                change: p.value.change.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_facts_parse_and_give_the_documented_lags() {
        assert_eq!(parse_error(), None);
        let pause = lag("aws:dynamodb:global-table-pause-replication").expect("documented");
        assert_eq!((pause.seconds, pause.upper_bound), (300, true));
        assert!(
            pause
                .url
                .ends_with("fis-actions-reference.html#dynamodb-actions-reference")
        );
        let lambda = lag("aws:lambda:invocation-error").expect("documented");
        assert_eq!((lambda.seconds, lambda.after_end), (60, Some(20)));
        let failover = lag("aws:rds:failover-db-cluster").expect("documented");
        assert!(!failover.upper_bound);
        // Documented without a number, or not at all.
        assert_eq!(lag("aws:ecs:task-cpu-stress"), None);
        assert_eq!(lag("aws:network:disrupt-connectivity"), None);
    }

    #[test]
    fn provider_needs_name_the_key_its_release_and_its_change() {
        let lambda = provider_needs("aws:lambda:invocation-error");
        assert_eq!(
            lambda,
            vec![ProviderNeed {
                what: "target key `Functions`".to_owned(),
                since: Some("6.22.0".to_owned()),
                change: Some("#41209".to_owned()),
            }]
        );
        // Unsettled: the release is not claimed.
        let stop = provider_needs("aws:ec2:stop-instances");
        assert_eq!(stop.first().map(|n| n.since.clone()), Some(None));
        assert!(provider_needs("aws:fis:wait").is_empty());
    }
}
