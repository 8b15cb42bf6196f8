//! The SSDA903 lists: checking an extract's rows, child by child.
//!
//! A child with a problem the contract names (a date that is not a date, an
//! episode ending before it began, overlapping episodes, a code that is not
//! the Department's, episodes with no header row) is left out of every
//! figure, with each problem located by file, row and column. Anything else
//! odd is a warning on the row, which is then not used. Messages say what
//! is wrong and where, never the value: the value travels beside them for
//! the restricted feedback only.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::Diagnostic;
use crate::ssda903::model::{
    parse_date, CareLeaver, Checked, Child, Episode, LeftOut, Oc2, Reason, LS_CODES, PLACE_CODES,
    REC_CODES, RNE_CODES,
};
use crate::ssda903::read::{xml_element, List, RawExtract, Row};

/// Collects one child's problems as they are found.
struct Collector<'a> {
    raw: &'a RawExtract,
    by_child: BTreeMap<&'a str, LeftOut>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Collector<'a> {
    fn new(raw: &'a RawExtract) -> Collector<'a> {
        Collector {
            raw,
            by_child: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    /// Takes in what another collector found, after this one's.
    fn merge(&mut self, other: Collector<'a>) {
        for (id, left) in other.by_child {
            match self.by_child.get_mut(id) {
                Some(mine) => {
                    for r in left.reasons {
                        if !mine.reasons.contains(&r) {
                            mine.reasons.push(r);
                        }
                    }
                    mine.problems.extend(left.problems);
                }
                None => {
                    self.by_child.insert(id, left);
                }
            }
        }
        self.warnings.extend(other.warnings);
    }

    fn column(&self, list: List, name: &'static str) -> String {
        if self.raw.xml {
            match (list, name) {
                (List::Episodes, "PLACE") => "PL".into(),
                (_, "CHILD") => "CHILDID".into(),
                _ => name.into(),
            }
        } else {
            name.into()
        }
    }

    /// A problem that leaves the child out; `value` is the value at fault,
    /// kept for the restricted feedback.
    fn error(
        &mut self,
        reason: Reason,
        list: List,
        row: Row<'a>,
        column: &'static str,
        message: String,
        value: Option<&str>,
    ) {
        let problem = self
            .locate(
                Diagnostic::error(reason.rule(), message),
                list,
                row,
                Some(column),
            )
            .for_child(row.child());
        let problem = match value {
            Some(v) => problem.with_value(v.trim()),
            None => problem,
        };
        let entry = self.by_child.entry(row.child()).or_insert_with(|| LeftOut {
            id: row.child().to_string(),
            reasons: Vec::new(),
            problems: Vec::new(),
        });
        if !entry.reasons.contains(&reason) {
            entry.reasons.push(reason);
        }
        entry.problems.push(problem);
    }

    fn warn(
        &mut self,
        rule: &'static str,
        list: List,
        row: Row,
        column: Option<&'static str>,
        message: String,
    ) {
        let problem = self.locate(Diagnostic::warning(rule, message), list, row, column);
        self.warnings.push(problem.for_child(row.child()));
    }

    /// Places a problem at its row: file, row and column, or in XML the
    /// element and the value's name.
    fn locate(
        &self,
        d: Diagnostic,
        list: List,
        row: Row,
        column: Option<&'static str>,
    ) -> Diagnostic {
        let place = row.place();
        let d = match self.raw.files.get(row.file()) {
            Some(f) => d.in_file(&f.name),
            None => d,
        };
        let column = column.map(|c| self.column(list, c));
        if self.raw.xml {
            d.at_element(xml_element(list, place), column)
        } else {
            d.at_row(place.line, column)
        }
    }

    /// A date that must be there (DOB, DECOM) or may be blank.
    fn date(
        &mut self,
        list: List,
        row: Row<'a>,
        column: &'static str,
        value: &str,
        required: bool,
    ) -> Option<Option<NaiveDate>> {
        if value.is_empty() {
            if required {
                let whose = if column == "DOB" { "child" } else { "episode" };
                self.error(
                    Reason::BadDate,
                    list,
                    row,
                    column,
                    format!(
                        "{column} is blank; every {whose} needs one. Enter the date as dd/mm/yyyy."
                    ),
                    None,
                );
                return None;
            }
            return Some(None);
        }
        match parse_date(value) {
            Some(d) => Some(Some(d)),
            None => {
                self.error(
                    Reason::BadDate,
                    list,
                    row,
                    column,
                    format!(
                        "{column} is not a real date. Enter it as dd/mm/yyyy, e.g. 14/10/2014."
                    ),
                    Some(value),
                );
                None
            }
        }
    }

    /// A code, as the constant it matches in `codes` (blank when it may
    /// be); an error when it is none of them.
    fn code(
        &mut self,
        list: List,
        row: Row<'a>,
        column: &'static str,
        value: &str,
        codes: &[&'static str],
        blank_ok: bool,
    ) -> &'static str {
        if blank_ok && value.is_empty() {
            return "";
        }
        if let Some(c) = codes.iter().find(|c| c.eq_ignore_ascii_case(value)) {
            return c;
        }
        let what = if value.is_empty() {
            "blank"
        } else {
            "not one of the Department's codes"
        };
        self.error(
            Reason::BadCode,
            list,
            row,
            column,
            format!(
                "{column} is {what}; it must be one of {}. Correct it in the child's record.",
                codes.join(" ")
            ),
            (!value.is_empty()).then_some(value),
        );
        ""
    }
}

/// The children with a header row, numbered in the order of the list:
/// every other list's row finds its child's number once, and what it
/// holds is kept by number rather than looked up again by id.
struct Register<'a> {
    number: HashMap<&'a str, u32>,
    ids: Vec<&'a str>,
    dob: Vec<Option<NaiveDate>>,
}

impl<'a> Register<'a> {
    fn of(&self, id: &str) -> Option<usize> {
        self.number.get(id).map(|n| *n as usize)
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    /// One empty `T` per child.
    fn each<T: Default>(&self) -> Vec<T> {
        std::iter::repeat_with(T::default)
            .take(self.len())
            .collect()
    }
}

/// Each child's episodes, with the row each came from, by child number.
type Episodes<'a> = Vec<Vec<(Row<'a>, Episode)>>;

/// What the lists other than the header list gave, by child number.
struct ByChild<'a> {
    episodes: Episodes<'a>,
    /// Children with episodes but no header row: left out.
    no_header: Vec<&'a str>,
    reviews: Vec<Vec<NaiveDate>>,
    placed: Vec<Vec<NaiveDate>>,
    oc2: Vec<Option<Oc2>>,
    care_leavers: Vec<CareLeaver>,
}

/// Checks every row, child by child. The header list comes first (every
/// other list is matched against it); the others are checked side by
/// side, each with its own collector, and their problems merged in list
/// order.
pub fn check(raw: &RawExtract) -> Checked {
    let mut c = Collector::new(raw);
    let register = header_rows(&mut c, raw);
    let ((episodes_c, (episodes, no_header)), (rest_c, (reviews, placed, oc2, care_leavers))) =
        rayon::join(
            || {
                let mut c = Collector::new(raw);
                let mut found = episode_rows(&mut c, raw, &register);
                check_overlaps(&mut c, &mut found.0);
                (c, found)
            },
            || {
                let mut c = Collector::new(raw);
                let reviews = dated_rows(&mut c, raw, List::Reviews, "REVIEW", &register);
                let placed = dated_rows(
                    &mut c,
                    raw,
                    List::PlacedForAdoption,
                    "DATE_PLACED",
                    &register,
                );
                let oc2 = oc2_rows(&mut c, raw, &register);
                let care_leavers = oc3_rows(&mut c, raw);
                (c, (reviews, placed, oc2, care_leavers))
            },
        );
    c.merge(episodes_c);
    c.merge(rest_c);
    let by_child = ByChild {
        episodes,
        no_header,
        reviews,
        placed,
        oc2,
        care_leavers,
    };
    assemble(c, &register, by_child)
}

/// The children whose rows passed, in id order, each with its episodes,
/// reviews, oc2 row and placements for adoption; and those left out.
fn assemble(c: Collector, register: &Register, mut lists: ByChild) -> Checked {
    let mut no_header = lists.no_header.clone();
    no_header.sort_unstable();
    no_header.dedup();
    let children_in_extract = register.len() + no_header.len();
    let mut order: Vec<usize> = (0..register.len()).collect();
    order.sort_unstable_by_key(|n| register.ids[*n]);
    let mut children = Vec::with_capacity(order.len());
    for n in order {
        let id = register.ids[n];
        if c.by_child.contains_key(id) {
            continue;
        }
        let Some(dob) = register.dob[n] else {
            continue;
        };
        children.push(Child {
            id: id.into(),
            dob,
            episodes: std::mem::take(&mut lists.episodes[n])
                .into_iter()
                .map(|(_, e)| e)
                .collect(),
            reviews: std::mem::take(&mut lists.reviews[n]),
            oc2: lists.oc2[n].take(),
            placed: std::mem::take(&mut lists.placed[n]),
        });
    }
    let care_leavers = lists
        .care_leavers
        .into_iter()
        .filter(|l| !c.by_child.contains_key(&*l.id))
        .collect();
    let left_out: Vec<LeftOut> = c.by_child.into_values().collect();
    Checked {
        children,
        care_leavers,
        left_out,
        warnings: c.warnings,
        children_in_extract,
    }
}

/// The header list: each child with a header row, numbered, and its date
/// of birth when that can be read.
fn header_rows<'a>(c: &mut Collector<'a>, raw: &'a RawExtract) -> Register<'a> {
    let rows = raw.table(List::Header).map_or(0, |t| t.len());
    let mut register = Register {
        number: HashMap::with_capacity_and_hasher(rows, Default::default()),
        ids: Vec::with_capacity(rows),
        dob: Vec::with_capacity(rows),
    };
    for row in raw.rows(List::Header) {
        if row.child().is_empty() {
            c.warn(
                "ssda903-row-unused",
                List::Header,
                row,
                Some("CHILD"),
                "CHILD is blank, so this row cannot be matched to a child and was not used.".into(),
            );
            continue;
        }
        if register.number.contains_key(row.child()) {
            c.warn("ssda903-row-unused", List::Header, row, Some("CHILD"), "This child has a header row already; this second one was not used. Remove the duplicate.".into());
            continue;
        }
        let day = c
            .date(List::Header, row, "DOB", row.value(0), true)
            .flatten();
        register
            .number
            .insert(row.child(), register.ids.len() as u32);
        register.ids.push(row.child());
        register.dob.push(day);
    }
    register
}

/// The episodes list by child number; and the children with episodes but
/// no header row, whose episodes are checked but kept nowhere.
fn episode_rows<'a>(
    c: &mut Collector<'a>,
    raw: &'a RawExtract,
    register: &Register,
) -> (Episodes<'a>, Vec<&'a str>) {
    let mut episodes = register.each::<Vec<(Row, Episode)>>();
    let mut no_header: Vec<&str> = Vec::new();
    for row in raw.rows(List::Episodes) {
        if row.child().is_empty() {
            c.warn(
                "ssda903-row-unused",
                List::Episodes,
                row,
                Some("CHILD"),
                "CHILD is blank, so this episode cannot be matched to a child and was not used."
                    .into(),
            );
            continue;
        }
        let number = register.of(row.child());
        if number.is_none()
            && !c
                .by_child
                .get(row.child())
                .is_some_and(|l| l.reasons.contains(&Reason::NoHeader))
        {
            no_header.push(row.child());
            c.error(Reason::NoHeader, List::Episodes, row, "CHILD", "This child has episodes but no row in the header list, so none of its episodes can be used. Add the child's header row (CHILD and DOB) to the extract.".into(), None);
        }
        let (Some(e), Some(n)) = (episode(c, row), number) else {
            continue;
        };
        episodes[n].push((row, e));
    }
    (episodes, no_header)
}

/// One episode row, its dates and codes checked.
fn episode<'a>(c: &mut Collector<'a>, row: Row<'a>) -> Option<Episode> {
    let decom = c.date(List::Episodes, row, "DECOM", row.value(0), true);
    let dec = c.date(List::Episodes, row, "DEC", row.value(4), false);
    let rne = c.code(List::Episodes, row, "RNE", row.value(1), RNE_CODES, false);
    let ls = c.code(List::Episodes, row, "LS", row.value(2), LS_CODES, false);
    let place = c.code(
        List::Episodes,
        row,
        "PLACE",
        row.value(3),
        PLACE_CODES,
        false,
    );
    let rec = c.code(List::Episodes, row, "REC", row.value(5), REC_CODES, true);
    let (Some(Some(decom)), Some(dec)) = (decom, dec) else {
        return None;
    };
    if dec.is_some_and(|end| end < decom) {
        c.error(
            Reason::EndsBeforeStart,
            List::Episodes,
            row,
            "DEC",
            "The episode ends (DEC) before it begins (DECOM). Correct one of the dates.".into(),
            Some(row.value(4)),
        );
    }
    Some(Episode {
        decom,
        dec,
        rne,
        ls,
        place,
        rec,
    })
}

/// Each child's episodes in DECOM order, with an error at the later
/// episode's DECOM wherever two overlap.
fn check_overlaps<'a>(c: &mut Collector<'a>, episodes: &mut [Vec<(Row<'a>, Episode)>]) {
    for eps in episodes.iter_mut() {
        eps.sort_by_key(|(_, e)| e.decom);
        for pair in eps.windows(2) {
            let ((_, before), (row, after)) = (&pair[0], &pair[1]);
            let why = match before.dec {
                None => "after an episode that never ended (DEC blank)",
                Some(end) if after.decom < end => "before the episode before it ended",
                _ => continue,
            };
            c.error(Reason::Overlap, List::Episodes, *row, "DECOM", format!("This episode begins {why}: a child's episodes cannot overlap. Correct the dates so each episode begins on or after the day the one before it ended."), Some(row.value(0)));
        }
    }
}

/// Reviews or placements for adoption: one date per row, by child number.
fn dated_rows<'a>(
    c: &mut Collector<'a>,
    raw: &'a RawExtract,
    list: List,
    column: &'static str,
    register: &Register,
) -> Vec<Vec<NaiveDate>> {
    let mut out = register.each::<Vec<NaiveDate>>();
    for row in raw.rows(list) {
        if row.value(0).is_empty() {
            c.warn(
                "ssda903-row-unused",
                list,
                row,
                Some(column),
                format!("{column} is blank, so this row was not used."),
            );
            continue;
        }
        // A row for no child of the extract is passed over before its
        // date is read: there is no child to leave out.
        let Some(n) = register.of(row.child()) else {
            c.warn(
                "ssda903-row-unused",
                list,
                row,
                Some("CHILD"),
                "This child has no row in the header list, so this row was not used.".into(),
            );
            continue;
        };
        let Some(Some(d)) = c.date(list, row, column, row.value(0), false) else {
            continue;
        };
        out[n].push(d);
    }
    for dates in &mut out {
        dates.sort_unstable();
        dates.dedup();
    }
    out
}

fn oc2_rows<'a>(
    c: &mut Collector<'a>,
    raw: &'a RawExtract,
    register: &Register,
) -> Vec<Option<Oc2>> {
    let mut out = register.each::<Option<Oc2>>();
    for row in raw.rows(List::Oc2) {
        let Some(n) = register.of(row.child()) else {
            c.warn(
                "ssda903-row-unused",
                List::Oc2,
                row,
                Some("CHILD"),
                "This child has no row in the header list, so this row was not used.".into(),
            );
            continue;
        };
        if out[n].is_some() {
            c.warn(
                "ssda903-row-unused",
                List::Oc2,
                row,
                Some("CHILD"),
                "This child has an oc2 row already; this second one was not used.".into(),
            );
            continue;
        }
        for (i, column) in [(0, "HEALTH_CHECK"), (1, "TEETH_CHECK")] {
            if !matches!(row.value(i), "" | "0" | "1") {
                c.warn(
                    "ssda903-oc2-value",
                    List::Oc2,
                    row,
                    Some(column),
                    format!(
                        "{column} should be 1 (done) or 0 (not done); it was counted as not done."
                    ),
                );
            }
        }
        out[n] = Some(Oc2 {
            health_check: row.value(0).to_string(),
            teeth_check: row.value(1).to_string(),
        });
    }
    out
}

fn oc3_rows<'a>(c: &mut Collector<'a>, raw: &'a RawExtract) -> Vec<CareLeaver> {
    let mut out = Vec::new();
    for row in raw.rows(List::Oc3) {
        let dob = if row.value(0).is_empty() {
            c.warn("ssda903-row-unused", List::Oc3, row, Some("DOB"), "This care leaver has no DOB, so their age cannot be told and the row was not used. Enter the date of birth.".into());
            None
        } else {
            match c.date(List::Oc3, row, "DOB", row.value(0), false) {
                Some(Some(d)) => Some(d),
                _ => continue,
            }
        };
        out.push(CareLeaver {
            id: row.child().into(),
            dob,
            activ: row.value(1).to_uppercase(),
            accom: row.value(2).to_uppercase(),
        });
    }
    out
}
