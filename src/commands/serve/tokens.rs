//! Installation tokens: the App signs a JWT with its key and buys a token
//! per installation (`POST /app/installations/{id}/access_tokens`), kept
//! until shortly before it expires. Every worker acting for one installation
//! shares that installation's rate gate, because GitHub counts requests (and
//! asks for pauses) per installation, not per connection.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::json;

use crate::github::client::{ApiError, ApiStats, Auth, Client, ClientOptions, RateGate};
use crate::github::secret::Secret;
use crate::timestamp::{now_secs, parse_iso8601};

/// A token is renewed when it has less than this left (GitHub's last for an hour).
const RENEW_BEFORE_SECS: u64 = 5 * 60;
/// How long a token whose `expires_at` cannot be read is used.
const UNKNOWN_EXPIRY_SECS: u64 = 10 * 60;

pub struct Installations {
    app_id: u64,
    key: octocrab::EncodingKey,
    /// The options every client starts from (API URL, timeouts, retries).
    options: ClientOptions,
    tokens: Mutex<HashMap<u64, (Secret, u64)>>,
    gates: Mutex<HashMap<u64, RateGate>>,
}

impl Installations {
    /// `pem` is the App's private key; an error names `--app-key`.
    pub fn new(app_id: u64, pem: &Secret, options: ClientOptions) -> Result<Installations, String> {
        let key = octocrab::EncodingKey::from_rsa_pem(pem.expose().as_bytes())
            .map_err(|err| format!("--app-key: not an RSA private key in PEM form ({err})"))?;
        Ok(Installations {
            app_id,
            key,
            options,
            tokens: Mutex::new(HashMap::new()),
            gates: Mutex::new(HashMap::new()),
        })
    }

    /// Client options acting as `installation`: its token and its rate gate.
    /// Also returns the requests spent getting a token (0 when cached).
    pub fn options_for(&self, installation: u64) -> Result<(ClientOptions, ApiStats), ApiError> {
        let (token, stats) = self.token(installation)?;
        let gate = self
            .gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(installation)
            .or_default()
            .clone();
        Ok((
            ClientOptions {
                auth: Auth::Token(token),
                gate,
                ..self.options.clone()
            },
            stats,
        ))
    }

    /// Drops a cached token GitHub refused (revoked, or the App reinstalled).
    pub fn forget(&self, installation: u64) {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&installation);
    }

    fn token(&self, installation: u64) -> Result<(Secret, ApiStats), ApiError> {
        if let Some((token, expires)) = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(&installation) {
            if now_secs() + RENEW_BEFORE_SECS < *expires {
                return Ok((token.clone(), ApiStats::default()));
            }
        }
        let jwt = octocrab::auth::create_jwt(self.app_id.into(), &self.key)
            .map_err(|err| ApiError::Setup(format!("--app-key: cannot sign the App's JWT ({err})")))?;
        // Token requests are rare: they do not wait for the installation's
        // pacing of mutative requests.
        let client = Client::new(ClientOptions {
            auth: Auth::Token(Secret::new(jwt)),
            cache_dir: None,
            gate: RateGate::default(),
            ..self.options.clone()
        })?;
        let endpoint = format!("/app/installations/{installation}/access_tokens");
        let answer: serde_json::Value = client.post(&endpoint, &json!({}))?.json(&format!("POST {endpoint}"))?;
        let token = answer["token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Malformed {
                endpoint: format!("POST {endpoint}"),
                detail: "no token in the answer".to_owned(),
            })?;
        // The token goes into an HTTP header: a line break or control
        // character from a hostile or broken server would make the request
        // invalid (a panic inside the HTTP library). Refused without echoing it.
        if let Some(c) = token.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(ApiError::Malformed {
                endpoint: format!("POST {endpoint}"),
                detail: format!(
                    "the installation token contains U+{:04X}, which a GitHub token never has; it was not used",
                    u32::from(c)
                ),
            });
        }
        let token = Secret::new(token);
        let expires = answer["expires_at"]
            .as_str()
            .and_then(parse_iso8601)
            .unwrap_or_else(|| now_secs() + UNKNOWN_EXPIRY_SECS);
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(installation, (token.clone(), expires));
        Ok((token, client.stats()))
    }
}
