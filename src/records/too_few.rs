//! The refusal every child-level source shares: too few children left to
//! stand for the borough.

use crate::config::ChildRecords;
use crate::diagnostic::Diagnostic;

/// Why an extract's children are too few for its figures to describe the
/// borough.
#[derive(Debug, Clone, PartialEq)]
pub enum TooFew {
    /// Every child has errors.
    NoChild,
    /// More than the allowed share of children left out:
    /// `(left out, of, share allowed)`.
    TooManyLeftOut(usize, usize, f64),
}

impl TooFew {
    /// Judges an extract of `in_extract` children, `counted` of them left
    /// to count and `left_out` left out: none counted, or more than
    /// `rules.left_out_limit` of them left out, is too few.
    pub fn judge(
        counted: usize,
        in_extract: usize,
        left_out: usize,
        rules: ChildRecords,
    ) -> Option<TooFew> {
        if counted == 0 {
            Some(TooFew::NoChild)
        } else if left_out as f64 > rules.left_out_limit * in_extract as f64 {
            Some(TooFew::TooManyLeftOut(
                left_out,
                in_extract,
                rules.left_out_limit,
            ))
        } else {
            None
        }
    }

    /// The reason in words, quoting nothing from the extract.
    pub fn describe(&self) -> String {
        match self {
            TooFew::NoChild => "every child in it has errors, so no child is left to count".into(),
            TooFew::TooManyLeftOut(n, of, limit) => format!(
                "{} of its {} {} errors, more than the {} that may be left out for its figures to describe the borough",
                crate::text::count(*n),
                crate::text::count_of(*of, "child", "children"),
                if *n == 1 { "has" } else { "have" },
                crate::judge::share(*limit)
            ),
        }
    }

    /// The problem that tells the extract's owner, on the file `name`:
    /// `rule` is the source's (`ssda903-refused`), `what` what it is called
    /// ("extract", "census").
    pub fn problem(&self, rule: &'static str, what: &str, name: &str) -> Diagnostic {
        Diagnostic::error(rule, format!(
            "The {what} was refused: {}. Its figures come from the services' returns. Correct the errors listed here in the case-management system and export the {what} again; if so many errors are expected, the share allowed is `left_out_limit` in templates/scorecard.toml.",
            self.describe()
        ))
        .in_file(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(limit: f64) -> ChildRecords {
        ChildRecords {
            left_out_limit: limit,
        }
    }

    #[test]
    fn more_than_the_share_allowed_left_out_is_too_few() {
        assert_eq!(TooFew::judge(0, 5, 5, rules(0.1)), Some(TooFew::NoChild));
        assert_eq!(TooFew::judge(90, 100, 10, rules(0.1)), None);
        assert_eq!(
            TooFew::judge(89, 100, 11, rules(0.1)),
            Some(TooFew::TooManyLeftOut(11, 100, 0.1))
        );
        assert_eq!(
            TooFew::TooManyLeftOut(11, 100, 0.1).describe(),
            "11 of its 100 children have errors, more than the tenth that may be left out for its figures to describe the borough"
        );
    }
}
