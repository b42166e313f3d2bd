"""Rehearse a generated chaoslab lab on this machine: run its Chaos Shop, cut a dependency the
way FIS does, and measure the blast radius.

    scripts/rehearse generated/chaos-shop-dependencies               # the suite, printed
    scripts/rehearse generated/chaos-shop-dependencies --json r.json # ... and written as JSON
    scripts/rehearse LAB --scenario dynamodb:dynamodb:12 --fault 60  # one scenario
    scripts/rehearse LAB --scenario slow:all+latency200:4             # latency on every call

What is real: the lab's own bootstrap (templates/user_data.sh.tftpl rendered by the real
Terraform binary's templatefile(), run unmodified as root with dnf and systemctl stubbed,
pip installing the script's own hash-checked requirement lines from a local mirror of the
same files), the app served by the unit's exact Gunicorn command line, AWS stood in for by
moto in server mode, seeded from the tree's own HCL (table items, objects, the secret's
keys), Aurora stood in for by PostgreSQL, and the fault: packets to the dependency silently
dropped by iptables, as a network ACL deny does; a share of them dropped at random (iptables'
statistic match), as FIS's packet-loss faults do; or what the app sends delayed by a proxy
the namespace routes it through (`DelayProxy`: the kernel here has no netem). Everything runs in a network namespace this
script creates (all traffic stays on its loopback) and is removed at the end, also on Ctrl-C.

A tree whose app runs on ECS (`ecs.tf`) is rehearsed as one task: the app container's
command and environment are the task definition's own `container_definitions`, evaluated by
the real Terraform binary (file(), base64gzip(), jsonencode()); the command runs as root with
`python` standing in for the image's interpreter (a fresh virtualenv of the stand-ins' CPython, as
writable as the image's), installing the same hash-checked requirements from the mirror.

Not modelled: the load balancer, several instances or tasks, the container image itself, real DNS (names resolve through the
instance's /etc/hosts), FIS's network-ACL swap and its start-up delay, IMDS credentials,
AL2023 itself (the stand-ins' own CPython, 3.11 to 3.13, stands in for python3.12).

Needs root (network namespace, iptables, overlay mounts), or, without it, a kernel that lets
an unprivileged user create user, network, mount and PID namespaces: then the run is root in
namespaces of its own, PostgreSQL runs in a nested one as uid 1000, the unit's User= is not
modelled (only that root exists), and what the bootstrap changes in /etc starts in the
instance's upper layer (the machine's root owns the rest). scripts/install-rehearsal installs
what it needs. Exit status: 0 ran (the report says what was measured; tests judge it),
2 usage or environment error, 3 the machine cannot create a network namespace.
"""
