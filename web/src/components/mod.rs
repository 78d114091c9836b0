//! The page's components, one a file.

pub mod app;
#[cfg(feature = "tools")]
pub mod chart;
pub mod check_page;
pub mod check_result;
pub mod copy_button;
pub mod findings;
#[cfg(feature = "tools")]
pub mod generate_page;
#[cfg(feature = "tools")]
pub mod lint_page;
#[cfg(feature = "tools")]
pub mod reports_page;
