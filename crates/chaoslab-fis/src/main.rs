//! `chaoslab-fis --region REGION`: the AWS calls `chaoslab verify` makes (FIS, and CloudWatch and
//! instance metadata for its pre-flight), in a process of their own so that the generator never
//! links the AWS SDK.
//!
//! The protocol, JSON lines (one object per line, UTF-8):
//!
//! ```text
//! stdin (requests)                                     stdout (one answer per request, in order)
//! {"op":"start","template_id":"EXT…","preview":false}  {"ok":true,"id":"EXP…"}
//! {"op":"status","id":"EXP…"}                          {"ok":true,"status":"running","reason":null}
//! {"op":"stop","id":"EXP…"}                            {"ok":true}
//! {"op":"safety_lever"}                                {"ok":true,"status":"disengaged","reason":…}
//! {"op":"actions"}                                     {"ok":true,"actions":["aws:ec2:stop-instances",…]}
//! {"op":"template","id":"EXT…"}                        {"ok":true,"actions":[…],"alarms":["arn:…:alarm:…"],
//!                                                        "targets":[{"name","resource_type","arns":[…],"by_tags"}]}
//! {"op":"alarms","names":["…"]}                        {"ok":true,"alarms":[{"name":"…","state":"OK"},…]}
//! {"op":"targets","id":"EXP…"}                         {"ok":true,"targets":[{"name","resource_type","information":{…}}]}
//! {"op":"runner"}                                      {"ok":true,"runner":{"instance_id","subnet_id","availability_zone"}}
//!                                                      or {"ok":true,"runner":null,"why":"…"} when not on EC2
//! any request that fails                               {"ok":false,"error":"…"}
//! ```
//!
//! `template` reads the experiment template FIS will run (`GetExperimentTemplate`); `alarms`
//! reads CloudWatch alarm states (`DescribeAlarms`, metric and composite); `targets` lists what
//! an experiment's targets resolved to (`ListExperimentResolvedTargets`); `runner` asks the
//! instance metadata service (IMDSv2, one short attempt) where this machine runs.
//!
//! `start` runs the template (a fresh client token each time; `preview: true` sets
//! `actionsMode = skip-all`: targets and permissions are checked, nothing is injected) and tags
//! the experiment `started-by = chaoslab verify`. `status` answers FIS's state name in lower
//! case (`pending`, `initiating`, `running`, `completed`, `stopping`, `stopped`, `failed`,
//! `cancelled`) and its reason. The helper exits 0 at the end of stdin, 2 on bad arguments.
//!
//! AWS setup is the SDK's: the default credential chain, `AWS_ENDPOINT_URL_FIS` and
//! `AWS_ENDPOINT_URL_CLOUDWATCH`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`, and the Region
//! given on the command line (the lab's, whatever the shell's `AWS_REGION` says). Each call is
//! bounded by an operation timeout, so an answer always comes.

use std::io::{BufRead, Write};
use std::time::Duration;

use aws_sdk_fis::types::{ActionsMode, StartExperimentExperimentOptionsInput};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use serde_json::{Value, json};

/// Longest one call (its retries included) may take before the helper answers an error.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let region = match args.as_slice() {
        [flag, region] if flag == "--region" && !region.is_empty() => region.clone(),
        _ => {
            eprintln!(
                "usage: chaoslab-fis --region REGION  (JSON-lines requests on stdin; see `chaoslab verify`)"
            );
            return std::process::ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chaoslab-fis: cannot start the AWS client's runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    // Instance metadata for the pre-flight's "where does this machine run": one attempt with
    // short timeouts, since off EC2 nothing answers at the link-local address and the
    // pre-flight must not wait for it. On the same HTTP client as the AWS calls.
    let imds = aws_config::imds::Client::builder()
        .configure(
            &aws_config::provider_config::ProviderConfig::without_region()
                .with_http_client(http.clone()),
        )
        .connect_timeout(Duration::from_millis(500))
        .read_timeout(Duration::from_secs(1))
        .max_attempts(1)
        .build();
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region))
            .http_client(http)
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            )
            .load(),
    );
    let clients = Clients {
        fis: aws_sdk_fis::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
        imds,
    };
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(request) => rt.block_on(call(&clients, &request)),
            Err(e) => Err(format!("not a JSON request: {e}")),
        };
        let answer = answer.unwrap_or_else(|error| json!({"ok": false, "error": error}));
        if writeln!(out, "{answer}")
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}

/// The services the helper calls.
struct Clients {
    fis: aws_sdk_fis::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    imds: aws_config::imds::Client,
}

/// One request's answer; `Err` is the error text.
async fn call(clients: &Clients, request: &Value) -> Result<Value, String> {
    let client = &clients.fis;
    let field = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("request without a string `{name}`: {request}"))
    };
    match field("op")? {
        "start" => {
            let preview = request.get("preview").and_then(Value::as_bool) == Some(true);
            let options = preview.then(|| {
                StartExperimentExperimentOptionsInput::builder()
                    .actions_mode(ActionsMode::SkipAll)
                    .build()
            });
            // The SDK fills `clientToken` with a fresh idempotency token.
            let out = client
                .start_experiment()
                .experiment_template_id(field("template_id")?)
                .set_experiment_options(options)
                .tags("started-by", "chaoslab verify")
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let id = out
                .experiment()
                .and_then(|e| e.id())
                .ok_or("FIS answered without an experiment id")?;
            Ok(json!({"ok": true, "id": id}))
        }
        "status" => {
            let id = field("id")?;
            let out = client
                .get_experiment()
                .id(id)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let state = out
                .experiment()
                .and_then(|e| e.state())
                .ok_or_else(|| format!("FIS answered without a state for {id}"))?;
            let status = state
                .status()
                .ok_or_else(|| format!("FIS answered without a status for {id}"))?;
            Ok(json!({"ok": true, "status": status.as_str(), "reason": state.reason()}))
        }
        "stop" => {
            client
                .stop_experiment()
                .id(field("id")?)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(json!({"ok": true}))
        }
        "actions" => {
            // Every page: the Region's whole list.
            let mut ids = Vec::new();
            let mut pages = client.list_actions().into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| describe(&e))?;
                ids.extend(
                    page.actions()
                        .iter()
                        .filter_map(|a| a.id())
                        .map(str::to_owned),
                );
            }
            Ok(json!({"ok": true, "actions": ids}))
        }
        "safety_lever" => {
            // One lever per account and Region, its id `default`.
            let out = client
                .get_safety_lever()
                .id("default")
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let state = out
                .safety_lever()
                .and_then(|l| l.state())
                .ok_or("FIS answered without the safety lever's state")?;
            let status = state
                .status()
                .ok_or("FIS answered without the safety lever's status")?;
            Ok(json!({"ok": true, "status": status.as_str(), "reason": state.reason()}))
        }
        "template" => {
            let out = client
                .get_experiment_template()
                .id(field("id")?)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let template = out
                .experiment_template()
                .ok_or("FIS answered without the template")?;
            let mut actions: Vec<&str> = template
                .actions()
                .map(|a| a.values().filter_map(|a| a.action_id()).collect())
                .unwrap_or_default();
            actions.sort_unstable();
            let alarms: Vec<&str> = template
                .stop_conditions()
                .iter()
                .filter(|c| c.source() == Some("aws:cloudwatch:alarm"))
                .filter_map(|c| c.value())
                .collect();
            let mut targets: Vec<Value> = template
                .targets()
                .map(|t| {
                    t.iter()
                        .map(|(name, t)| {
                            json!({
                                "name": name,
                                "resource_type": t.resource_type(),
                                "arns": t.resource_arns(),
                                "by_tags": t.resource_tags().is_some_and(|tags| !tags.is_empty())
                                    || !t.filters().is_empty(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            targets.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            Ok(json!({"ok": true, "actions": actions, "alarms": alarms, "targets": targets}))
        }
        "alarms" => {
            let names: Vec<String> = request
                .get("names")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("request without `names`: {request}"))?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let mut alarms = Vec::new();
            // At most 100 names a call (DescribeAlarms' AlarmNames); every page of each.
            for chunk in names.chunks(100) {
                let mut pages = clients
                    .cloudwatch
                    .describe_alarms()
                    .set_alarm_names(Some(chunk.to_vec()))
                    .alarm_types(aws_sdk_cloudwatch::types::AlarmType::MetricAlarm)
                    .alarm_types(aws_sdk_cloudwatch::types::AlarmType::CompositeAlarm)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| describe(&e))?;
                    for a in page.metric_alarms() {
                        alarms.push(json!({"name": a.alarm_name(), "state": a.state_value().map(|s| s.as_str())}));
                    }
                    for a in page.composite_alarms() {
                        alarms.push(json!({"name": a.alarm_name(), "state": a.state_value().map(|s| s.as_str())}));
                    }
                }
            }
            Ok(json!({"ok": true, "alarms": alarms}))
        }
        "targets" => {
            let mut targets = Vec::new();
            let mut pages = client
                .list_experiment_resolved_targets()
                .experiment_id(field("id")?)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| describe(&e))?;
                for t in page.resolved_targets() {
                    targets.push(json!({
                        "name": t.target_name(),
                        "resource_type": t.resource_type(),
                        "information": t.target_information(),
                    }));
                }
            }
            Ok(json!({"ok": true, "targets": targets}))
        }
        "runner" => Ok(runner(&clients.imds).await),
        other => Err(format!("unknown op `{other}`")),
    }
}

/// Where this machine runs, from the instance metadata service (IMDSv2): `runner: null` with
/// `why` when it cannot tell (not an EC2 instance, metadata off or unreachable).
async fn runner(imds: &aws_config::imds::Client) -> Value {
    let off =
        std::env::var("AWS_EC2_METADATA_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if off {
        return json!({"ok": true, "runner": null, "why": "instance metadata is off (AWS_EC2_METADATA_DISABLED)"});
    }
    let get = |path: String| {
        let imds = imds.clone();
        async move {
            imds.get(path)
                .await
                .map(String::from)
                .map_err(|e| describe(&e))
        }
    };
    let found = async {
        let instance = get("/latest/meta-data/instance-id".into()).await?;
        let zone = get("/latest/meta-data/placement/availability-zone".into()).await?;
        let mac = get("/latest/meta-data/mac".into()).await?;
        // It goes into the next path: only what a MAC address is made of.
        if mac.is_empty() || !mac.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(format!(
                "instance metadata answered {mac:?} for the MAC address"
            ));
        }
        let subnet = get(format!(
            "/latest/meta-data/network/interfaces/macs/{mac}/subnet-id"
        ))
        .await?;
        Ok::<_, String>(
            json!({"instance_id": instance, "subnet_id": subnet, "availability_zone": zone}),
        )
    };
    match found.await {
        Ok(runner) => json!({"ok": true, "runner": runner}),
        Err(why) => {
            json!({"ok": true, "runner": null, "why": format!("no instance metadata ({why})")})
        }
    }
}

/// The SDK's error with its source chain (the service's own message is in the sources).
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
