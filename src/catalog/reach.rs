//! What a fault can do to the app's endpoints: what `expect:` may claim, and its default.

/// What a fault can do to the app's endpoints, each of which is served from one dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing the app calls: every endpoint stays healthy.
    Nothing,
    /// Cuts the dependency for the whole run: its endpoint degrades, the others stay healthy.
    Cuts(&'static str),
    /// Disturbs the dependency for a moment (a failover, a reboot): its endpoint may fail
    /// briefly, so by default it is not judged; the others stay healthy.
    Disturbs(&'static str),
    /// The instances or the network around them: any endpoint can fail; by default all are
    /// expected to stay healthy (the fleet and the load balancer absorb it).
    Everything,
    /// Both: the fleet or the network, and a dependency disturbed for a moment in the same
    /// template (a zone's loss with Aurora's failover): any endpoint can fail; the disturbed
    /// dependency's endpoint is not judged by default, the others are expected healthy.
    EverythingAndDisturbs(&'static str),
    /// Every app instance cut off the load balancer (`scope: all` on every app subnet): every
    /// endpoint fails for the whole run, so by default none is judged while it lasts.
    Blackout,
}

impl Reach {
    /// What two actions of one template can do together. Equal reaches stay; a cut outweighs
    /// a brief disturbance of the same dependency; anything else (two dependencies, a
    /// dependency and the fleet) can degrade any endpoint, so `expect:` must say which.
    pub fn union(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Nothing, r) | (r, Reach::Nothing) => r,
            (Reach::Blackout, _) | (_, Reach::Blackout) => Reach::Blackout,
            (a, b) if a == b => a,
            (Reach::Cuts(a), Reach::Disturbs(b)) | (Reach::Disturbs(b), Reach::Cuts(a))
                if a == b =>
            {
                Reach::Cuts(a)
            }
            (Reach::Everything, Reach::Disturbs(d))
            | (Reach::Disturbs(d), Reach::Everything)
            | (Reach::EverythingAndDisturbs(d), Reach::Everything | Reach::Disturbs(_))
            | (Reach::Everything | Reach::Disturbs(_), Reach::EverythingAndDisturbs(d)) => {
                Reach::EverythingAndDisturbs(d)
            }
            _ => Reach::Everything,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reach;

    #[test]
    fn a_brief_disturbance_beside_the_fleet_stays_known() {
        let both = Reach::EverythingAndDisturbs("aurora");
        assert_eq!(Reach::Everything.union(Reach::Disturbs("aurora")), both);
        assert_eq!(Reach::Disturbs("aurora").union(Reach::Everything), both);
        assert_eq!(both.union(Reach::Everything), both);
        assert_eq!(Reach::Nothing.union(both), both);
        // A cut of another dependency can fail anything, and nothing is exempt by default.
        assert_eq!(both.union(Reach::Cuts("s3")), Reach::Everything);
        assert_eq!(both.union(Reach::Blackout), Reach::Blackout);
    }
}
