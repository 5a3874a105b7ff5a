//! Measures `brief serve`'s edit → reload-event latency, with the full-build time beside it.
//!
//! `cargo run --release --example serve_latency -- --site DIR [--bin PATH] [--edits N]`
//!
//! Times `brief build` of the site into a temporary folder, then starts `brief serve` on a
//! free loopback port and makes N edits to one annotations file (the first in `content/`,
//! sorted by name): before each edit it connects to the live-reload event stream; it takes the
//! time just before writing the file and when the `reload` event arrives. Prints Markdown
//! table rows (used by scripts/bench-serve.sh for BENCHMARKS.md) and a summary on stderr.
//! Only 127.0.0.1 is spoken to; the server is killed at the end.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    site: PathBuf,
    bin: PathBuf,
    edits: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        site: PathBuf::new(),
        bin: PathBuf::from("target/release/brief"),
        edits: 50,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--site" => args.site = PathBuf::from(value()),
            "--bin" => args.bin = PathBuf::from(value()),
            "--edits" => args.edits = value().parse().expect("--edits N"),
            other => panic!("unknown argument {other}; see the comment at the top of this file"),
        }
    }
    assert!(
        args.site.join("brief.yaml").is_file(),
        "--site DIR must hold a brief.yaml"
    );
    args
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args = parse_args();

    // The full build, for comparison.
    let out = std::env::temp_dir().join(format!("brief-bench-serve-{}", std::process::id()));
    let started = Instant::now();
    let status = Command::new(&args.bin)
        .args(["build", "--root"])
        .arg(&args.site)
        .arg("--output")
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .expect("run brief build");
    let full_build = started.elapsed();
    assert!(status.success(), "brief build failed");
    let _ = fs::remove_dir_all(&out);

    // The server.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let mut child = Command::new(&args.bin)
        .args(["serve", "--root"])
        .arg(&args.site)
        .args(["--port", &port.to_string()])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start brief serve");
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let url = loop {
        if let Some(u) = log
            .lock()
            .unwrap()
            .iter()
            .find_map(|l| l.strip_prefix("serving "))
        {
            break u.split_whitespace().next().unwrap().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "brief serve did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let serve_start = started.elapsed();
    let rest = url.strip_prefix("http://").unwrap();
    let slash = rest.find('/').unwrap();
    let addr: SocketAddr = rest[..slash].parse().unwrap();
    let base = rest[slash..].to_string();

    let file = first_annotations(&args.site.join("content")).expect("an annotations file");
    let original = fs::read_to_string(&file).unwrap();
    let (find, _) = original
        .match_indices("note: ")
        .next()
        .expect("a note in the annotations file");
    let mut latencies = Vec::with_capacity(args.edits);
    let log_before = log.lock().unwrap().len();
    let mut stray = 0;
    for i in 0..args.edits {
        // Let the previous rebuild settle, then listen; a reload that arrives before the
        // write is not ours: count it and listen again.
        std::thread::sleep(Duration::from_millis(100));
        let mut events = Events::connect(addr);
        std::thread::sleep(Duration::from_millis(50));
        while events.wait_for("event: reload", Duration::from_millis(1)) {
            stray += 1;
            assert!(stray < 100, "the server keeps reloading by itself");
            events = Events::connect(addr);
            std::thread::sleep(Duration::from_millis(50));
        }
        let text = format!(
            "{}note: Edit {i} of the benchmark. {}",
            &original[..find],
            &original[find + "note: ".len()..]
        );
        let t0 = Instant::now();
        fs::write(&file, text).unwrap();
        assert!(
            events.wait_for("event: reload", Duration::from_secs(30)),
            "no reload event after edit {i}"
        );
        latencies.push(t0.elapsed());
        if std::env::var_os("BENCH_DEBUG").is_some() {
            eprintln!("edit {i}: {:?} {:?}", t0.elapsed(), events.seen);
        }
    }
    fs::write(&file, &original).unwrap();
    std::thread::sleep(Duration::from_millis(500));

    // The page follows the last edit (checked once, outside the timings).
    let slug = file.file_stem().unwrap().to_string_lossy().into_owned();
    let page = get(addr, &format!("{base}briefings/{slug}/"));
    assert!(
        page.starts_with("HTTP/1.1 200"),
        "the briefing page is not served"
    );

    // The server's own rebuild times ("... updated in N ms").
    let rebuilds: Vec<f64> = log.lock().unwrap()[log_before..]
        .iter()
        .filter_map(|l| l.split(" updated in ").nth(1))
        .filter_map(|r| r.split(" ms").next()?.parse().ok())
        .collect();
    drop(server);

    let briefings = fs::read_dir(args.site.join("content"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .flat_map(|d| fs::read_dir(d.path()).unwrap().filter_map(Result::ok))
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(latencies[((latencies.len() - 1) as f64 * p).round() as usize]);
    let mut rb = rebuilds.clone();
    rb.sort_by(f64::total_cmp);
    let rb_median = rb.get(rb.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "| {briefings} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {rb_median:.0} | {:.2} | {:.2} |",
        latencies.len(),
        pct(0.5),
        pct(0.9),
        ms(latencies[0]),
        ms(*latencies.last().unwrap()),
        full_build.as_secs_f64(),
        serve_start.as_secs_f64(),
    );
    if stray > 0 {
        eprintln!("{stray} reload events arrived without an edit (not counted)");
    }
    eprintln!(
        "{briefings} briefings, {} edits of {}: reload event median {:.1} ms, p90 {:.1} ms \
         (min {:.1}, max {:.1}); server-side rebuild median {rb_median:.0} ms; \
         full build {:.2} s; serve start {:.2} s",
        latencies.len(),
        file.display(),
        pct(0.5),
        pct(0.9),
        ms(latencies[0]),
        ms(*latencies.last().unwrap()),
        full_build.as_secs_f64(),
        serve_start.as_secs_f64(),
    );
}

/// The first `*.yaml` beside a `*.md` under `content/`, by name.
fn first_annotations(content: &Path) -> Option<PathBuf> {
    let mut dirs = vec![content.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in &entries {
            if p.extension().is_some_and(|x| x == "yaml") && p.with_extension("md").is_file() {
                return Some(p.clone());
            }
        }
        dirs.extend(entries.into_iter().filter(|p| p.is_dir()).rev());
    }
    None
}

fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn connect(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        write!(
            stream,
            "GET /_brief/livereload/event-stream HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .unwrap();
        let mut ev = Events {
            stream,
            seen: String::new(),
        };
        assert!(ev.wait_for("event: init", Duration::from_secs(10)));
        ev.seen.clear();
        ev
    }

    fn wait_for(&mut self, what: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while !self.seen.contains(what) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut buf) {
                Ok(0) => return self.seen.contains(what),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => return self.seen.contains(what),
            }
        }
        true
    }
}
