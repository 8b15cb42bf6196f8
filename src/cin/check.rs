//! Checking a census child by child, as `cin.md` says under "Children
//! left out, and why".
//!
//! A child with a problem the contract names (an id blank or shared, a
//! date that is not a real date or a required one left blank, an end
//! before its start, a review outside its plan, plans that overlap, a
//! yes/no or a number of previous plans that cannot be read) is left out
//! of every figure, each problem located by file, line and element.
//! Anything else odd is a warning, and the item is used as the contract
//! says. Messages name the element, never its value: the value and the
//! child travel beside them for the restricted feedback only.

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::model::{
    parse_count, parse_date, parse_yes_no, text, Assessment, Census, Checked, Child, Field,
    LeftOut, Place, Plan, RawAssessment, RawChild, RawPlan, RawReferral, RawSection47, Reason,
    Referral, Section47, ABUSE_CATEGORIES, CLOSURE_REASONS, NEED_CODES, REFERRAL_SOURCES,
};
use crate::diagnostic::Diagnostic;
use crate::ssda903::indicators::financial_year_start;

/// Checks every child. Children are checked side by side; only a shared
/// id needs the others, and it is found first.
pub fn check(census: &Census) -> Checked {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, c) in census.children.iter().enumerate() {
        let id = text(&c.id);
        if !id.is_empty() {
            by_id.entry(id).or_default().push(i);
        }
    }
    let outcomes: Vec<Outcome> = census
        .children
        .par_iter()
        .enumerate()
        .map(|(i, raw)| {
            let twin = by_id
                .get(text(&raw.id))
                .and_then(|all| all.iter().find(|j| **j != i))
                .map(|j| &census.children[*j]);
            check_child(&census.name, raw, twin)
        })
        .collect();
    let mut checked = Checked {
        children_in_extract: census.children.len(),
        ..Checked::default()
    };
    for o in outcomes {
        checked.warnings.extend(o.warnings);
        match o.result {
            Ok(child) => checked.children.push(child),
            Err(left) => checked.left_out.push(left),
        }
    }
    checked
}

/// What checking one child gave: the child, or why it is left out.
struct Outcome {
    result: Result<Child, LeftOut>,
    warnings: Vec<Diagnostic>,
}

/// Where an item is: its element as messages name it, and its line.
#[derive(Debug, Clone, Copy)]
struct At {
    child: u32,
    /// The `CINdetails`, 0 for the child itself.
    referral: u32,
    /// An assessment, enquiry or plan in it.
    item: Option<(&'static str, u32)>,
    line: u32,
}

impl At {
    /// Named only for a problem: most items have none.
    fn element(&self) -> String {
        let mut s = format!("Child {}", self.child);
        if self.referral > 0 {
            s.push_str(&format!(", CINdetails {}", self.referral));
        }
        if let Some((kind, n)) = self.item {
            s.push_str(&format!(", {kind} {n}"));
        }
        s
    }

    /// An item of the referral this is at.
    fn item(self, kind: &'static str, ordinal: u32, line: u32) -> At {
        At {
            item: Some((kind, ordinal)),
            line,
            ..self
        }
    }
}

/// One child's problems, as they are found.
struct ChildCheck<'a> {
    file: &'a str,
    raw: &'a RawChild,
    reasons: Vec<Reason>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// A plan with the place it came from, for saying where two overlap.
type Placed<'a> = (Plan, &'a RawPlan, At);

fn check_child(file: &str, raw: &RawChild, twin: Option<&RawChild>) -> Outcome {
    let mut c = ChildCheck {
        file,
        raw,
        reasons: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    c.identity(twin);
    let mut child = Child {
        id: text(&raw.id).into(),
        referrals: Vec::new(),
        assessments: Vec::new(),
        section47: Vec::new(),
        plans: Vec::new(),
    };
    let mut plans: Vec<Placed> = Vec::new();
    for r in &raw.referrals {
        c.referral(r, &mut child, &mut plans);
    }
    c.overlaps(&mut plans);
    child.plans = plans.into_iter().map(|(p, _, _)| p).collect();
    if !c.reasons.is_empty() {
        return Outcome {
            result: Err(LeftOut {
                id: text(&raw.id).to_string(),
                ordinal: raw.ordinal,
                reasons: c.reasons,
                problems: c.errors,
            }),
            warnings: c.warnings,
        };
    }
    c.earlier_plans(&child);
    c.open_referrals(&child);
    Outcome {
        result: Ok(child),
        warnings: c.warnings,
    }
}

impl<'a> ChildCheck<'a> {
    /// The child, or one of its referrals (`referral` > 0), on `line`.
    fn at(&self, referral: u32, line: u32) -> At {
        At {
            child: self.raw.ordinal,
            referral,
            item: None,
            line,
        }
    }

    fn locate(&self, d: Diagnostic, at: &At, column: &str, field: Option<&Field>) -> Diagnostic {
        let line = field.map_or(at.line, |f| f.line);
        d.in_file(self.file)
            .at_element(at.element(), Some(column.to_string()))
            .on_line(line)
            .for_child(text(&self.raw.id))
    }

    /// A problem that leaves the child out; the field's value, if any, is
    /// kept for the restricted feedback.
    fn error(
        &mut self,
        reason: Reason,
        rule: &'static str,
        (at, column, field): (&At, &str, Option<&Field>),
        message: String,
    ) {
        let mut d = self.locate(Diagnostic::error(rule, message), at, column, field);
        if let Some(f) = field.filter(|f| !f.text.is_empty()) {
            d = d.with_value(&f.text);
        }
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
        self.errors.push(d);
    }

    fn warn(
        &mut self,
        rule: &'static str,
        (at, column, field): (&At, &str, Option<&Field>),
        message: String,
    ) {
        let mut d = self.locate(Diagnostic::warning(rule, message), at, column, field);
        if let Some(f) = field.filter(|f| !f.text.is_empty()) {
            d = d.with_value(&f.text);
        }
        self.warnings.push(d);
    }

    /// A blank `LAchildID`, or one another `Child` has too.
    fn identity(&mut self, twin: Option<&RawChild>) {
        let at = self.at(0, self.raw.line);
        let field = self.raw.id.as_ref();
        if text(&self.raw.id).is_empty() {
            self.error(Reason::Id, "cin-child-id", (&at, "LAchildID", field), "LAchildID is blank (or ChildIdentifiers is missing), so this child's records cannot be told from another's; the child is left out of every figure. Enter the child's id in the case-management system.".into());
        } else if let Some(other) = twin {
            self.error(Reason::Id, "cin-child-id", (&at, "LAchildID", field), format!(
                "Another Child element (Child {}, line {}) has the same LAchildID, so whose records are whose cannot be told; both are left out of every figure. Give each child one Child element, with its own id.",
                other.ordinal, other.line
            ));
        }
    }

    /// A date. `Some(Some(day))` when read, `Some(None)` when blank and
    /// allowed to be; `None` after an error. `needed_by` names what a blank
    /// one leaves without a date ("referral"), when one is required.
    fn date(
        &mut self,
        at: &At,
        column: &str,
        field: Option<&Field>,
        needed_by: Option<&str>,
    ) -> Option<Option<NaiveDate>> {
        let value = field.map_or("", |f| f.text.as_str());
        if value.is_empty() {
            let Some(what) = needed_by else {
                return Some(None);
            };
            self.error(Reason::BadDate, "cin-date", (at, column, field), format!(
                "{column} is blank (or missing); every {what} needs one. Enter the date as yyyy-mm-dd."
            ));
            return None;
        }
        match parse_date(value) {
            Some(d) => Some(Some(d)),
            None => {
                self.error(Reason::BadDate, "cin-date", (at, column, field), format!(
                    "{column} is not a real date written as yyyy-mm-dd (e.g. 2014-10-14), so it cannot be read. Correct it in the child's record."
                ));
                None
            }
        }
    }

    /// An end that must not come before its start.
    fn in_order(
        &mut self,
        (start, end): (Option<Option<NaiveDate>>, Option<Option<NaiveDate>>),
        (at, column, field): (&At, &str, Option<&Field>),
        message: &str,
    ) {
        if let (Some(Some(s)), Some(Some(e))) = (start, end) {
            if e < s {
                self.error(
                    Reason::EndsBeforeStart,
                    "cin-ends-before-start",
                    (at, column, field),
                    message.to_string(),
                );
            }
        }
    }

    /// A yes/no: `None` after an error.
    fn yes_no(&mut self, at: &At, column: &str, field: Option<&Field>) -> Option<bool> {
        let value = parse_yes_no(field.map_or("", |f| f.text.as_str()));
        if value.is_none() {
            self.error(Reason::BadValue, "cin-yes-no", (at, column, field), format!(
                "{column} must be true, false, 1 or 0 (or blank, for false); it is none of these, so what it says cannot be told. Correct it in the child's record."
            ));
        }
        value
    }

    /// A code that no figure uses: a warning when it is not on its list.
    fn code(&mut self, at: &At, column: &str, field: Option<&Field>, codes: &[&str]) {
        let value = field.map_or("", |f| f.text.as_str());
        if !value.is_empty() && !codes.contains(&value) {
            self.warn("cin-code", (at, column, field), format!(
                "{column} is not one of the Department's codes ({}). No figure uses it, so the child still counts; correct it in the child's record before the census is sent.",
                codes.join(" ")
            ));
        }
    }

    /// One `CINdetails` and everything inside it.
    fn referral<'r>(&mut self, r: &'r RawReferral, child: &mut Child, plans: &mut Vec<Placed<'r>>) {
        let at = self.at(r.ordinal, r.line);
        let date = self.date(
            &at,
            "CINreferralDate",
            r.referral_date.as_ref(),
            Some("referral"),
        );
        let closed = self.date(&at, "CINclosureDate", r.closure_date.as_ref(), None);
        self.date(&at, "DateOfInitialCPC", r.initial_cpc.as_ref(), None);
        self.in_order(
            (date, closed),
            (&at, "CINclosureDate", r.closure_date.as_ref()),
            "The referral closes (CINclosureDate) before it began (CINreferralDate). Correct one of the dates.",
        );
        let nfa = self.yes_no(&at, "ReferralNFA", r.nfa.as_ref());
        self.code(
            &at,
            "ReferralSource",
            r.referral_source.as_ref(),
            REFERRAL_SOURCES,
        );
        self.code(&at, "PrimaryNeedCode", r.primary_need.as_ref(), NEED_CODES);
        self.code(
            &at,
            "ReasonForClosure",
            r.reason_for_closure.as_ref(),
            CLOSURE_REASONS,
        );
        if let (Some(Some(date)), Some(closed), Some(nfa)) = (date, closed, nfa) {
            child.referrals.push(Referral {
                ordinal: r.ordinal,
                date,
                closed,
                nfa,
            });
        }
        for a in &r.assessments {
            child.assessments.extend(self.assessment(&at, r.ordinal, a));
        }
        for s in &r.section47 {
            child.section47.extend(self.section47(&at, r.ordinal, s));
        }
        for p in &r.plans {
            if let Some((plan, at)) = self.plan(&at, r.ordinal, p) {
                plans.push((plan, p, at));
            }
        }
    }

    fn assessment(&mut self, parent: &At, referral: u32, a: &RawAssessment) -> Option<Assessment> {
        let at = parent.item("Assessments", a.ordinal, a.line);
        let start = self.date(
            &at,
            "AssessmentActualStartDate",
            a.start.as_ref(),
            Some("assessment"),
        );
        let authorised = self.date(
            &at,
            "AssessmentAuthorisationDate",
            a.authorised.as_ref(),
            None,
        );
        self.in_order(
            (start, authorised),
            (&at, "AssessmentAuthorisationDate", a.authorised.as_ref()),
            "The assessment is authorised (AssessmentAuthorisationDate) before it started (AssessmentActualStartDate). Correct one of the dates.",
        );
        Some(Assessment {
            place: Place {
                referral,
                item: a.ordinal,
            },
            start: start??,
            authorised: authorised?,
        })
    }

    fn section47(&mut self, parent: &At, referral: u32, s: &RawSection47) -> Option<Section47> {
        let at = parent.item("Section47", s.ordinal, s.line);
        let start = self.date(
            &at,
            "S47ActualStartDate",
            s.start.as_ref(),
            Some("section 47 enquiry"),
        );
        let conference = self.date(&at, "DateOfInitialCPC", s.initial_cpc.as_ref(), None);
        self.in_order(
            (start, conference),
            (&at, "DateOfInitialCPC", s.initial_cpc.as_ref()),
            "The initial conference (DateOfInitialCPC) is before the enquiry started (S47ActualStartDate). Correct one of the dates.",
        );
        let not_required = self.yes_no(&at, "ICPCnotRequired", s.not_required.as_ref());
        if not_required == Some(true) && !text(&s.initial_cpc).is_empty() {
            self.warn("cin-conference-not-required", (&at, "DateOfInitialCPC", s.initial_cpc.as_ref()), "This Section47 says no conference was needed (ICPCnotRequired is true) yet has a DateOfInitialCPC, so it is not counted as a conference (TS3). If a conference was held, set ICPCnotRequired to false; if not, remove the date.".into());
        }
        Some(Section47 {
            place: Place {
                referral,
                item: s.ordinal,
            },
            start: start??,
            conference: conference?,
            not_required: not_required?,
        })
    }

    fn plan(&mut self, parent: &At, referral: u32, p: &RawPlan) -> Option<(Plan, At)> {
        let at = parent.item("ChildProtectionPlans", p.ordinal, p.line);
        let start = self.date(
            &at,
            "CPPstartDate",
            p.start.as_ref(),
            Some("child protection plan"),
        );
        let end = self.date(&at, "CPPendDate", p.end.as_ref(), None);
        self.in_order(
            (start, end),
            (&at, "CPPendDate", p.end.as_ref()),
            "The plan ends (CPPendDate) before it started (CPPstartDate). Correct one of the dates.",
        );
        let previous = self.previous_plans(&at, p.previous.as_ref());
        self.code(
            &at,
            "InitialCategoryOfAbuse",
            p.initial_category.as_ref(),
            ABUSE_CATEGORIES,
        );
        self.code(
            &at,
            "LatestCategoryOfAbuse",
            p.latest_category.as_ref(),
            ABUSE_CATEGORIES,
        );
        let reviews = self.reviews(&at, p, (start.flatten(), end.flatten()));
        let plan = Plan {
            place: Place {
                referral,
                item: p.ordinal,
            },
            start: start??,
            end: end?,
            previous: previous?,
            reviews: reviews?,
        };
        Some((plan, at))
    }

    fn previous_plans(&mut self, at: &At, field: Option<&Field>) -> Option<u32> {
        let value = field.map_or("", |f| f.text.as_str());
        let count = parse_count(value);
        if count.is_none() {
            let what = if value.is_empty() {
                "is blank (or missing)"
            } else {
                "is not a whole number 0 or more"
            };
            self.error(Reason::BadValue, "cin-previous-plans", (at, "NumberOfPreviousCPP", field), format!(
                "NumberOfPreviousCPP {what}; every plan needs it: 0 for a child's first plan, else how many plans the child had before. Correct it in the child's record."
            ));
        }
        count
    }

    /// A plan's reviews, in date order: each a real date, after the plan
    /// started and not after it ended. `None` after an error.
    fn reviews(
        &mut self,
        at: &At,
        p: &RawPlan,
        (start, end): (Option<NaiveDate>, Option<NaiveDate>),
    ) -> Option<Vec<NaiveDate>> {
        let mut out = Vec::with_capacity(p.reviews.len());
        let mut whole = true;
        for f in &p.reviews {
            let Some(Some(day)) = self.date(at, "CPPreviewDate", Some(f), Some("review")) else {
                whole = false;
                continue;
            };
            let why = match (start, end) {
                (Some(s), _) if day <= s => "on or before the day the plan started (CPPstartDate)",
                (_, Some(e)) if day > e => "after the plan ended (CPPendDate)",
                _ => {
                    out.push(day);
                    continue;
                }
            };
            whole = false;
            self.error(Reason::ReviewOutsidePlan, "cin-review-outside-plan", (at, "CPPreviewDate", Some(f)), format!(
                "A review (CPPreviewDate) is dated {why}: a plan's reviews fall within it. Correct the review's date or the plan's."
            ));
        }
        out.sort_unstable();
        whole.then_some(out)
    }

    /// Two plans of the child overlapping: one starting on or before the
    /// end of an earlier one, or after one that never ended (rule 8940).
    /// Leaves the plans in start order.
    fn overlaps(&mut self, plans: &mut [Placed<'_>]) {
        plans.sort_by_key(|(p, _, _)| p.start);
        for i in 1..plans.len() {
            let (before, _, earlier) = &plans[i - 1];
            let (after, raw, at) = &plans[i];
            let why = match before.end {
                None => "after an earlier plan that never ended (CPPendDate blank)",
                Some(end) if after.start <= end => "on or before the day an earlier plan ended",
                _ => continue,
            };
            let message = format!(
                "This plan starts (CPPstartDate) {why} ({}): a child's child protection plans cannot overlap. Correct the dates so each plan starts after the one before it ended.",
                earlier.element()
            );
            self.error(
                Reason::Overlap,
                "cin-plan-overlap",
                (at, "CPPstartDate", raw.start.as_ref()),
                message,
            );
        }
    }

    /// A plan said to be the child's first while the extract holds an
    /// earlier one.
    fn earlier_plans(&mut self, child: &Child) {
        for p in &child.plans {
            if p.previous == 0 && child.plans.iter().any(|q| q.start < p.start) {
                let Some(raw) = self.raw_plan(p.place) else {
                    continue;
                };
                let at = self.item_at(p.place, "ChildProtectionPlans", raw.line);
                self.warn("cin-previous-plans-zero", (&at, "NumberOfPreviousCPP", raw.previous.as_ref()), "NumberOfPreviousCPP is 0, yet the extract holds an earlier plan for this child, so this plan counts as a second or subsequent plan (TS6). Correct NumberOfPreviousCPP.".into());
            }
        }
    }

    /// A referral dated before an earlier referral's episode closed, or
    /// while it is still open.
    fn open_referrals(&mut self, child: &Child) {
        for r in &child.referrals {
            let open = child
                .referrals
                .iter()
                .find(|e| e.date < r.date && e.closed.is_none_or(|c| r.date < c));
            let Some(earlier) = open else { continue };
            let Some(raw) = self.raw.referrals.iter().find(|x| x.ordinal == r.ordinal) else {
                continue;
            };
            let still = if earlier.closed.is_none() {
                "while an earlier referral's episode is still open"
            } else {
                "before an earlier referral's episode closed"
            };
            let at = self.at(r.ordinal, raw.line);
            self.warn("cin-referral-while-open", (&at, "CINreferralDate", raw.referral_date.as_ref()), format!(
                "This referral is dated {still} (CINdetails {}); both count as referrals (TS23). Check the dates, and close the earlier episode if it ended.",
                earlier.ordinal
            ));
        }
    }

    fn raw_plan(&self, place: Place) -> Option<&'a RawPlan> {
        let raw: &'a RawChild = self.raw;
        raw.referrals
            .iter()
            .find(|r| r.ordinal == place.referral)?
            .plans
            .iter()
            .find(|p| p.ordinal == place.item)
    }

    fn item_at(&self, place: Place, kind: &'static str, line: u32) -> At {
        self.at(place.referral, 0).item(kind, place.item, line)
    }
}

/// The 31 March ending the financial year that holds `day`.
pub fn year_end(day: NaiveDate) -> NaiveDate {
    let year = if day.month() >= 4 {
        day.year() + 1
    } else {
        day.year()
    };
    NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(day)
}

/// Warnings that depend on the quarter the census is filed under (ending
/// `end`): a `ReferenceDate` that fits neither `end` nor the year's 31
/// March, and an extract that seems to hold the census year alone.
pub fn quarter_warnings(census: &Census, checked: &Checked, end: NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let field = census.header.reference_date.as_ref();
    let value = field.map_or("", |f| f.text.as_str());
    let fits = parse_date(value).is_some_and(|d| d == end || d == year_end(end));
    if !fits {
        let what = if value.is_empty() {
            "The header has no ReferenceDate"
        } else {
            "The header's ReferenceDate is"
        };
        let which = if value.is_empty() { "" } else { " neither" };
        let message = format!(
            "{what}{which} the quarter's last day ({}) nor the 31 March ending its year ({}). The figures are worked out for the quarter the census is filed under; check that it is the right extract for that quarter.",
            crate::text::long_date(end),
            crate::text::long_date(year_end(end))
        );
        let mut d = Diagnostic::warning("cin-reference-date", message)
            .in_file(&census.name)
            .at_element(
                "Header, CollectionDetails".into(),
                Some("ReferenceDate".into()),
            )
            .on_line(field.map_or(census.header_line, |f| f.line));
        if !value.is_empty() {
            d = d.with_value(value);
        }
        out.push(d);
    }
    let from = financial_year_start(end);
    let older = checked.children.iter().any(|c| {
        c.referrals
            .iter()
            .any(|r| r.closed.is_some_and(|d| d < from))
    });
    if !older {
        out.push(Diagnostic::warning("cin-census-year-only", format!(
            "No referral in the census closed before the year to date began ({}): it looks like the census year alone. Re-referrals (TS23) are found only among the referrals the extract holds, so TS23 may be too low. Export the census from at least a year before {}.",
            crate::text::long_date(from),
            crate::text::long_date(from)
        )).in_file(&census.name));
    }
    out
}
