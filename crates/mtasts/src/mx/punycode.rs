//! Punycode encoding (RFC 3492 §6.3), so that a host written with U-labels can be compared with
//! a pattern written with A-labels (`ñaca.com` is `xn--aca-6ma.com`).
//!
//! Only the encoder is here: matching needs one spelling, and the linter refuses U-labels in
//! policies before anything is encoded. No IDNA mapping (UTS #46) or normalisation is done
//! beyond lower-casing.

/// RFC 3492 §5: the parameter values for Punycode.
const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// RFC 3492 §6.1: bias adaptation.
fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points.max(1);
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + ((BASE - T_MIN + 1) * delta) / (delta + SKEW)
}

/// The base-36 digit for `d` (< 36): `a`–`z` then `0`–`9`.
fn digit(d: u32) -> char {
    let byte = u8::try_from(d).unwrap_or(0);
    char::from(if byte < 26 {
        b'a' + byte
    } else {
        b'0' + (byte - 26).min(9)
    })
}

/// Encodes one label (without the `xn--` prefix). `None` on arithmetic overflow, which only an
/// absurdly long label can cause.
pub(crate) fn encode(label: &str) -> Option<String> {
    let code_points: Vec<u32> = label.chars().map(u32::from).collect();
    let total = u32::try_from(code_points.len()).ok()?;
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(output.len()).ok()?;
    if basic > 0 {
        output.push('-');
    }
    let mut handled = basic;
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while handled < total {
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n += 1;
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3492_and_known_labels() {
        for (label, want) in [
            ("ñaca", "aca-6ma"),
            ("bücher", "bcher-kva"),
            ("münchen", "mnchen-3ya"),
            ("例え", "r8jz45g"),
            // RFC 3492 §7.1 (A): Arabic (Egyptian).
            (
                "\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}",
                "egbpdaj6bu4bxfgehfvwxn",
            ),
            ("abc", "abc-"),
        ] {
            assert_eq!(encode(label).as_deref(), Some(want), "{label}");
        }
    }
}
