//! `network:`: the VPC, its subnets, NAT and endpoints.

use std::borrow::Cow;

use super::Validator;
use crate::base::address::Address;
use crate::base::cidr::Cidr;
use crate::base::errors::Code;
use crate::base::hcl::Expr;
use crate::spec::{Spanned, pos};

pub mod model;

/// The cost row of public IPv4 addresses, which the NAT gateways and the load balancer share.
pub const PUBLIC_IPV4: &str = "Public IPv4 address (NAT gateways, load balancer nodes)";
/// us-east-1 on-demand list price per address-hour (Amazon VPC pricing page, checked
/// December 2026).
pub const PUBLIC_IPV4_HOUR: f64 = 0.005;
pub const PUBLIC_IPV4_NOTE: &str = "the load balancer has about one per zone";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    Single,
    PerAz,
    None,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub cidr: String,
    pub azs: usize,
    pub public: Vec<String>,
    pub private: Vec<String>,
    pub nat: Nat,
    /// Sorted service names (`dynamodb`, `s3`).
    pub gateway_endpoints: Vec<String>,
    /// Sorted service names reached through PrivateLink.
    pub interface_endpoints: Vec<String>,
}

/// Subnet tiers a spec can target by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Public,
    Private,
}

impl Tier {
    pub const ALL: [(&'static str, Tier); 2] =
        [("public", Tier::Public), ("private", Tier::Private)];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
        }
    }
}

type RawNetworkRef = crate::spec::RawNetwork;

impl Validator {
    /// `needs_egress`: something in the lab reaches the internet from the private subnets (the
    /// app's bootstrap: dnf, PyPI); without it no NAT gateway is created, whatever `nat` says.
    pub(crate) fn network(&mut self, raw: &Spanned<RawNetworkRef>, needs_egress: bool) -> Network {
        let n = &raw.value;
        let vpc = self.cidr(&n.cidr, "network.cidr");
        if let Some(vpc) = vpc
            && !(16..=28).contains(&vpc.len)
        {
            self.err(
                Code::E020,
                pos(&n.cidr),
                "network.cidr",
                format!(
                    "a VPC block must be /16 to /28; `{}` is /{}",
                    n.cidr.value, vpc.len
                ),
                "use a block such as 10.0.0.0/16",
            );
        }
        let azs = n.azs.value;
        // FIS takes at most 5 subnets per action: more zones could not all be targeted.
        if !(1..=5).contains(&azs) {
            self.err(
                Code::E022,
                pos(&n.azs),
                "network.azs",
                format!("azs must be 1 to 5, not {azs}"),
                "labs normally use 2 availability zones",
            );
        }
        let mut seen: Vec<(Cidr, String)> = Vec::new();
        let mut tier =
            |v: &mut Self, list: &Spanned<Vec<Spanned<String>>>, name: &str| -> Vec<String> {
                if list.value.len() != azs as usize {
                    v.err(
                        Code::E022,
                        pos(list),
                        format!("network.{name}"),
                        format!(
                            "{} {name} subnets for {azs} availability zones",
                            list.value.len()
                        ),
                        format!("give exactly one {name} subnet per availability zone ({azs})"),
                    );
                }
                for (i, s) in list.value.iter().enumerate() {
                    let field = format!("network.{name}[{i}]");
                    let Some(c) = v.cidr(s, &field) else { continue };
                    if let Some(vpc) = vpc
                        && !vpc.contains(c)
                    {
                        v.err(
                            Code::E021,
                            pos(s),
                            &field,
                            format!("subnet {c} is outside the VPC {vpc}"),
                            format!("choose a block inside {vpc}"),
                        );
                    }
                    if let Some((other, where_)) = seen.iter().find(|(o, _)| o.overlaps(c)) {
                        v.err(
                            Code::E021,
                            pos(s),
                            &field,
                            format!("subnet {c} overlaps {other} ({where_})"),
                            "give every subnet its own block",
                        );
                    }
                    seen.push((c, field));
                }
                list.value.iter().map(|s| s.value.clone()).collect()
            };
        let public = tier(self, &n.public, "public");
        let private = tier(self, &n.private, "private");
        let nat = match n.nat.as_ref().map(|s| (s, s.value.as_str())) {
            None | Some((_, "single")) => Nat::Single,
            Some((_, "per-az")) => Nat::PerAz,
            Some((_, "none")) => Nat::None,
            Some((s, other)) => {
                self.choice(s, "network.nat", other, &["single", "per-az", "none"]);
                Nat::Single
            }
        };
        let endpoints = self.services(
            &n.gateway_endpoints,
            "network.gateway_endpoints",
            &[],
            &["dynamodb", "s3"],
        );
        let interface = self.services(
            &n.interface_endpoints,
            "network.interface_endpoints",
            &endpoints,
            &["s3"],
        );
        Network {
            interface_endpoints: interface,
            cidr: n.cidr.value.clone(),
            azs: azs as usize,
            public,
            private,
            nat: if needs_egress { nat } else { Nat::None },
            gateway_endpoints: endpoints,
        }
    }

    /// A list of endpoint services, each once, none already reached another way (`taken`).
    pub(crate) fn services(
        &mut self,
        list: &[Spanned<String>],
        field: &str,
        taken: &[String],
        allowed: &[&str],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            if !allowed.contains(&e.value.as_str()) {
                self.choice(e, &field, &e.value, allowed);
            } else if out.contains(&e.value) {
                self.err(
                    Code::E023,
                    pos(e),
                    field,
                    format!("`{}` is listed twice", e.value),
                    "list each service once",
                );
            } else if taken.contains(&e.value) {
                self.err(
                    Code::E023,
                    pos(e),
                    field,
                    format!("`{}` has both a gateway and an interface endpoint", e.value),
                    "pick one way for the app to reach the service",
                );
            } else {
                out.push(e.value.clone());
            }
        }
        out.sort();
        out
    }

    pub(crate) fn cidr(&mut self, s: &Spanned<String>, field: &str) -> Option<Cidr> {
        match Cidr::parse(&s.value) {
            Ok(c) => Some(c),
            Err(msg) => {
                self.err(
                    Code::E020,
                    pos(s),
                    field,
                    msg,
                    "write an IPv4 block such as 10.0.11.0/24",
                );
                None
            }
        }
    }
}

/// The counted subnets of a tier, `aws_subnet.<tier>`.
pub fn subnet(tier: Tier) -> Address {
    Address::Resource("aws_subnet", Cow::Borrowed(tier.name()))
}

/// Reference to every subnet of a tier, e.g. `aws_subnet.private[*].arn`.
pub fn subnets(tier: Tier, attr: &str) -> Expr {
    subnet(tier).splat(attr)
}
