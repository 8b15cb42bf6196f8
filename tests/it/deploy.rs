//! The files in deploy/: the systemd units and the crontab line. Checked by
//! `systemd-analyze verify` where it exists (always under CI), and in every
//! case by reading their keys: each command line is one `scorecard`
//! accepts, and the timer and the crontab run on the same days.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use clap::Parser;
use scorecard::cli::{Cli, Command};

/// An INI-style unit file: section → key → values (keys may repeat).
fn unit(path: &Path) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sections: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut current = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.to_string());
            sections.entry(name.to_string()).or_default();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}:{}: not key=value: {line}", path.display(), n + 1));
        let section = current
            .clone()
            .unwrap_or_else(|| panic!("{}:{}: a key before any [section]", path.display(), n + 1));
        sections
            .entry(section)
            .or_default()
            .entry(key.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    sections
}

fn one<'a>(
    u: &'a BTreeMap<String, BTreeMap<String, Vec<String>>>,
    section: &str,
    key: &str,
) -> &'a str {
    let values = u
        .get(section)
        .and_then(|s| s.get(key))
        .unwrap_or_else(|| panic!("no {key} in [{section}]"));
    assert_eq!(values.len(), 1, "{key} is given more than once");
    &values[0]
}

/// The arguments of a `scorecard …` command line, parsed as the binary would.
fn parses(command: &str) -> Command {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert!(words[0].ends_with("/scorecard"), "{command}");
    Cli::try_parse_from(std::iter::once("scorecard").chain(words[1..].iter().copied()))
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .command
}

#[test]
fn units_say_what_they_must() {
    let deploy = root().join("deploy");
    let run = unit(&deploy.join("scorecard-run.service"));
    assert_eq!(one(&run, "Service", "Type"), "oneshot");
    assert_eq!(one(&run, "Service", "SuccessExitStatus"), "3");
    assert!(matches!(
        parses(one(&run, "Service", "ExecStart")),
        Command::Run(_)
    ));
    assert!(!one(&run, "Service", "WorkingDirectory").is_empty());

    let timer = unit(&deploy.join("scorecard-run.timer"));
    assert_eq!(one(&timer, "Timer", "Unit"), "scorecard-run.service");
    assert_eq!(one(&timer, "Timer", "Persistent"), "true");
    assert_eq!(one(&timer, "Install", "WantedBy"), "timers.target");
    let calendar = one(&timer, "Timer", "OnCalendar");
    // *-MONTHS-DAY HH:MM:SS
    let (date, time) = calendar.split_once(' ').expect("date and time");
    let parts: Vec<&str> = date.split('-').collect();
    assert_eq!(parts.len(), 3, "{calendar}");
    assert_eq!(parts[0], "*");
    assert_eq!(parts[1], "01,04,07,10", "the month after each quarter ends");
    let day: u32 = parts[2].parse().expect("one day of the month");
    assert!((1..=28).contains(&day));
    let (hour, minute) = (&time[0..2], &time[3..5]);

    let watch = unit(&deploy.join("scorecard-watch.service"));
    assert_eq!(one(&watch, "Service", "Type"), "simple");
    assert_eq!(one(&watch, "Service", "KillSignal"), "SIGTERM");
    assert!(matches!(
        parses(one(&watch, "Service", "ExecStart")),
        Command::Watch(_)
    ));

    // The crontab line runs the same command on the same days at the same time.
    let cron = std::fs::read_to_string(deploy.join("crontab")).unwrap();
    let lines: Vec<&str> = cron
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 1, "one crontab line: {lines:?}");
    let fields: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(fields[0].parse::<u32>().ok(), minute.parse::<u32>().ok());
    assert_eq!(fields[1].parse::<u32>().ok(), hour.parse::<u32>().ok());
    assert_eq!(fields[2].parse::<u32>().ok(), Some(day));
    assert_eq!(fields[3], "1,4,7,10");
    assert_eq!(fields[4], "*");
    let command = fields[5..].join(" ");
    let run_line = command
        .split("&&")
        .nth(1)
        .and_then(|c| c.split(">>").next())
        .expect("cd DIR && scorecard run … >> LOG");
    assert!(matches!(parses(run_line.trim()), Command::Run(_)));
    assert_eq!(
        run_line.trim(),
        one(&run, "Service", "ExecStart"),
        "cron and systemd run the same command"
    );
}

#[test]
fn systemd_analyze_verifies_the_units() {
    let analyze = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output();
    if !analyze.is_ok_and(|o| o.status.success()) {
        if std::env::var_os("CI").is_some() {
            panic!("CI must verify the units, but systemd-analyze is missing (apt-get install systemd)");
        }
        eprintln!(
            "SKIPPED systemd_analyze_verifies_the_units: systemd-analyze is missing (apt-get install systemd); the units' keys are still checked by units_say_what_they_must"
        );
        return;
    }
    // verify checks that ExecStart's program exists: point it at the one
    // just built, in a copy.
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "scorecard-run.service",
        "scorecard-run.timer",
        "scorecard-watch.service",
    ];
    for name in names {
        let text = std::fs::read_to_string(root().join("deploy").join(name)).unwrap();
        std::fs::write(
            dir.path().join(name),
            text.replace("/usr/local/bin/scorecard", env!("CARGO_BIN_EXE_scorecard")),
        )
        .unwrap();
    }
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(names.iter().map(|n| dir.path().join(n)))
        .output()
        .unwrap();
    let said = format!("{}{}", stdout(&out), stderr(&out));
    let ours: Vec<&str> = said.lines().filter(|l| l.contains("scorecard")).collect();
    assert!(
        out.status.success() && ours.is_empty(),
        "systemd-analyze verify:\n{said}"
    );

    let timer = std::fs::read_to_string(dir.path().join("scorecard-run.timer")).unwrap();
    let calendar = timer
        .lines()
        .find_map(|l| l.strip_prefix("OnCalendar="))
        .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["calendar", "--iterations", "4", calendar])
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let months: Vec<&str> = ["-01-", "-04-", "-07-", "-10-"]
        .into_iter()
        .filter(|m| text.contains(m))
        .collect();
    assert_eq!(
        months.len(),
        4,
        "one run in each quarter's following month:\n{text}"
    );
}
