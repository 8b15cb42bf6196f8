//! The public fake censuses kept in `tests/data/cin/` (their sources and
//! licences are in its README), which nobody here wrote: each is read
//! without a panic, every problem about a child is located by file, line
//! and element, and figures are made from the children who pass.

use std::path::PathBuf;

use super::cases::holidays;
use super::*;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/cin")
}

/// Every census there, loaded for 2022-23 Q1 (the fake data's own year)
/// with no share of children left out refusing it.
fn loaded() -> Vec<(String, Extract)> {
    let mut names: Vec<String> = std::fs::read_dir(data())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    let period = Period::parse("2022-23-Q1").ok();
    let rules = Rules {
        left_out_limit: 1.0,
    };
    names
        .into_iter()
        .map(|n| {
            let e = load(&data().join(&n), &n, period, &holidays(), rules);
            (n, e)
        })
        .collect()
}

#[test]
fn public_fake_censuses_are_read_located_and_worked_out() {
    let all = loaded();
    assert_eq!(all.len(), 5);
    for (name, e) in &all {
        assert!(
            !e.problems
                .iter()
                .any(|p| p.message.contains("could not make sense")),
            "{name}: {:?}",
            e.problems
        );
        assert_ne!(e.status, Status::NotACensus, "{name}");
        assert!(e.children() > 0, "{name}");
        let about_children = e
            .checked
            .left_out
            .iter()
            .flat_map(|l| &l.problems)
            .chain(&e.checked.warnings);
        for p in about_children {
            assert_eq!(p.file_name(), name.as_str());
            assert!(p.line().is_some_and(|l| l > 0), "{name}: {p}");
            assert!(
                p.element().is_some_and(|el| el.starts_with("Child ")),
                "{name}: {p}"
            );
            assert!(p.column().is_some(), "{name}: {p}");
        }
        if e.checked.children.is_empty() {
            assert!(matches!(e.status, Status::Refused { .. }), "{name}");
            continue;
        }
        assert_eq!(e.status, Status::Used, "{name}");
        assert_eq!(e.figures.len(), 7, "{name}");
        // Only children who passed are behind a figure.
        for f in &e.figures {
            for m in &f.members {
                assert!(
                    e.checked.children.iter().any(|c| c.id == m.child),
                    "{name} {}",
                    f.reference
                );
            }
        }
    }
    let get = |n: &str| &all.iter().find(|(name, _)| name == n).unwrap().1;
    // Two plans with the same dates overlap: the only child is left out.
    let two = get("CIN2rows.xml");
    assert_eq!(two.checked.left_out[0].reasons, [model::Reason::Overlap]);
    // An assessment authorised years before it started.
    let later = get("CIN_Census_2026.xml");
    assert_eq!(later.checked.left_out.len(), 1);
    assert_eq!(
        later.checked.left_out[0].reasons,
        [model::Reason::EndsBeforeStart]
    );
    assert_eq!(later.checked.children.len(), 1);
    // 332 children with referrals only: every one passes; its header's
    // ReferenceDate (21/07/2022) fits neither 30/06/2022 nor 31/03/2023.
    let fake = get("fake_CIN_data.xml");
    assert_eq!((fake.children(), fake.checked.left_out.len()), (332, 0));
    assert!(fake.problems.iter().any(|p| p.rule == "cin-reference-date"));
    let ts23 = fake.figure("TS23").unwrap();
    assert_eq!((ts23.numerator, ts23.denominator), (4.0, Some(28.0)));
    // Text between elements and items later collections added are read past.
    for n in ["CIN_Census_2021.xml", "cin-2022.xml"] {
        assert!(get(n).checked.left_out.is_empty(), "{n}");
    }
}
