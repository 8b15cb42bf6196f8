//! Invented SSDA903 extracts for the sample quarters, and for the
//! benchmark. **Every child here is made up.**
//!
//! One borough's care histories are simulated from a fixed seed, so the
//! output is the same on every run; each sample quarter's extract is that
//! history as a case-management system would export it at the quarter's
//! end (episodes still open have no DEC, nothing after the day is shown).
//! 2013-14 Q4 and 2014-15 Q2 are written as CSV lists, 2014-15 Q1 as one
//! XML file. The latest extract carries three records with the mistakes
//! real extracts have (an impossible date, overlapping episodes, an
//! unknown code), so the sample run shows children being left out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Days, Months, NaiveDate};

use crate::output::write_atomic;
use crate::period::Period;

pub use crate::dice::Dice;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn plus_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

/// One simulated episode.
#[derive(Debug, Clone)]
pub struct SimEpisode {
    pub decom: NaiveDate,
    pub dec: Option<NaiveDate>,
    pub rne: &'static str,
    pub ls: &'static str,
    pub place: &'static str,
    pub rec: &'static str,
}

/// One simulated child, over its whole history.
#[derive(Debug, Clone)]
pub struct SimChild {
    pub id: String,
    pub sex: u8,
    pub dob: NaiveDate,
    pub episodes: Vec<SimEpisode>,
    pub reviews: Vec<NaiveDate>,
    pub placed: Vec<NaiveDate>,
    /// Health and dental checks, when looked after long enough.
    pub health: bool,
    pub teeth: bool,
    pub has_oc2: bool,
    /// A care leaver's activity and accommodation.
    pub leaver: Option<(&'static str, &'static str)>,
}

const FOSTERING: [&str; 6] = ["U1", "U2", "U3", "U4", "U5", "U6"];
const OTHER_PLACES: [&str; 5] = ["R1", "K2", "P1", "H5", "S1"];
const STATUS: [&str; 5] = ["C2", "C2", "C2", "J2", "V2"];
const ENDINGS: [&str; 6] = ["E13", "E13", "E4A", "E8", "E41", "E15"];

fn place(d: &mut Dice) -> &'static str {
    if d.chance(0.8) {
        d.pick(&FOSTERING)
    } else {
        d.pick(&OTHER_PLACES)
    }
}

/// Simulates `n` children, the borough's care histories up to `until`.
pub fn simulate(n: usize, seed: u64, until: NaiveDate) -> Vec<SimChild> {
    let mut d = Dice::new(seed);
    let span = (until - day(2003, 4, 1)).num_days().max(1) as u64;
    (0..n)
        .map(|i| {
            // Five digits for a borough (the sample's ids, kept as they
            // were); a country's worth needs seven to stay distinct.
            let id = if n <= 90_000 {
                format!("CH{:05}", 10_000 + i * 7 % 90_000)
            } else {
                format!("CH{:07}", 1_000_000 + i)
            };
            let entry = plus_days(day(2003, 4, 1), d.below(span));
            if i % 9 == 8 {
                leaver(&mut d, id, until)
            } else {
                in_care(&mut d, id, entry, until)
            }
        })
        .collect()
}

/// A young person who left care at 18, now 18 to 22.
fn leaver(d: &mut Dice, id: String, until: NaiveDate) -> SimChild {
    let dob = plus_days(
        until
            .checked_sub_months(Months::new(12 * 22))
            .unwrap_or(until),
        d.below(365 * 4),
    );
    let activ = if d.chance(0.5) {
        d.pick(&["F1", "P1", "F2", "P2", "F4", "F5"])
    } else {
        d.pick(&["G4", "G5", "G6", "0"])
    };
    let accom = if d.chance(0.9) {
        d.pick(&["B1", "C1", "D1", "S1", "T1"])
    } else {
        d.pick(&["B2", "G2", "0"])
    };
    SimChild {
        id,
        sex: 1 + d.below(2) as u8,
        dob,
        episodes: Vec::new(),
        reviews: Vec::new(),
        placed: Vec::new(),
        health: false,
        teeth: false,
        has_oc2: false,
        leaver: Some((activ, accom)),
    }
}

fn in_care(d: &mut Dice, id: String, entry: NaiveDate, until: NaiveDate) -> SimChild {
    let age_at_entry =
        [0, 0, 1, 2, 3, 5, 7, 9, 11, 12, 13, 14, 14, 15, 15, 16][d.below(16) as usize];
    let dob = plus_days(
        entry
            .checked_sub_months(Months::new(12 * age_at_entry + 11))
            .unwrap_or(entry),
        d.below(330),
    );
    let short_break = d.chance(0.05);
    let adopted = age_at_entry < 5 && d.chance(0.35);
    let months = if d.chance(0.35) {
        1 + d.below(6)
    } else if d.chance(0.5) {
        6 + d.below(30)
    } else {
        30 + d.below(96)
    };
    let planned_end = plus_months(entry, months as u32);
    let unsettled = d.chance(0.12);
    let mut child = SimChild {
        id,
        sex: 1 + d.below(2) as u8,
        dob,
        episodes: Vec::new(),
        reviews: Vec::new(),
        placed: Vec::new(),
        health: d.chance(0.9),
        teeth: d.chance(0.84),
        has_oc2: d.chance(0.97),
        leaver: None,
    };
    let ls = if short_break { "V3" } else { d.pick(&STATUS) };
    let mut eps = vec![SimEpisode {
        decom: entry,
        dec: None,
        rne: "S",
        ls,
        place: place(d),
        rec: "",
    }];
    if !short_break {
        let rate_days = if unsettled { 90 } else { 1_600 };
        moves(d, &mut eps, rate_days, planned_end, until);
        if adopted {
            adopt(d, entry, &mut eps, &mut child.placed);
        }
    }
    close(d, &mut eps, planned_end);
    let end = eps.last().and_then(|e| e.dec).unwrap_or(until);
    child.reviews = reviews(d, entry, end);
    child.episodes = eps;
    child
}

/// Changes of placement (and now and then of legal status only) at
/// random intervals until the planned end.
fn moves(
    d: &mut Dice,
    eps: &mut Vec<SimEpisode>,
    rate_days: u64,
    planned_end: NaiveDate,
    until: NaiveDate,
) {
    let ls = eps[0].ls;
    let mut now = eps[0].decom;
    loop {
        now = plus_days(now, 30 + d.below(rate_days * 2));
        if now >= planned_end || now > until {
            break;
        }
        let last = &eps[eps.len() - 1];
        let (rne, ls, pl) = if d.chance(0.15) {
            ("L", if ls == "C2" { "C1" } else { "C2" }, last.place)
        } else {
            (d.pick(&["P", "P", "P", "B", "T"]), last.ls, place(d))
        };
        eps.push(SimEpisode {
            decom: now,
            dec: None,
            rne,
            ls,
            place: pl,
            rec: "",
        });
    }
}

/// Placement with adopters some months after entering care, mostly with
/// a placed-for-adoption date, then the adoption order.
fn adopt(d: &mut Dice, entry: NaiveDate, eps: &mut Vec<SimEpisode>, dates: &mut Vec<NaiveDate>) {
    let placed = plus_days(entry, 240 + d.below(420));
    eps.retain(|e| e.decom < placed);
    eps.push(SimEpisode {
        decom: placed,
        dec: None,
        rne: "P",
        ls: "E1",
        place: d.pick(&["A4", "A5"]),
        rec: "",
    });
    if d.chance(0.8) {
        dates.push(placed);
    }
    let order = plus_days(placed, 120 + d.below(240));
    if let Some(last) = eps.last_mut() {
        last.dec = Some(order);
        last.rec = d.pick(&["E11", "E12"]);
    }
}

/// Each episode ends the day the next begins; the last at the planned end.
fn close(d: &mut Dice, eps: &mut [SimEpisode], planned_end: NaiveDate) {
    for i in 1..eps.len() {
        let start = eps[i].decom;
        eps[i - 1].dec = Some(start);
        eps[i - 1].rec = "X1";
    }
    if let Some(last) = eps.last_mut() {
        if last.dec.is_none() {
            last.dec = Some(planned_end.max(plus_days(last.decom, 1)));
            last.rec = d.pick(&ENDINGS);
        }
    }
}

fn reviews(d: &mut Dice, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let late = |d: &mut Dice| if d.chance(0.05) { 1 + d.below(30) } else { 0 };
    // About 20 working days: 26 calendar days, give or take.
    let mut next = plus_days(start, 18 + d.below(9) + late(d));
    let mut n = 0;
    while next <= end {
        out.push(next);
        n += 1;
        let gap = if n == 1 { 3 } else { 6 };
        let due = plus_months(next, gap);
        next = plus_days(
            due.checked_sub_days(Days::new(5 + d.below(25)))
                .unwrap_or(due),
            late(d),
        );
    }
    out
}

/// The history as exported on `end`: what was recorded by then.
pub fn snapshot(children: &[SimChild], end: NaiveDate) -> Vec<SimChild> {
    children
        .iter()
        .filter_map(|c| {
            if c.leaver.is_some() {
                let age = crate::ssda903::indicators::age_on(c.dob, end);
                return (18..=22).contains(&age).then(|| c.clone());
            }
            let mut c = c.clone();
            c.episodes.retain(|e| e.decom <= end);
            if c.episodes.is_empty() {
                return None;
            }
            for e in &mut c.episodes {
                if e.dec.is_some_and(|x| x > end) {
                    e.dec = None;
                    e.rec = "";
                }
            }
            c.reviews.retain(|r| *r <= end);
            c.placed.retain(|p| *p <= end);
            Some(c)
        })
        .collect()
}

fn show(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Whether the child should have an oc2 row on `end`: looked after then,
/// for 12 months or more.
fn in_oc2(c: &SimChild, end: NaiveDate) -> bool {
    let year_ago = end.checked_sub_months(Months::new(12)).unwrap_or(end);
    c.has_oc2
        && c.episodes.first().is_some_and(|e| e.decom <= year_ago)
        && c.episodes
            .last()
            .is_some_and(|e| e.dec.is_none() && e.ls != "V3")
}

/// The six CSV lists, as `(file name, text)`.
pub fn csv_lists(children: &[SimChild], end: NaiveDate) -> Vec<(&'static str, String)> {
    let mut header = String::from("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n");
    let mut episodes = String::from("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n");
    let mut reviews = String::from("CHILD,DOB,REVIEW,REVIEW_CODE\n");
    let mut oc2 = String::from("CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n");
    let mut oc3 = String::from("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n");
    let mut placed =
        String::from("CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n");
    for c in children {
        let dob = show(c.dob);
        let _ = writeln!(header, "{},{},{dob},WBRI,,,", c.id, c.sex);
        for e in &c.episodes {
            let dec = e.dec.map(show).unwrap_or_default();
            let _ = writeln!(
                episodes,
                "{},{},{},{},N1,{},PR1,{dec},{},,,,",
                c.id,
                show(e.decom),
                e.rne,
                e.ls,
                e.place,
                e.rec
            );
        }
        for r in &c.reviews {
            let _ = writeln!(reviews, "{},{dob},{},PN1", c.id, show(*r));
        }
        if in_oc2(c, end) {
            let _ = writeln!(
                oc2,
                "{},{dob},,SDQ1,0,{},1,{},1,0,,",
                c.id,
                u8::from(c.health),
                u8::from(c.teeth)
            );
        }
        if let Some((activ, accom)) = c.leaver {
            let _ = writeln!(oc3, "{},{dob},YES,{activ},{accom}", c.id);
        }
        for p in &c.placed {
            let _ = writeln!(placed, "{},{dob},{},,", c.id, show(*p));
        }
    }
    vec![
        ("header.csv", header),
        ("episodes.csv", episodes),
        ("reviews.csv", reviews),
        ("oc2.csv", oc2),
        ("oc3.csv", oc3),
        ("placed_for_adoption.csv", placed),
    ]
}

/// The extract as one XML file in the Department's layout.
pub fn xml(children: &[SimChild], end: NaiveDate) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<EXPSSDA903>\n");
    for c in children {
        let _ = write!(
            s,
            "<CHILD><HEADER><CHILDID>{}</CHILDID><SEX>{}</SEX><DOB>{}</DOB><ETHNIC>WBRI</ETHNIC>",
            c.id,
            c.sex,
            show(c.dob)
        );
        if let Some((activ, accom)) = c.leaver {
            let _ = write!(
                s,
                "<IN_TOUCH>YES</IN_TOUCH><ACTIV>{activ}</ACTIV><ACCOM>{accom}</ACCOM>"
            );
        }
        for r in &c.reviews {
            let _ = write!(
                s,
                "<AREVIEW><REVIEW>{}</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>",
                show(*r)
            );
        }
        if in_oc2(c, end) {
            let _ = write!(
                s,
                "<OC2><HEALTH_CHECK>{}</HEALTH_CHECK><TEETH_CHECK>{}</TEETH_CHECK></OC2>",
                u8::from(c.health),
                u8::from(c.teeth)
            );
        }
        for p in &c.placed {
            let _ = write!(
                s,
                "<AD_PLACED><DATE_PLACED>{}</DATE_PLACED></AD_PLACED>",
                show(*p)
            );
        }
        s.push_str("</HEADER>");
        for e in &c.episodes {
            let dec = e
                .dec
                .map(|x| format!("<DEC>{}</DEC>", show(x)))
                .unwrap_or_else(|| "<DEC />".into());
            let rec = if e.rec.is_empty() {
                "<REC />".to_string()
            } else {
                format!("<REC>{}</REC>", e.rec)
            };
            let _ = write!(
                s,
                "<EPISODE><DECOM>{}</DECOM><RNE>{}</RNE><LS>{}</LS><PL>{}</PL>{dec}{rec}</EPISODE>",
                show(e.decom),
                e.rne,
                e.ls,
                e.place
            );
        }
        s.push_str("</CHILD>\n");
    }
    s.push_str("</EXPSSDA903>\n");
    s
}

/// Children in the sample borough's history.
pub const SAMPLE_CHILDREN: usize = 1_300;
const SEED: u64 = 903;

/// The mistakes the latest sample extract carries: episodes rows added to
/// the CSV after the real ones.
const MISTAKES: &str = "\
CH99901,31/09/2014,S,C2,N1,U1,PR1,,,,,,\n\
CH99902,01/03/2014,S,C2,N1,U1,PR1,01/06/2014,X1,,,,\n\
CH99902,01/05/2014,P,C2,N1,U2,PR1,,,,,,\n\
CH99903,01/02/2014,S,C2,N1,Q9,PR1,,,,,,\n";

/// Writes the sample extracts under `dir` (the inputs folder).
pub fn write_sample_extracts(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let last = Period::new(2014, 2)?;
    let history = simulate(SAMPLE_CHILDREN, SEED, last.last_day());
    let mut written = Vec::new();
    for (period, as_xml) in [
        (Period::new(2013, 4)?, false),
        (Period::new(2014, 1)?, true),
        (last, false),
    ] {
        let end = period.last_day();
        let children = snapshot(&history, end);
        if as_xml {
            let path = dir
                .join(period.id())
                .join(format!("ssda903 {}.xml", period.id()));
            write_atomic(&path, xml(&children, end).as_bytes())?;
            written.push(path);
            continue;
        }
        for (name, mut text) in csv_lists(&children, end) {
            if period == last && name == "episodes.csv" {
                text.push_str(MISTAKES);
            }
            if period == last && name == "header.csv" {
                text.push_str("CH99901,1,01/05/2006,WBRI,,,\nCH99902,2,12/11/2009,WBRI,,,\nCH99903,1,23/01/2004,WBRI,,,\n");
            }
            let path = dir.join(period.id()).join("ssda903").join(name);
            write_atomic(&path, text.as_bytes())?;
            written.push(path);
        }
    }
    Ok(written)
}
