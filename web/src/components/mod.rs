//! The page's components, one a file.

pub mod app;
pub mod chart;
pub mod check_page;
pub mod check_result;
pub mod copy_button;
pub mod findings;
pub mod generate_page;
pub mod lint_page;
pub mod reports_page;
