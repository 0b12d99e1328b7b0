//! Where webhooks may go. An endpoint whose host is, or resolves to, a loopback, private,
//! link-local or otherwise non-public address is refused at registration and at every delivery
//! (a name may resolve elsewhere later), unless `webhooks.allowed_networks` names the network.
//! Deliveries resolve names through [`GuardedResolver`], so the client connects to the very
//! addresses that were checked, with no second lookup; literal addresses never reach a resolver
//! and are checked before the request. The webhook client follows no redirect and uses no proxy.
//!
//! The lookup itself is a seam ([`Lookup`]): the system's resolver in service, a table in tests.

use ipnet::IpNet;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How long a registration waits for a name to resolve.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

type Lookedup = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Resolves a host name to addresses.
pub trait Lookup: Send + Sync {
    fn lookup(&self, host: &str) -> Lookedup;
}

/// The operating system's resolver.
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> Lookedup {
        let host = host.to_owned();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// Fixed names first (`webhooks.hosts`), then another resolver.
pub struct HostsThen<L: Lookup>(pub HashMap<String, Vec<IpAddr>>, pub L);

impl<L: Lookup> Lookup for HostsThen<L> {
    fn lookup(&self, host: &str) -> Lookedup {
        match self.0.get(&host.to_ascii_lowercase()) {
            Some(found) => {
                let found = found.clone();
                Box::pin(async move { Ok(found) })
            }
            None => self.1.lookup(host),
        }
    }
}

/// A fixed table of names (tests): an unknown name does not resolve.
#[derive(Default)]
pub struct TableLookup(pub HashMap<String, Vec<IpAddr>>);

impl Lookup for TableLookup {
    fn lookup(&self, host: &str) -> Lookedup {
        let found = self.0.get(&host.to_ascii_lowercase()).cloned();
        Box::pin(async move {
            found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such name"))
        })
    }
}

/// The networks no webhook goes to unless allowed: special-purpose ranges of the IANA
/// registries (RFC 6890 and successors) for IPv4 and IPv6.
const NON_PUBLIC: &[(&str, &str)] = &[
    ("0.0.0.0/8", "a \"this network\" address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("100::/64", "a discard address"),
    ("2001::/23", "an IETF protocol address"),
    ("2001:db8::/32", "a documentation address"),
    ("2002::/16", "a 6to4 address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fe80::/10", "a link-local address"),
    ("ff00::/8", "a multicast address"),
];

/// Decides which addresses webhooks may reach.
pub struct Guard {
    allowed: Vec<IpNet>,
    blocked: Vec<(IpNet, &'static str)>,
    lookup: Arc<dyn Lookup>,
}

impl Guard {
    /// A guard allowing `allowed` (CIDR networks, already validated by the settings).
    pub fn new(allowed: &[String], lookup: Arc<dyn Lookup>) -> Result<Self, String> {
        let allowed = allowed
            .iter()
            .map(|n| {
                n.parse::<IpNet>()
                    .map_err(|e| format!("webhooks.allowed_networks: {n} is not a network: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let blocked = NON_PUBLIC
            .iter()
            .map(|(n, why)| (n.parse().expect("the block list is valid"), *why))
            .collect();
        Ok(Self {
            allowed,
            blocked,
            lookup,
        })
    }

    /// Why `ip` may not be reached, or `None` when it may.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
        let ip = ip.to_canonical();
        if self.allowed.iter().any(|n| n.contains(&ip)) {
            return None;
        }
        self.blocked
            .iter()
            .find(|(n, _)| n.contains(&ip))
            .map(|(_, why)| format!("{ip} is {why}"))
    }

    /// The addresses of `host` (a name or a literal), each allowed; otherwise why not.
    pub async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let addresses = match literal.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => match tokio::time::timeout(LOOKUP_TIMEOUT, self.lookup.lookup(host)).await {
                Err(_) => {
                    return Err(format!(
                        "{host} did not resolve within {} s",
                        LOOKUP_TIMEOUT.as_secs()
                    ))
                }
                Ok(Err(e)) => return Err(format!("{host} does not resolve ({e})")),
                Ok(Ok(a)) if a.is_empty() => return Err(format!("{host} does not resolve")),
                Ok(Ok(a)) => a,
            },
        };
        // Every address must be allowed: a name that also points inside is refused whole.
        for ip in &addresses {
            if let Some(why) = self.refusal(*ip) {
                return Err(if literal.parse::<IpAddr>().is_ok() {
                    format!("{why}, not a public address")
                } else {
                    format!("{host} resolves to {why}, not a public address")
                });
            }
        }
        Ok(addresses)
    }

    /// Checks an endpoint URL's host. An address no HTTP client can read names no host to
    /// reach: its deliveries fail with the client's reason, and nothing is checked here.
    pub async fn check_url(&self, url: &str) -> Result<(), String> {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Ok(());
        };
        let Some(host) = parsed.host_str() else {
            return Ok(());
        };
        self.resolve(host).await.map(drop)
    }
}

/// The webhook client's resolver: the guard's lookup, allowed addresses only.
pub struct GuardedResolver(pub Arc<Guard>);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = guard
                .resolve(&host)
                .await
                .map_err(|why| -> Box<dyn std::error::Error + Send + Sync> { why.into() })?;
            let addrs: reqwest::dns::Addrs =
                Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The client that posts webhooks: through the guard's resolver, no redirects, no proxy.
pub fn webhook_client(guard: Arc<Guard>) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .dns_resolver(Arc::new(GuardedResolver(guard)))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(allowed: &[&str], names: &[(&str, &str)]) -> Guard {
        let table = TableLookup(
            names
                .iter()
                .map(|(n, ip)| (n.to_string(), vec![ip.parse().unwrap()]))
                .collect(),
        );
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        Guard::new(&allowed, Arc::new(table)).unwrap()
    }

    #[tokio::test]
    async fn inside_addresses_and_names_resolving_to_them_are_refused() {
        let g = guard(
            &[],
            &[
                ("hooks.lender.example", "93.184.216.34"),
                ("rebind.example", "127.0.0.1"),
                ("metadata.example", "169.254.169.254"),
                ("intranet.example", "10.0.0.1"),
                ("six.example", "::1"),
                ("mapped.example", "::ffff:192.168.1.1"),
            ],
        );
        g.check_url("https://hooks.lender.example/aval")
            .await
            .unwrap();
        g.check_url("https://93.184.216.34/aval").await.unwrap();
        for (url, said) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1 is a loopback address"),
            ("https://10.0.0.1/x", "10.0.0.1 is a private address"),
            (
                "https://169.254.169.254/latest",
                "169.254.169.254 is a link-local address",
            ),
            ("https://[::1]/x", "::1 is a loopback address"),
            (
                "https://[::ffff:127.0.0.1]/x",
                "127.0.0.1 is a loopback address",
            ),
            (
                "https://rebind.example/x",
                "rebind.example resolves to 127.0.0.1 is a loopback",
            ),
            (
                "https://metadata.example/x",
                "resolves to 169.254.169.254 is a link-local",
            ),
            (
                "https://intranet.example/x",
                "resolves to 10.0.0.1 is a private",
            ),
            ("https://six.example/x", "resolves to ::1 is a loopback"),
            (
                "https://mapped.example/x",
                "resolves to 192.168.1.1 is a private",
            ),
            (
                "https://nowhere.example/x",
                "nowhere.example does not resolve",
            ),
        ] {
            let why = g.check_url(url).await.unwrap_err();
            assert!(why.contains(said), "{url}: {why}");
        }
    }

    #[tokio::test]
    async fn the_allow_list_opens_only_what_it_names() {
        let g = guard(&["127.0.0.0/8", "::1/128"], &[("localhost", "127.0.0.1")]);
        g.check_url("http://127.0.0.1:9/x").await.unwrap();
        g.check_url("http://localhost:9/x").await.unwrap();
        g.check_url("http://[::1]:9/x").await.unwrap();
        // Loopback allowed does not open link-local or private networks.
        assert!(g.check_url("http://169.254.169.254/x").await.is_err());
        assert!(g.check_url("http://10.0.0.1/x").await.is_err());
    }

    #[tokio::test]
    async fn the_delivery_resolver_gives_only_checked_addresses() {
        use reqwest::dns::Resolve;
        let g = Arc::new(guard(
            &[],
            &[("ok.example", "93.184.216.34"), ("bad.example", "10.1.2.3")],
        ));
        let r = GuardedResolver(g.clone());
        let name = |s: &str| s.parse::<reqwest::dns::Name>().unwrap();
        let got: Vec<SocketAddr> = r.resolve(name("ok.example")).await.unwrap().collect();
        assert_eq!(got, vec!["93.184.216.34:0".parse().unwrap()]);
        let err = r.resolve(name("bad.example")).await.err().unwrap();
        assert!(
            err.to_string().contains("10.1.2.3 is a private address"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_delivery_to_a_refused_name_never_connects() {
        // A listener on loopback that would see any connection.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let g = Arc::new(guard(&[], &[("rebind.example", "127.0.0.1")]));
        let client = webhook_client(g).unwrap();
        let err = client
            .post(format!("http://rebind.example:{port}/hooks"))
            .send()
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("loopback"), "{err:?}");
        let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "nothing connected");
    }
}
