//! No module of the core imports a module that imports it back.
//!
//! Reads every `crates/mtasts/src/**/*.rs`, builds the graph of modules (files and inline `mod
//! name { … }` blocks) with an edge for each path that names another module of the crate
//! (`use crate::…`, `super::…`, `self::…`, a child module by name, in `use` trees and in code),
//! and fails on every cycle, naming its modules.
//!
//! Two links are not imports: a `mod` declaration, and a path from a module up to one of its own
//! ancestors (`super::Mode` in `mta_sts::policy::validate`, `crate::Severity`): a module and its
//! submodules are one unit behind one public face, and the children name the parent's types.
//! What is counted is every other link, between siblings and across subtrees: `check::report`
//! and `check::smtp`, `cert` and `dane::matching`.

#![allow(clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path below the crate root, e.g. `["check", "report"]`.
type ModPath = Vec<String>;

/// Each module and the modules it imports.
type Edges = BTreeMap<ModPath, BTreeSet<ModPath>>;

/// For each import, one path that makes it.
type Why = BTreeMap<(ModPath, ModPath), String>;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The tokens of Rust source that matter here: identifiers, `::` and punctuation, with comments,
/// string, byte-string, raw-string and char literals and lifetimes removed.
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = at(i);
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (at(i + 1) == '#' || at(i + 1) == '"') && raw_string_start(&chars, i)
            || c == 'b' && at(i + 1) == 'r' && raw_string_start(&chars, i + 1)
        {
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = (start..).take_while(|&j| at(j) == '#').count();
            i = start + hashes + 1;
            loop {
                if i >= chars.len() {
                    break;
                }
                if at(i) == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += hashes + 1;
                    break;
                }
                i += 1;
            }
        } else if c == '"' || (c == 'b' && at(i + 1) == '"') {
            i += if c == 'b' { 2 } else { 1 };
            while i < chars.len() && at(i) != '"' {
                if at(i) == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == '\'') {
            let start = if c == 'b' { i + 1 } else { i };
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if at(start + 1) == '\\' {
                i = start + 3;
                while i < chars.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(start + 2) == '\'' {
                i = start + 3;
            } else {
                i = start + 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
            out.push(Token::Ident(word.trim_start_matches("r#").to_string()));
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric()
                || at(i) == '_'
                || at(i) == '.' && at(i + 1).is_ascii_digit()
            {
                i += 1;
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::PathSep);
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

fn raw_string_start(chars: &[char], r: usize) -> bool {
    let mut j = r + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// The module path of a source file below `src`.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: ModPath = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One file's module, the inline modules it opens, and the module paths it names.
struct Scan {
    /// Every module the file defines (itself and its inline `mod x { … }` blocks).
    modules: Vec<ModPath>,
    /// Each path named, as (the module it is named in, its segments).
    paths: Vec<(ModPath, Vec<String>)>,
    /// `mod x;` declarations, as (parent, child).
    declared: Vec<(ModPath, String)>,
}

fn scan(module: &ModPath, source: &str) -> Scan {
    let toks = tokens(source);
    let mut scan = Scan {
        modules: vec![module.clone()],
        paths: Vec::new(),
        declared: Vec::new(),
    };
    // The inline modules open at this point, with the brace depth their body ends at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let current = |inline: &[(String, usize)]| {
        let mut path = module.clone();
        path.extend(inline.iter().map(|(name, _)| name.clone()));
        path
    };
    let mut i = 0;
    while let Some(token) = toks.get(i) {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(next)) = (toks.get(i + 1), toks.get(i + 2)) {
                    if *next == Token::Punct('{') {
                        inline.push((name.clone(), depth + 1));
                        scan.modules.push(current(&inline));
                    } else if *next == Token::Punct(';') {
                        scan.declared.push((current(&inline), name.clone()));
                    }
                    i += 2;
                    continue;
                }
            }
            Token::Ident(word) if word == "use" => {
                let here = current(&inline);
                let mut j = i + 1;
                for path in use_tree(&toks, &mut j, Vec::new()) {
                    scan.paths.push((here.clone(), path));
                }
                i = j;
                continue;
            }
            Token::Ident(first) if toks.get(i + 1) == Some(&Token::PathSep) => {
                let preceded_by_sep = i > 0 && toks.get(i - 1) == Some(&Token::PathSep);
                if !preceded_by_sep {
                    let mut path = vec![first.clone()];
                    let mut j = i + 1;
                    while toks.get(j) == Some(&Token::PathSep) {
                        match toks.get(j + 1) {
                            Some(Token::Ident(next)) => path.push(next.clone()),
                            _ => break,
                        }
                        j += 2;
                    }
                    scan.paths.push((current(&inline), path));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    scan
}

/// The paths of a `use` tree starting at `toks[*at]`, up to its `;` (or the `,`/`}` that ends a
/// nested tree), each prefixed with `prefix`.
fn use_tree(toks: &[Token], at: &mut usize, prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut path = prefix;
    let mut out = Vec::new();
    while let Some(token) = toks.get(*at) {
        match token {
            Token::Ident(word) if word == "as" => {
                *at += 2;
            }
            Token::Ident(word) => {
                path.push(word.clone());
                *at += 1;
            }
            Token::PathSep | Token::Punct('*') => *at += 1,
            Token::Punct('{') => {
                *at += 1;
                loop {
                    out.extend(use_tree(toks, at, path.clone()));
                    match toks.get(*at) {
                        Some(Token::Punct(',')) => *at += 1,
                        Some(Token::Punct('}')) => {
                            *at += 1;
                            break;
                        }
                        _ => break,
                    }
                    if toks.get(*at) == Some(&Token::Punct('}')) {
                        *at += 1;
                        break;
                    }
                }
                return out;
            }
            Token::Punct(';') => {
                *at += 1;
                out.push(path);
                return out;
            }
            Token::Punct(',' | '}') => {
                out.push(path);
                return out;
            }
            Token::Punct(_) => *at += 1,
        }
    }
    out.push(path);
    out
}

/// The module a path names, resolved from `from`: the longest prefix that is a module of the
/// crate; `None` for paths outside it (other crates, local items, generics).
fn resolve(
    from: &ModPath,
    path: &[String],
    modules: &BTreeSet<ModPath>,
    children: &BTreeMap<ModPath, BTreeSet<String>>,
) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = path.get(1..).unwrap_or_default();
        }
        Some("self") => {
            base = from.clone();
            rest = path.get(1..).unwrap_or_default();
        }
        Some("super") => {
            base = from.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = rest.get(1..).unwrap_or_default();
            }
        }
        Some(first) if children.get(from).is_some_and(|c| c.contains(first)) => {
            base = from.clone();
        }
        _ => return None,
    }
    let mut target = base.clone();
    for segment in rest {
        let mut next = target.clone();
        next.push(segment.clone());
        if !modules.contains(&next) {
            break;
        }
        target = next;
    }
    Some(target)
}

fn name(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        format!("crate::{}", module.join("::"))
    }
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<ModPath, usize>,
        low: BTreeMap<ModPath, usize>,
        stack: Vec<ModPath>,
        on_stack: BTreeSet<ModPath>,
        next: usize,
        found: Vec<Vec<ModPath>>,
    }
    fn visit(state: &mut State<'_>, v: &ModPath) {
        state.index.insert(v.clone(), state.next);
        state.low.insert(v.clone(), state.next);
        state.next += 1;
        state.stack.push(v.clone());
        state.on_stack.insert(v.clone());
        for w in state.edges.get(v).into_iter().flatten() {
            if !state.index.contains_key(w) {
                visit(state, w);
                let low = state.low[v].min(state.low[w]);
                state.low.insert(v.clone(), low);
            } else if state.on_stack.contains(w) {
                let low = state.low[v].min(state.index[w]);
                state.low.insert(v.clone(), low);
            }
        }
        if state.low[v] == state.index[v] {
            let mut component = Vec::new();
            while let Some(w) = state.stack.pop() {
                state.on_stack.remove(&w);
                let done = w == *v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

/// The import graph of the crate under `src`, with for each edge one path that made it.
fn import_graph(src: &Path) -> (Edges, Why) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let scans: Vec<Scan> = files
        .iter()
        .map(|file| {
            let source =
                std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            scan(&module_of(src, file), &source)
        })
        .collect();
    let mut modules = BTreeSet::new();
    let mut children: BTreeMap<ModPath, BTreeSet<String>> = BTreeMap::new();
    for scan in &scans {
        for module in &scan.modules {
            modules.insert(module.clone());
            if let Some((last, parent)) = module.split_last() {
                children
                    .entry(parent.to_vec())
                    .or_default()
                    .insert(last.clone());
            }
        }
        for (parent, child) in &scan.declared {
            children
                .entry(parent.clone())
                .or_default()
                .insert(child.clone());
        }
    }
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    let mut why = BTreeMap::new();
    for scan in &scans {
        for (from, path) in &scan.paths {
            let Some(to) = resolve(from, path, &modules, &children) else {
                continue;
            };
            if !from.starts_with(&to) {
                edges.entry(from.clone()).or_default().insert(to.clone());
                why.entry((from.clone(), to))
                    .or_insert_with(|| path.join("::"));
            }
        }
    }
    (edges, why)
}

#[test]
fn the_core_has_no_import_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (edges, why) = import_graph(&src);
    assert!(
        edges.len() > 10,
        "the graph looks empty: {} modules import others",
        edges.len()
    );
    let found = cycles(&edges);
    let report: Vec<String> = found
        .iter()
        .map(|component| {
            let members: BTreeSet<&ModPath> = component.iter().collect();
            let imports: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    edges
                        .get(from)
                        .into_iter()
                        .flatten()
                        .filter(|to| members.contains(to))
                        .map(|to| {
                            let path = why
                                .get(&(from.clone(), to.clone()))
                                .map_or("", String::as_str);
                            format!("    {} -> {} (`{path}`)", name(from), name(to))
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            let names: Vec<String> = component.iter().map(name).collect();
            format!("cycle {}:\n{}", names.join(" <-> "), imports.join("\n"))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn the_graph_sees_cycles() {
    let module = |parts: &[&str]| -> ModPath { parts.iter().map(|s| s.to_string()).collect() };
    let a = module(&["a"]);
    let b = module(&["a", "b"]);
    let c = module(&["c"]);
    let modules: BTreeSet<ModPath> = [a.clone(), b.clone(), c.clone()].into();
    let mut children: BTreeMap<ModPath, BTreeSet<String>> = BTreeMap::new();
    children
        .entry(Vec::new())
        .or_default()
        .extend(["a".into(), "c".into()]);
    children.entry(a.clone()).or_default().insert("b".into());
    let sources = [
        (
            &a,
            r#"pub mod b;
               pub use b::{Thing, other::Deep as D};
               /* crate::c::X */ // crate::c
               fn f() { let s = "crate::c"; let q = '\''; let r = r"crate::c"; }"#,
        ),
        (
            &b,
            "use super::{super::c::X, Y};\nfn g() -> Option<&'static str> { crate::c::f('x') }",
        ),
        (&c, "mod inner { use super::super::a::b::Thing; }"),
    ];
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (from, source) in sources {
        let scan = scan(from, source);
        for (here, path) in scan.paths {
            if let Some(to) = resolve(&here, &path, &modules, &children) {
                if !here.starts_with(&to) {
                    edges.entry(here).or_default().insert(to);
                }
            }
        }
    }
    // `a` uses its child `b`; `b`'s `super::Y` goes up to its parent and does not count.
    assert_eq!(edges.get(&a), Some(&[b.clone()].into()));
    assert_eq!(edges.get(&b), Some(&[c.clone()].into()));
    // The inline module `c::inner` uses `a::b`, which uses `c`: not a cycle of `c` itself.
    assert_eq!(
        edges.get(&module(&["c", "inner"])),
        Some(&[b.clone()].into())
    );
    assert_eq!(cycles(&edges), Vec::<Vec<ModPath>>::new());
    edges.entry(c.clone()).or_default().insert(b.clone());
    assert_eq!(cycles(&edges), vec![vec![b, c]]);
}
