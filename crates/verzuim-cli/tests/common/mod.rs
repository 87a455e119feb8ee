//! What the CLI's end-to-end tests share: the real binary with a clean environment, free
//! ports, and a running child process that is killed when the test ends.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `verzuim` binary under test, without the caller's `VERZUIM_*` settings (except the
/// test PostgreSQL URL), logging warnings only.
pub fn verzuim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_verzuim"));
    for (k, _) in std::env::vars() {
        if k.starts_with("VERZUIM_") && k != "VERZUIM_TEST_PG_URL" {
            c.env_remove(k);
        }
    }
    c.env("VERZUIM_LOG", "warn");
    c
}

/// Three free consecutive ports on 127.0.0.1 (school, loket, machine coupling).
pub fn free_ports() -> u16 {
    for _ in 0..200 {
        let base = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if base > 65000 {
            continue;
        }
        let held: Vec<_> = (0..3)
            .map_while(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if held.len() == 3 {
            return base;
        }
    }
    panic!("no three free consecutive ports");
}

/// Waits until `port` accepts connections.
pub fn wait_for_port(port: u16, within: Duration) {
    let deadline = Instant::now() + within;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} did not open");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process that is killed when dropped (a failing test leaves nothing running).
pub struct Running {
    child: Child,
    output: std::sync::mpsc::Receiver<String>,
}

impl Running {
    /// Starts `command` and waits until a line of its standard output contains `ready`.
    pub fn start(mut command: Command, ready: &str, within: Duration) -> (Self, Vec<String>) {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("verzuim starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut running = Self { child, output: rx };
        let lines = running.wait_for(ready, within);
        (running, lines)
    }

    /// The lines of standard output up to and including the first that contains `ready`.
    pub fn wait_for(&mut self, ready: &str, within: Duration) -> Vec<String> {
        self.wait_until(|line| line.contains(ready), ready, within)
    }

    /// The lines of standard output up to and including the first for which `done` holds;
    /// `what` names it in the failure.
    pub fn wait_until(
        &mut self,
        done: impl Fn(&str) -> bool,
        what: &str,
        within: Duration,
    ) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(line) => {
                    let stop = done(&line);
                    lines.push(line);
                    if stop {
                        return lines;
                    }
                }
                Err(_) => panic!(
                    "no '{what}' within {within:?}; output so far:\n{}",
                    lines.join("\n")
                ),
            }
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing the process can do about it.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
