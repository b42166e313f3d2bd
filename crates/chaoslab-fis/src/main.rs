//! `chaoslab-fis --region REGION`: the three AWS FIS calls `chaoslab verify` makes, in a
//! process of their own so that the generator never links the AWS SDK.
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
//! any request that fails                               {"ok":false,"error":"…"}
//! ```
//!
//! `start` runs the template (a fresh client token each time; `preview: true` sets
//! `actionsMode = skip-all`: targets and permissions are checked, nothing is injected) and tags
//! the experiment `started-by = chaoslab verify`. `status` answers FIS's state name in lower
//! case (`pending`, `initiating`, `running`, `completed`, `stopping`, `stopped`, `failed`,
//! `cancelled`) and its reason. The helper exits 0 at the end of stdin, 2 on bad arguments.
//!
//! AWS setup is the SDK's: the default credential chain, `AWS_ENDPOINT_URL_FIS`, and the Region
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
    let client = aws_sdk_fis::Client::new(&config);
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(request) => rt.block_on(call(&client, &request)),
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

/// One request's answer; `Err` is the error text.
async fn call(client: &aws_sdk_fis::Client, request: &Value) -> Result<Value, String> {
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
        other => Err(format!("unknown op `{other}`")),
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
