//! The media types TLS-RPT intake takes (RFC 8460 §5.4, §6.4, §6.5), read by the core's
//! [`MediaType`].

use mtasts::media_type::MediaType;
use mtasts::ReportForm;

/// What a report body is declared to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportMediaType {
    /// `application/tlsrpt+json` or `application/json`.
    Json,
    /// `application/tlsrpt+gzip` or `application/gzip`.
    Gzip,
}

impl ReportMediaType {
    /// The media type as stored with the raw body.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportMediaType::Json => "application/tlsrpt+json",
            ReportMediaType::Gzip => "application/tlsrpt+gzip",
        }
    }

    /// Whether a body of `form` is what this type declares: the intake reads a body as what it
    /// is declared to be, never as what it might be instead.
    pub fn declares(self, form: ReportForm) -> bool {
        matches!(
            (self, form),
            (ReportMediaType::Json, ReportForm::Json) | (ReportMediaType::Gzip, ReportForm::Gzip)
        )
    }
}

/// The declared type of a `Content-Type` value, parameters ignored; `None` when not taken.
pub fn report_media_type(content_type: &str) -> Option<ReportMediaType> {
    match MediaType::parse(content_type).essence.as_str() {
        "application/tlsrpt+json" | "application/json" => Some(ReportMediaType::Json),
        "application/tlsrpt+gzip" | "application/gzip" | "application/x-gzip" => {
            Some(ReportMediaType::Gzip)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        for (value, want) in [
            ("application/tlsrpt+json", Some(ReportMediaType::Json)),
            (
                "Application/TLSRPT+JSON; charset=utf-8",
                Some(ReportMediaType::Json),
            ),
            ("application/json", Some(ReportMediaType::Json)),
            ("application/tlsrpt+gzip", Some(ReportMediaType::Gzip)),
            ("application/gzip", Some(ReportMediaType::Gzip)),
            ("text/plain", None),
            ("multipart/report", None),
            ("", None),
        ] {
            assert_eq!(report_media_type(value), want, "{value:?}");
        }
    }
}
