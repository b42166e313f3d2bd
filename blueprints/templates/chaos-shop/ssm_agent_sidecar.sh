#!/bin/bash
# The SSM agent sidecar the aws:ecs:task-* FIS actions need ("Use the AWS FIS aws:ecs:task
# actions", FIS User Guide): it registers its task as an SSM managed instance tagged with the
# task's ARN, through which FIS runs its fault documents inside the task, and deregisters it
# when the task stops. chaoslab's own script; MANAGED_INSTANCE_ROLE_NAME comes from the task
# definition, everything else from the task metadata endpoint.
set -euo pipefail

dnf install -y --quiet jq procps awscli

if [[ -z "${MANAGED_INSTANCE_ROLE_NAME:-}" ]]; then
  echo "MANAGED_INSTANCE_ROLE_NAME is not set: the task cannot register with SSM" >&2
  exit 1
fi
# Whether an SSM agent already runs in this task (ECS Exec starts one): a process whose
# kernel name is the agent's, cut to 15 characters as /proc/PID/comm keeps it. Not
# `pgrep -f`: the task runs this script as `bash -c <script>`, so the script's own command
# line holds the agent's name; its kernel name is bash.
agent_running() {
  local comm name
  for comm in /proc/[0-9]*/comm; do
    read -r name <"$comm" 2>/dev/null || continue
    [[ $name == amazon-ssm-agen ]] && return 0
  done
  return 1
}
if agent_running; then
  echo "an SSM agent already runs in this task (ECS Exec must be off for FIS task faults)" >&2
  exit 1
fi
if [[ -z "${ECS_CONTAINER_METADATA_URI_V4:-}" ]]; then
  echo "no ECS task metadata endpoint: FIS could not resolve this task" >&2
  exit 1
fi

metadata=$(curl --silent --fail --max-time 10 "$ECS_CONTAINER_METADATA_URI_V4/task")
zone=$(jq -e -r .AvailabilityZone <<<"$metadata")
task_arn=$(jq -e -r .TaskARN <<<"$metadata")
region=${zone%?}
if ! [[ $zone =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$ ]]; then
  echo "unexpected availability zone '$zone' in the task metadata" >&2
  exit 1
fi
if ! [[ $task_arn =~ ^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task/[A-Za-z0-9_-]+/[A-Za-z0-9]+$ ]]; then
  echo "unexpected task ARN '$task_arn' in the task metadata" >&2
  exit 1
fi

# A registration left by an earlier run of this container (it stopped without the TERM
# handler below): that instance's agent is gone, so it is deregistered and replaced; the
# agent's -register would otherwise ask before overwriting it, and fail with nobody to answer.
registration=/var/lib/amazon/ssm/registration
stale=$(jq -r '.ManagedInstanceID // empty' "$registration" 2>/dev/null || true)
if [[ -n "$stale" ]]; then
  aws ssm deregister-managed-instance --region "$region" --instance-id "$stale" ||
    echo "could not deregister the stale managed instance $stale" >&2
fi

activation=$(aws ssm create-activation --region "$region" \
  --iam-role "$MANAGED_INSTANCE_ROLE_NAME" --registration-limit 1 \
  --tags "Key=ECS_TASK_AVAILABILITY_ZONE,Value=$zone" "Key=ECS_TASK_ARN,Value=$task_arn" \
  "Key=FAULT_INJECTION_SIDECAR,Value=true")
activation_id=$(jq -e -r .ActivationId <<<"$activation")
activation_code=$(jq -e -r .ActivationCode <<<"$activation")

agent_pid=""
deregister() {
  aws ssm delete-activation --region "$region" --activation-id "$activation_id" ||
    echo "could not delete SSM activation $activation_id" >&2
  instance_id=$(jq -e -r .ManagedInstanceID "$registration" || true)
  if [[ -n "$instance_id" ]]; then
    aws ssm deregister-managed-instance --region "$region" --instance-id "$instance_id" ||
      echo "could not deregister managed instance $instance_id" >&2
  fi
  if [[ -n "$agent_pid" ]]; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
  fi
  # A restart of this container then registers anew, without a stale registration.
  amazon-ssm-agent -register -clear || echo "could not clear the local registration" >&2
  exit 0
}
trap deregister TERM INT

amazon-ssm-agent -register -y -code "$activation_code" -id "$activation_id" -region "$region"
amazon-ssm-agent &
agent_pid=$!
wait "$agent_pid"
