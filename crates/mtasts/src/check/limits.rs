//! How much one check may ask for: the MX hosts it examines and the DNS queries it sends.
//!
//! Unbounded by default: whoever runs the check (the CLI, the npm package, the page in a
//! browser) pays for its queries. A public service that checks anyone's domain on request bounds
//! both ([`CheckLimits::EDGE`]), so that a domain listing hundreds of MX hosts cannot make it
//! fan out hundreds of lookups. The bounds are kept here, without I/O: the MX cap where round one
//! picks the hosts, the query budget by counting [`Resolver::exchange`] calls.

use super::io::{Resolver, TransportError};
use std::cell::Cell;

/// The bounds of one check. `Default` bounds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckLimits {
    /// The most MX hosts round two examines, the most preferred first (lowest preference, then
    /// by name; RFC 5321 §5.1); the others get no lookup, and the `mx.hosts-skipped` finding says
    /// how many. `None`: every host. At least one host is always examined (`Some(0)` counts
    /// as 1).
    pub max_mx_hosts: Option<usize>,
    /// The most DNS queries (calls of [`Resolver::exchange`]) the whole check sends; a lookup
    /// past it is not sent and shows as a failed lookup saying so. `None`: no limit.
    pub max_dns_queries: Option<usize>,
}

impl CheckLimits {
    /// No bound at all: what [`check_domain`](super::check_domain) uses.
    pub const NONE: CheckLimits = CheckLimits {
        max_mx_hosts: None,
        max_dns_queries: None,
    };

    /// The bounds of a public service (the Worker's `GET /api/check`): at most 10 MX hosts and
    /// 40 DNS queries.
    ///
    /// The budget fits a 10-host domain with room to spare. A check asks at most
    /// `4 + 2 + 3 × hosts` queries: round one asks 4 (the `_mta-sts`, `_smtp._tls` and
    /// `_smtp-tlsrpt` TXT records and the MX records); round two asks 3 per MX host (A, AAAA and
    /// `_25._tcp.<host>` TLSA) and, only when the policy fetch fails without saying why, 2 more
    /// (A and AAAA of `mta-sts.<domain>`, to tell a missing host from a refused connection).
    /// CNAMEs cost nothing more: the recursive resolver follows them and sends the chain in
    /// its answer (RFC 1034 §4.3.2), and the check never chases one itself. With 10 hosts that
    /// is 4 + 30 + 2 = 36 queries; 40 leaves 4 spare, and with the one policy fetch it is at most
    /// 41 outbound requests, under the 50 subrequests a Worker on Cloudflare's Free plan may make
    /// for one request.
    pub const EDGE: CheckLimits = CheckLimits {
        max_mx_hosts: Some(10),
        max_dns_queries: Some(40),
    };

    /// These limits with at most `hosts` MX hosts examined.
    pub const fn with_max_mx_hosts(self, hosts: usize) -> CheckLimits {
        CheckLimits {
            max_mx_hosts: Some(hosts),
            ..self
        }
    }

    /// These limits with at most `queries` DNS queries sent.
    pub const fn with_max_dns_queries(self, queries: usize) -> CheckLimits {
        CheckLimits {
            max_dns_queries: Some(queries),
            ..self
        }
    }
}

/// A [`Resolver`] that passes at most `budget` exchanges on to the one it wraps and refuses the
/// others with [`TransportError::Budget`], without sending them. It only counts: an exchange
/// counts when it starts, whether it then succeeds or not.
#[derive(Debug)]
pub struct BudgetedResolver<'a, R> {
    inner: &'a R,
    budget: Option<usize>,
    asked: Cell<usize>,
}

impl<'a, R: Resolver> BudgetedResolver<'a, R> {
    /// `inner`, with at most `budget` exchanges (`None`: every one).
    pub fn new(inner: &'a R, budget: Option<usize>) -> BudgetedResolver<'a, R> {
        BudgetedResolver {
            inner,
            budget,
            asked: Cell::new(0),
        }
    }

    /// How many exchanges were asked for, refused ones included.
    pub fn asked(&self) -> usize {
        self.asked.get()
    }

    /// How many exchanges were passed on to the wrapped resolver.
    pub fn sent(&self) -> usize {
        self.budget
            .map_or(self.asked(), |budget| self.asked().min(budget))
    }

    /// How many exchanges were refused because the budget was spent.
    pub fn refused(&self) -> usize {
        self.asked() - self.sent()
    }
}

impl<R: Resolver> Resolver for BudgetedResolver<'_, R> {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let asked = self.asked.get();
        self.asked.set(asked.saturating_add(1));
        match self.budget {
            Some(budget) if asked >= budget => Err(TransportError::Budget(budget)),
            _ => self.inner.exchange(query).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::block_on;

    /// Answers every query with the query itself.
    struct Echo;

    impl Resolver for Echo {
        async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
            Ok(query)
        }
    }

    #[test]
    fn a_budget_of_n_refuses_the_next_query() {
        for (budget, asked) in [
            (None, 5),
            (Some(0), 2),
            (Some(1), 3),
            (Some(3), 3),
            (Some(3), 6),
            (Some(40), 41),
        ] {
            let resolver = BudgetedResolver::new(&Echo, budget);
            let got: Vec<Result<Vec<u8>, TransportError>> = (0..asked)
                .map(|i: u8| block_on(resolver.exchange(vec![i])))
                .collect();
            let allowed = budget.map_or(usize::from(asked), |b| b.min(usize::from(asked)));
            let want: Vec<Result<Vec<u8>, TransportError>> = (0..asked)
                .map(|i: u8| match budget {
                    Some(b) if usize::from(i) >= b => Err(TransportError::Budget(b)),
                    _ => Ok(vec![i]),
                })
                .collect();
            assert_eq!(got, want, "budget {budget:?}, {asked} asked");
            assert_eq!(
                (resolver.asked(), resolver.sent(), resolver.refused()),
                (usize::from(asked), allowed, usize::from(asked) - allowed),
                "budget {budget:?}, {asked} asked"
            );
        }
    }

    #[test]
    fn defaults_bound_nothing_and_the_edge_bounds_both() {
        assert_eq!(CheckLimits::default(), CheckLimits::NONE);
        for (limits, want) in [
            (CheckLimits::NONE, (None, None)),
            (CheckLimits::EDGE, (Some(10), Some(40))),
            (CheckLimits::NONE.with_max_mx_hosts(3), (Some(3), None)),
            (
                CheckLimits::EDGE.with_max_dns_queries(7),
                (Some(10), Some(7)),
            ),
        ] {
            assert_eq!((limits.max_mx_hosts, limits.max_dns_queries), want);
        }
    }
}
