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
            _ => Reach::Everything,
        }
    }
}
