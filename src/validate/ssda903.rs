//! The SSDA903 lists: checking an extract's rows, child by child.
//!
//! A child with a problem the contract names (a date that is not a date, an
//! episode ending before it began, overlapping episodes, a code that is not
//! the Department's, episodes with no header row) is left out of every
//! figure, with each problem located by file, row and column. Anything else
//! odd is a warning on the row, which is then not used.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::ssda903::model::{
    parse_date, CareLeaver, Checked, Child, Episode, LeftOut, Oc2, Reason, LS_CODES, PLACE_CODES,
    REC_CODES, RNE_CODES,
};
use crate::ssda903::read::{List, RawExtract, Row};
use crate::ssda903::{At, Problem};

/// Collects one child's problems as they are found.
struct Collector<'a> {
    raw: &'a RawExtract,
    by_child: BTreeMap<String, LeftOut>,
    warnings: Vec<Problem>,
}

impl Collector<'_> {
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

    fn error(
        &mut self,
        reason: Reason,
        list: List,
        row: &Row,
        column: &'static str,
        message: String,
    ) {
        let at = self.raw_at(row);
        let problem = Problem::error(reason.rule(), at, Some(self.column(list, column)), message)
            .for_child(&row.child);
        let entry = self
            .by_child
            .entry(row.child.clone())
            .or_insert_with(|| LeftOut {
                id: row.child.clone(),
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
        row: &Row,
        column: Option<&'static str>,
        message: String,
    ) {
        let at = self.raw_at(row);
        let column = column.map(|c| self.column(list, c));
        self.warnings
            .push(Problem::warning(rule, at, column, message).for_child(&row.child));
    }

    fn raw_at(&self, row: &Row) -> At {
        let mut at = row.at.clone();
        at.file_name = self.raw.files.get(row.at.file).map(|f| f.name.clone());
        at
    }

    /// A date that must be there (DOB, DECOM) or may be blank.
    fn date(
        &mut self,
        list: List,
        row: &Row,
        column: &'static str,
        value: &str,
        required: bool,
    ) -> Option<Option<NaiveDate>> {
        if value.trim().is_empty() {
            if required {
                self.error(
                    Reason::BadDate,
                    list,
                    row,
                    column,
                    format!(
                        "{column} is blank; every {} needs one. Enter the date as dd/mm/yyyy.",
                        if column == "DOB" { "child" } else { "episode" }
                    ),
                );
                return None;
            }
            return Some(None);
        }
        match parse_date(value) {
            Some(d) => Some(Some(d)),
            None => {
                self.error(Reason::BadDate, list, row, column, format!("{column} is \"{}\", which is not a real date. Enter it as dd/mm/yyyy, e.g. 14/10/2014.", value.trim()));
                None
            }
        }
    }

    fn code(
        &mut self,
        list: List,
        row: &Row,
        column: &'static str,
        value: &str,
        codes: &[&str],
        blank_ok: bool,
    ) -> String {
        let v = value.trim().to_uppercase();
        if (blank_ok && v.is_empty()) || codes.contains(&v.as_str()) {
            return v;
        }
        let shown = if v.is_empty() {
            "blank".to_string()
        } else {
            format!("\"{}\"", value.trim())
        };
        self.error(Reason::BadCode, list, row, column, format!("{column} is {shown}, which is not one of the Department's codes ({}). Correct it in the child's record.", codes.join(" ")));
        v
    }
}

/// Checks every row, child by child.
pub fn check(raw: &RawExtract) -> Checked {
    let mut c = Collector {
        raw,
        by_child: BTreeMap::new(),
        warnings: Vec::new(),
    };
    let (dob, has_header) = header_rows(&mut c, raw);
    let (mut episodes, no_header) = episode_rows(&mut c, raw, &has_header);
    check_overlaps(&mut c, raw, &mut episodes);
    let reviews = dated_rows(&mut c, raw, List::Reviews, "REVIEW", &has_header);
    let placed = dated_rows(
        &mut c,
        raw,
        List::PlacedForAdoption,
        "DATE_PLACED",
        &has_header,
    );
    let oc2 = oc2_rows(&mut c, raw, &has_header);
    let care_leavers = oc3_rows(&mut c, raw);

    let mut ids: Vec<&str> = has_header
        .keys()
        .copied()
        .chain(episodes.keys().copied())
        .chain(no_header)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let children_in_extract = ids.len();
    let mut children = Vec::new();
    for id in ids {
        if c.by_child.contains_key(id) {
            continue;
        }
        let Some(&dob) = dob.get(id) else { continue };
        children.push(Child {
            id: id.to_string(),
            dob,
            episodes: episodes.remove(id).unwrap_or_default(),
            reviews: reviews.get(id).cloned().unwrap_or_default(),
            oc2: oc2.get(id).cloned(),
            placed: placed.get(id).cloned().unwrap_or_default(),
        });
    }
    let care_leavers = care_leavers
        .into_iter()
        .filter(|l| !c.by_child.contains_key(l.id.as_str()))
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

/// The header list: each child's date of birth, and which children have a
/// header row.
fn header_rows<'a>(
    c: &mut Collector,
    raw: &'a RawExtract,
) -> (HashMap<&'a str, NaiveDate>, HashMap<&'a str, bool>) {
    let mut dob: HashMap<&str, NaiveDate> = HashMap::new();
    let mut has_header: HashMap<&str, bool> = HashMap::new();
    for row in raw.rows(List::Header) {
        if row.child.is_empty() {
            c.warn(
                "ssda903-row-unused",
                List::Header,
                row,
                Some("CHILD"),
                "CHILD is blank, so this row cannot be matched to a child and was not used.".into(),
            );
            continue;
        }
        if has_header.insert(row.child.as_str(), true).is_some() {
            c.warn("ssda903-row-unused", List::Header, row, Some("CHILD"), "This child has a header row already; this second one was not used. Remove the duplicate.".into());
            continue;
        }
        if let Some(Some(d)) = c.date(List::Header, row, "DOB", row.value(0), true) {
            dob.insert(row.child.as_str(), d);
        }
    }
    (dob, has_header)
}

/// The episodes list, by child; and the children with episodes but no
/// header row.
fn episode_rows<'a>(
    c: &mut Collector,
    raw: &'a RawExtract,
    has_header: &HashMap<&str, bool>,
) -> (BTreeMap<&'a str, Vec<Episode>>, Vec<&'a str>) {
    let mut episodes: BTreeMap<&str, Vec<Episode>> = BTreeMap::new();
    let mut no_header: Vec<&str> = Vec::new();
    for row in raw.rows(List::Episodes) {
        if row.child.is_empty() {
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
        if !has_header.contains_key(row.child.as_str())
            && !c
                .by_child
                .get(row.child.as_str())
                .is_some_and(|l| l.reasons.contains(&Reason::NoHeader))
        {
            no_header.push(row.child.as_str());
            c.error(Reason::NoHeader, List::Episodes, row, "CHILD", "This child has episodes but no row in the header list, so none of its episodes can be used. Add the child's header row (CHILD and DOB) to the extract.".into());
        }
        if let Some(e) = episode(c, row) {
            episodes.entry(row.child.as_str()).or_default().push(e);
        }
    }
    (episodes, no_header)
}

/// One episode row, its dates and codes checked.
fn episode(c: &mut Collector, row: &Row) -> Option<Episode> {
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
    if let Some(end) = dec.filter(|end| *end < decom) {
        c.error(
            Reason::EndsBeforeStart,
            List::Episodes,
            row,
            "DEC",
            format!(
                "The episode ends ({}) before it begins (DECOM {}). Correct one of the dates.",
                end.format("%d/%m/%Y"),
                decom.format("%d/%m/%Y")
            ),
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

fn check_overlaps<'a>(
    c: &mut Collector,
    raw: &'a RawExtract,
    episodes: &mut BTreeMap<&'a str, Vec<Episode>>,
) {
    // The rows again, to locate each overlap at the later episode's DECOM.
    let mut rows_of: HashMap<(&str, NaiveDate), &Row> = HashMap::new();
    for row in raw.rows(List::Episodes) {
        if let Some(d) = parse_date(row.value(0)) {
            rows_of.entry((row.child.as_str(), d)).or_insert(row);
        }
    }
    for (id, eps) in episodes.iter_mut() {
        eps.sort_by_key(|e| e.decom);
        for pair in eps.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let clash = match before.dec {
                None => Some("after an episode that never ended (DEC blank)".to_string()),
                Some(end) if after.decom < end => Some(format!(
                    "before the episode that began {} ended ({})",
                    before.decom.format("%d/%m/%Y"),
                    end.format("%d/%m/%Y")
                )),
                _ => None,
            };
            if let (Some(why), Some(row)) = (clash, rows_of.get(&(*id, after.decom))) {
                c.error(Reason::Overlap, List::Episodes, row, "DECOM", format!("This episode begins ({}) {why}: a child's episodes cannot overlap. Correct the dates so each episode begins on or after the day the one before it ended.", after.decom.format("%d/%m/%Y")));
            }
        }
    }
}

/// Reviews or placements for adoption: one date per row.
fn dated_rows<'a>(
    c: &mut Collector,
    raw: &'a RawExtract,
    list: List,
    column: &'static str,
    has_header: &HashMap<&str, bool>,
) -> HashMap<&'a str, Vec<NaiveDate>> {
    let mut out: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for row in raw.rows(list) {
        if row.value(0).trim().is_empty() {
            c.warn(
                "ssda903-row-unused",
                list,
                row,
                Some(column),
                format!("{column} is blank, so this row was not used."),
            );
            continue;
        }
        let Some(Some(d)) = c.date(list, row, column, row.value(0), false) else {
            continue;
        };
        if !has_header.contains_key(row.child.as_str()) {
            c.warn(
                "ssda903-row-unused",
                list,
                row,
                Some("CHILD"),
                "This child has no row in the header list, so this row was not used.".into(),
            );
            continue;
        }
        out.entry(row.child.as_str()).or_default().push(d);
    }
    for dates in out.values_mut() {
        dates.sort_unstable();
        dates.dedup();
    }
    out
}

fn oc2_rows(
    c: &mut Collector,
    raw: &RawExtract,
    has_header: &HashMap<&str, bool>,
) -> HashMap<String, Oc2> {
    let mut out = HashMap::new();
    for row in raw.rows(List::Oc2) {
        if !has_header.contains_key(row.child.as_str()) {
            c.warn(
                "ssda903-row-unused",
                List::Oc2,
                row,
                Some("CHILD"),
                "This child has no row in the header list, so this row was not used.".into(),
            );
            continue;
        }
        if out.contains_key(&row.child) {
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
            let v = row.value(i).trim();
            if !matches!(v, "" | "0" | "1") {
                c.warn("ssda903-oc2-value", List::Oc2, row, Some(column), format!("{column} is \"{v}\"; it should be 1 (done) or 0 (not done). It was counted as not done."));
            }
        }
        out.insert(
            row.child.clone(),
            Oc2 {
                health_check: row.value(0).trim().to_string(),
                teeth_check: row.value(1).trim().to_string(),
            },
        );
    }
    out
}

fn oc3_rows(c: &mut Collector, raw: &RawExtract) -> Vec<CareLeaver> {
    let mut out = Vec::new();
    for row in raw.rows(List::Oc3) {
        let dob = if row.value(0).trim().is_empty() {
            c.warn("ssda903-row-unused", List::Oc3, row, Some("DOB"), "This care leaver has no DOB, so their age cannot be told and the row was not used. Enter the date of birth.".into());
            None
        } else {
            match c.date(List::Oc3, row, "DOB", row.value(0), false) {
                Some(Some(d)) => Some(d),
                _ => continue,
            }
        };
        out.push(CareLeaver {
            id: row.child.clone(),
            dob,
            activ: row.value(1).trim().to_uppercase(),
            accom: row.value(2).trim().to_uppercase(),
        });
    }
    out
}
