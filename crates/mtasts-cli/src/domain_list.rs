//! The domains of `mtasts check D1 D2 … --from FILE`: the arguments first, then the file's lines
//! in order, each domain once.

use mtasts::DomainName;
use std::collections::HashSet;

/// The domains in a `--from` file's text, one a line: blank lines, `#` comments (a whole line,
/// or the rest of one) and the blanks around each name are left out.
pub fn parse_domain_list(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
}

/// `inputs` in order, each domain only at its first appearance: two inputs are the same domain
/// when they name the same one as the check reads it (`Example.COM`, `user@example.com` and
/// `https://example.com/` are `example.com`); input that names no domain is kept as typed, once.
pub fn first_of_each<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    inputs
        .into_iter()
        .filter(|input| {
            let key =
                DomainName::from_input(input).map_or_else(|_| input.to_string(), String::from);
            seen.insert(key)
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_blanks() {
        for (text, want) in [
            ("", vec![]),
            ("a.test\nb.test\n", vec!["a.test", "b.test"]),
            (
                "# list\n\n  a.test  \r\n\t\nb.test # the other\n",
                vec!["a.test", "b.test"],
            ),
            ("#a.test\n   # b.test\nc.test", vec!["c.test"]),
        ] {
            assert_eq!(
                parse_domain_list(text).collect::<Vec<_>>(),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn each_domain_once_at_its_first_place() {
        for (inputs, want) in [
            (vec!["a.test", "b.test"], vec!["a.test", "b.test"]),
            (
                vec![
                    "b.test",
                    "A.TEST",
                    "user@b.test",
                    "a.test.",
                    "https://a.test/x",
                ],
                vec!["b.test", "A.TEST"],
            ),
            (vec!["bad", "bad", "a.test", "bad"], vec!["bad", "a.test"]),
        ] {
            assert_eq!(first_of_each(inputs.clone()), want, "{inputs:?}");
        }
    }
}
