//! github renderer (being written).

use super::Report;

pub fn render(_report: &Report<'_>) -> String {
    String::new()
}
