//! A figure worked out from children's records, with the children behind
//! it: what every child-level source gives and the restricted workbook
//! lists.

use chrono::NaiveDate;

/// A child's id as the case-management system spells it. Shared, since a
/// child's id is repeated on every row and figure that concerns it.
pub type ChildId = std::sync::Arc<str>;

/// One fact that decided whether a member counts, kept as it is and
/// written out only in the restricted workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Date(Option<NaiveDate>),
    Dates(Vec<NaiveDate>),
    Number(i64),
    Code(&'static str),
    Text(String),
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Detail::Date(Some(d)) => write!(f, "{}", d.format("%d/%m/%Y")),
            Detail::Date(None) => Ok(()),
            Detail::Dates(ds) => {
                for (i, d) in ds.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}", d.format("%d/%m/%Y"))?;
                }
                Ok(())
            }
            Detail::Number(n) => write!(f, "{n}"),
            Detail::Code(c) => f.write_str(c),
            Detail::Text(t) => f.write_str(t),
        }
    }
}

/// One child (or one of its reviews, plans, referrals…) behind a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub child: ChildId,
    /// Counts in the numerator.
    pub counted: bool,
    /// The dates and facts that decided it, in the order of the figure's
    /// `columns`.
    pub details: Vec<Detail>,
}

/// One indicator worked out from an extract.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    pub reference: &'static str,
    /// Items counted (TS16: total days).
    pub numerator: f64,
    /// Items in the denominator; counts and rates have none.
    pub denominator: Option<f64>,
    /// What the detail columns hold.
    pub columns: &'static [&'static str],
    pub members: Vec<Member>,
}

impl Computed {
    /// A figure that counts its members: those `counted` over all of
    /// them, or (`with_denominator` false) the counted alone.
    pub fn of_members(
        reference: &'static str,
        columns: &'static [&'static str],
        members: Vec<Member>,
        with_denominator: bool,
    ) -> Computed {
        Computed {
            reference,
            numerator: members.iter().filter(|m| m.counted).count() as f64,
            denominator: with_denominator.then_some(members.len() as f64),
            columns,
            members,
        }
    }
}
