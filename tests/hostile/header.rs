//! Every function prototype of include/swiftclient.h, read from the header
//! itself (not from a list kept by hand), and what each parameter is for a
//! hostile caller: a pointer that may be NULL, a C string that may not be
//! UTF-8, a JSON object, a name with a length limit, an out-parameter that
//! must stay untouched on failure, a number with values out of range.

const HEADER: &str = include_str!("../../include/swiftclient.h");

#[derive(Clone, Debug)]
pub struct Param {
    /// The C type as the header spells it, spaces normalised: "const char *".
    pub ty: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub ret: String,
    pub params: Vec<Param>,
}

/// The header without its comments.
fn code() -> String {
    let mut out = String::new();
    let mut rest = HEADER;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        let (at, close) = match (block, line) {
            (Some(b), Some(l)) if l < b => (l, "\n"),
            (Some(b), _) => (b, "*/"),
            (None, Some(l)) => (l, "\n"),
            (None, None) => break,
        };
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find(close)
            .map_or(rest.len(), |e| at + e + close.len());
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `const char * x` → ("const char *", "x"): the last word is the name.
fn param(text: &str) -> Param {
    let spaced = text.replace('*', " * ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let (name, ty) = words.split_last().expect("a parameter");
    let stars = ty.iter().filter(|w| **w == "*").count();
    let base: Vec<&str> = ty.iter().copied().filter(|w| *w != "*").collect();
    let mut ty = base.join(" ");
    if stars > 0 {
        ty = format!("{ty} {}", "*".repeat(stars));
    }
    Param {
        ty,
        name: name.to_string(),
    }
}

/// Every function the header declares inside its `extern "C"` block.
pub fn functions() -> Vec<Function> {
    let code = code();
    let start = code.find("extern \"C\" {").expect("the extern \"C\" block") + 12;
    let end = start + code[start..].find("#ifdef __cplusplus").expect("its end");
    let mut out = Vec::new();
    for decl in code[start..end].split(';') {
        let decl = decl.replace("SWC_MUST_USE", " ");
        let decl = decl
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ");
        let Some(open) = decl.find('(') else {
            assert!(decl.trim().is_empty(), "not a prototype: {decl}");
            continue;
        };
        let close = decl.rfind(')').expect("the parameter list closes");
        let head = param(&decl[..open]);
        let list = decl[open + 1..close].trim();
        let params = if list == "void" {
            Vec::new()
        } else {
            list.split(',').map(param).collect()
        };
        out.push(Function {
            name: head.name,
            ret: head.ty,
            params,
        });
    }
    out
}

/// What a parameter is, for choosing its hostile values.
impl Param {
    /// A C pointer or a function pointer (a callback typedef): NULL is a case.
    pub fn is_pointer(&self) -> bool {
        self.ty.ends_with('*') || self.is_callback()
    }

    pub fn is_callback(&self) -> bool {
        self.ty.starts_with("swc_") && self.ty.ends_with("_fn")
    }

    /// A NUL-terminated string the caller gives.
    pub fn is_c_string(&self) -> bool {
        self.ty == "const char *"
    }

    /// The error record's out-parameter.
    pub fn is_err(&self) -> bool {
        self.name == "err_json" && self.ty == "char **"
    }

    /// Where a result goes: written only on success.
    pub fn is_out(&self) -> bool {
        if self.is_err() || self.ty.starts_with("const") {
            return false;
        }
        self.ty.ends_with("**")
            || ["size_t *", "int64_t *", "bool *", "swc_status *"].contains(&self.ty.as_str())
    }

    /// The value an out-parameter points to: "char **" → "char *".
    pub fn pointee(&self) -> String {
        self.ty[..self.ty.len() - 1].trim_end().to_string()
    }

    /// A JSON object of options or a request (malformed, wrongly typed and
    /// unknown-key cases apply).
    pub fn is_json_object(&self) -> bool {
        self.is_c_string() && self.name.ends_with("_json") && self.name != "value_json"
    }

    /// JSON text of any kind (the accessors' input, a raw value).
    pub fn is_json_value(&self) -> bool {
        self.is_c_string() && (self.name == "json" || self.name == "value_json")
    }

    /// The longest name Swift takes, for a name parameter.
    pub fn name_limit(&self) -> Option<usize> {
        match (self.is_c_string(), self.name.as_str()) {
            (true, "container") => Some(256),
            (true, "object") => Some(1024),
            _ => None,
        }
    }

    /// Values out of range for a number parameter, as C expressions.
    pub fn out_of_range(&self) -> &'static [&'static str] {
        match (self.ty.as_str(), self.name.as_str()) {
            ("int", "fd") => &["-1"],
            ("int64_t", "length") => &["-2", "INT64_MIN"],
            ("int", "level") => &["-1", "99"],
            ("swc_status", _) => &["-1", "99", "INT32_MIN"],
            _ => &[],
        }
    }
}

/// The limits the header states agree with the ones used here.
pub fn limits() -> (usize, usize) {
    let number = |name: &str| -> usize {
        let at = HEADER.find(&format!("#define {name} ")).expect(name);
        let rest = &HEADER[at + name.len() + 9..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    (
        number("SWC_MAX_CONTAINER_NAME"),
        number("SWC_MAX_OBJECT_NAME"),
    )
}
