//! The JavaScript boundary: arguments checked against the types the API names, results handed
//! back as plain objects, and errors as JavaScript `Error`s that say what was wrong.

pub(crate) use mtasts_fetch::describe_error;
use serde::Serialize;
use std::fmt;
use wasm_bindgen::{JsCast, JsError, JsValue};

/// Hands a result to JavaScript as plain objects and arrays, in the JSON shape of the CLI's
/// `--json` output (maps become objects, `None` fields are absent or `null` as in that JSON).
///
/// It goes through JSON text rather than `serde_wasm_bindgen::Serializer::json_compatible()`,
/// for two reasons. A report's session counts are `u64` and saturate at `u64::MAX`: that
/// serializer refuses any integer above 2^53 − 1 ("can't be represented as a JavaScript number"),
/// which would turn a lint into an exception, where `JSON.parse` gives the nearest double, as it
/// does for the CLI's output. And one `JSON.parse` of the whole result is faster than building
/// it value by value across the boundary: `lintReport` on the 10 MB benchmark report takes about
/// 165 ms this way, 210 ms through serde-wasm-bindgen (`crates/mtasts-js/bench`).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsError::new(&format!("cannot hand the result to JavaScript: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|e| {
        JsError::new(&format!(
            "cannot hand the result to JavaScript: {}",
            describe_error(&e)
        ))
    })
}

/// An argument of the wrong JavaScript type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArgError {
    function: &'static str,
    name: &'static str,
    expected: &'static str,
    found: String,
}

impl ArgError {
    /// `function`'s argument `name` should be `expected` but is `found`.
    pub(crate) fn new(
        function: &'static str,
        name: &'static str,
        expected: &'static str,
        found: &JsValue,
    ) -> ArgError {
        ArgError {
            function,
            name,
            expected,
            found: type_name(found),
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} must be {}, not {}",
            self.function, self.name, self.expected, self.found
        )
    }
}

impl From<ArgError> for JsError {
    fn from(e: ArgError) -> JsError {
        JsError::new(&e.to_string())
    }
}

/// What a value is, in the words of `typeof` (with `null` and arrays told apart).
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_string()
    } else if js_sys::Array::is_array(value) {
        "an array".to_string()
    } else if value.is_instance_of::<js_sys::Uint8Array>() {
        "a Uint8Array".to_string()
    } else {
        let kind = value.js_typeof().as_string().unwrap_or_default();
        match kind.as_str() {
            "undefined" => "undefined".to_string(),
            "object" => "an object".to_string(),
            other => format!("a {other}"),
        }
    }
}

/// How much of a text argument is read, in bytes, unless the function says otherwise: far more
/// than any record, host name or TLSA record holds (the core reports those as too long), and
/// little enough that a huge argument cannot exhaust the wasm memory (which would trap).
pub(crate) const TEXT_LIMIT: usize = 1 << 20;

/// A string argument, of which at most `limit` bytes of UTF-8 are read (cut at a character).
pub(crate) fn string_arg(
    function: &'static str,
    name: &'static str,
    value: &JsValue,
    limit: usize,
) -> Result<String, ArgError> {
    let Some(text) = value.dyn_ref::<js_sys::JsString>() else {
        return Err(ArgError::new(function, name, "a string", value));
    };
    let mut text = String::from(bounded(text, limit));
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Ok(text)
}

/// A string, or an array of strings, each read up to `limit` bytes.
pub(crate) fn string_list_arg(
    function: &'static str,
    name: &'static str,
    value: &JsValue,
    limit: usize,
) -> Result<Vec<String>, ArgError> {
    const EXPECTED: &str = "a string or an array of strings";
    let one = |item: &JsValue| {
        string_arg(function, name, item, limit)
            .map_err(|_| ArgError::new(function, name, EXPECTED, item))
    };
    match value.dyn_ref::<js_sys::Array>() {
        Some(array) => array.iter().map(|item| one(&item)).collect(),
        None => one(value).map(|text| vec![text]),
    }
}

/// Bytes: a `Uint8Array` as it is, a string as its UTF-8; at most `limit` of them are read, as
/// the CLI reads at most so much of a file.
pub(crate) fn bytes_arg(
    function: &'static str,
    name: &'static str,
    value: &JsValue,
    limit: usize,
) -> Result<Vec<u8>, ArgError> {
    if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
        let mut bytes = String::from(bounded(text, limit)).into_bytes();
        bytes.truncate(limit);
        return Ok(bytes);
    }
    match value.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => {
            let end = u32::try_from(limit).unwrap_or(u32::MAX).min(bytes.length());
            Ok(bytes.subarray(0, end).to_vec())
        }
        None => Err(ArgError::new(
            function,
            name,
            "a Uint8Array or a string",
            value,
        )),
    }
}

/// `text`, or its first `limit` + 1 UTF-16 units when it is longer: each unit is at least one
/// byte of UTF-8, so what is cut off lies past `limit` bytes anyway.
fn bounded(text: &js_sys::JsString, limit: usize) -> js_sys::JsString {
    let units = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX);
    if text.length() > units {
        text.slice(0, units)
    } else {
        text.clone()
    }
}

/// Refuses an options object with a key the function does not know (a typo would otherwise be
/// ignored silently). `Err` names the key and lists the known ones.
pub(crate) fn known_keys(
    function: &'static str,
    options: &JsValue,
    known: &[&str],
) -> Result<(), String> {
    let Some(object) = options.dyn_ref::<js_sys::Object>() else {
        return Ok(());
    };
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "{function}: unknown option {key:?} (the options are {})",
                known.join(", ")
            ));
        }
    }
    Ok(())
}
