//! Secrets the Worker makes (domain tokens, claim secrets, challenges) from the platform's CSPRNG
//! (`crypto.getRandomValues`, Web Crypto), and the form it keeps them in: their SHA-256 only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// Bytes of randomness in a token or claim secret (256 bits).
const SECRET_BYTES: usize = 32;

/// `prefix` and 256 random bits in base64url: a bearer credential shown once.
pub fn new_secret(prefix: &str) -> Result<String, crate::ApiError> {
    Ok(format!("{prefix}{}", random_text(SECRET_BYTES)?))
}

/// `bytes` random bytes in base64url (no padding).
pub fn random_text(bytes: usize) -> Result<String, crate::ApiError> {
    let mut buffer = vec![0u8; bytes];
    get_random_values(&mut buffer).map_err(|e| {
        worker::console_error!("crypto.getRandomValues failed: {e:?}");
        crate::ApiError::new(500, "internal error: no randomness")
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// What is stored of a secret: its SHA-256 in hex.
pub fn stored_form(secret: &str) -> String {
    mtasts::digest::sha256_hex(secret.as_bytes())
}
