//! A generated mailbox written straight into a Dovecot maildir: the same
//! messages on every machine (a fixed xorshift seed), in threads, with
//! RFC 2047 Cyrillic and Chinese names and subjects, some multipart with
//! HTML or a base64 attachment, and read/flagged/answered flags.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The sizes of the generated messages.
pub struct Shape {
    /// Text bytes per message: `text_min + r² × text_spread` with r
    /// uniform in [0, 1), so most lie near the low end.
    pub text_min: usize,
    pub text_spread: usize,
    /// Messages in a thousand that carry a base64 attachment, of
    /// `attachment_min` up to `attachment_min + attachment_spread` bytes
    /// before encoding.
    pub attachments_per_mille: usize,
    pub attachment_min: usize,
    pub attachment_spread: usize,
}

pub struct Mailbox {
    /// Bytes on disk (LF line ends; CRLF on the wire adds one per line).
    pub bytes: u64,
    pub attachments: usize,
    pub replies: usize,
    pub encoded_headers: usize,
}

impl Mailbox {
    /// The first lines of a benchmark's output: what was generated, its
    /// size on disk and over `protocol` (`wire_bytes`), and how long
    /// writing it and warming the server took.
    pub fn print_setup(
        &self,
        count: usize,
        protocol: &str,
        wire_bytes: u64,
        written: std::time::Duration,
        warmed: std::time::Duration,
    ) {
        println!(
            "mailbox: {count} messages, {} on disk ({} over {protocol}), {} with attachments, \
             {} replies in threads, {} with RFC 2047 Cyrillic/Chinese headers",
            size(self.bytes),
            size(wire_bytes),
            self.attachments,
            self.replies,
            self.encoded_headers,
        );
        println!(
            "written in {:.1} s, server warmed in {:.1} s; {} cores",
            written.as_secs_f64(),
            warmed.as_secs_f64(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
}

/// Bytes in GB from one GB up, else in MB.
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000_000 {
        format!("{:.2} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

/// xorshift64*: the same mailbox on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const PEOPLE: &[(&str, &str)] = &[
    ("Айгерим Нурланова", "aigerim@example.kz"),
    ("Дмитрий Иванов", "dmitry@example.ru"),
    ("Ерлан Сапаров", "erlan@example.kz"),
    ("王小明", "xiaoming@example.cn"),
    ("李娜", "lina@example.cn"),
    ("张伟", "zhangwei@example.cn"),
    ("Jürgen Müller", "juergen@example.de"),
    ("Alice Smith", "alice.smith@example.com"),
    ("Bob Jones", "bob.jones@example.com"),
    ("Carol White", "carol@example.org"),
];

pub const SUBJECTS: &[&str] = &[
    "Отчёт за квартал",
    "Встреча в четверг",
    "Бюджет проекта на следующий год и согласование сроков",
    "会议纪要",
    "项目进度更新",
    "关于下周出差的安排",
    "Quarterly report",
    "Invoice for November",
    "Release planning",
    "Lunch?",
    "Жиналыс күн тәртібі",
    "Travel plans for the conference",
];

pub const WORDS: &[&str] = &[
    "invoice",
    "meeting",
    "report",
    "budget",
    "review",
    "release",
    "project",
    "deadline",
    "please",
    "thanks",
    "attached",
    "schedule",
    "the",
    "and",
    "of",
    "to",
    "we",
    "will",
    "встреча",
    "отчёт",
    "бюджет",
    "проект",
    "сроки",
    "спасибо",
    "пожалуйста",
    "документ",
    "жиналыс",
    "есеп",
    "会议",
    "报告",
    "预算",
    "项目",
    "谢谢",
    "附件",
    "时间",
    "安排",
];

/// `text` as RFC 2047 encoded words when it is not ASCII.
pub fn encode_header(text: &str) -> (String, bool) {
    if text.is_ascii() {
        return (text.to_string(), false);
    }
    // At most 45 bytes of UTF-8 per word keeps each word within 75 chars.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    (words.join("\n "), true)
}

pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text of about `bytes` bytes in lines of ~70 characters.
pub fn text(rng: &mut Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 80);
    let mut line = 0;
    while out.len() < bytes {
        let w = rng.pick(WORDS);
        out.push_str(w);
        line += w.len() + 1;
        if line > 70 {
            out.push('\n');
            line = 0;
        } else {
            out.push(' ');
        }
    }
    out.push('\n');
    out
}

/// Write `count` messages shaped by `shape` into `maildir`'s cur/ as
/// Dovecot would have delivered them (S= and W= sizes in the names),
/// oldest first, owned by the maildir's owner, who is `owner` (display
/// name, address) in To: and the Received: lines.
pub fn generate(maildir: &Path, count: usize, shape: &Shape, owner: (&str, &str)) -> Mailbox {
    use std::os::unix::fs::MetadataExt;
    let cur = maildir.join("cur");
    let meta = fs::metadata(&cur).expect("maildir cur/ (created at first login)");
    let (uid, gid) = (meta.uid(), meta.gid());
    let (owner_name, owner_address) = owner;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ids: Vec<(String, String)> = Vec::new(); // (message-id, references)
    let mut subjects: Vec<String> = Vec::new();
    let mut mailbox = Mailbox {
        bytes: 0,
        attachments: 0,
        replies: 0,
        encoded_headers: 0,
    };
    let base = 1_700_000_000i64;
    for n in 0..count {
        let date = base + n as i64 * 600 + rng.below(300) as i64;
        let (from_name, from_addr) = *rng.pick(PEOPLE);
        let (to_name, to_addr) = *rng.pick(PEOPLE);
        let message_id = format!("<bench.{n}.{:x}@example.test>", rng.next() & 0xffff_ffff);
        let mut head = String::with_capacity(2048);
        for hop in 0..2 + rng.below(3) {
            head.push_str(&format!(
                "Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{}])\n\
                 \tby mail.example.test (Postfix) with ESMTPS id {:X}\n\
                 \tfor <{owner_address}>; {}\n",
                rng.below(250),
                rng.next(),
                rfc2822(date - hop as i64 * 7)
            ));
        }
        let (from_enc, a) = encode_header(from_name);
        let (to_enc, b) = encode_header(to_name);
        head.push_str(&format!(
            "From: {from_enc} <{from_addr}>\nTo: {to_enc} <{to_addr}>, {owner_name} <{owner_address}>\n"
        ));
        if rng.percent(30) {
            let (cc_name, cc_addr) = *rng.pick(PEOPLE);
            head.push_str(&format!("Cc: {} <{cc_addr}>\n", encode_header(cc_name).0));
        }
        // Threads: four in ten reply to one of the last few hundred.
        let subject = if !ids.is_empty() && rng.percent(40) {
            let parent = ids.len() - 1 - rng.below(ids.len().min(300));
            let (parent_id, parent_refs) = ids[parent].clone();
            let mut refs: Vec<&str> = parent_refs.split_whitespace().collect();
            refs.push(&parent_id);
            let keep = refs.len().saturating_sub(10);
            let refs = refs[keep..].join("\n ");
            head.push_str(&format!("In-Reply-To: {parent_id}\nReferences: {refs}\n"));
            mailbox.replies += 1;
            let refs = refs.replace("\n ", " ");
            ids.push((message_id.clone(), refs));
            format!("Re: {}", subjects[parent].trim_start_matches("Re: "))
        } else {
            ids.push((message_id.clone(), String::new()));
            format!("{} #{n}", rng.pick(SUBJECTS))
        };
        let (subject_enc, c) = encode_header(&subject);
        subjects.push(subject);
        if a || b || c {
            mailbox.encoded_headers += 1;
        }
        head.push_str(&format!(
            "Subject: {subject_enc}\nDate: {}\nMessage-ID: {message_id}\n\
             MIME-Version: 1.0\nX-Mailer: Bench Mailer 1.0\n",
            rfc2822(date)
        ));
        let r = rng.below(1000) as f64 / 1000.0;
        let text_bytes = shape.text_min + (r * r * shape.text_spread as f64) as usize;
        let body = text(&mut rng, text_bytes);
        let mut raw = head;
        if rng.below(1000) < shape.attachments_per_mille {
            mailbox.attachments += 1;
            let size = shape.attachment_min + rng.below(shape.attachment_spread);
            let data: Vec<u8> = (0..size.div_ceil(8))
                .flat_map(|_| rng.next().to_le_bytes())
                .take(size)
                .collect();
            let encoded = base64(&data);
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"mix{n}\"\n\n\
                 --mix{n}\nContent-Type: text/plain; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n{body}\n--mix{n}\n\
                 Content-Type: application/pdf; name=\"document-{n}.pdf\"\n\
                 Content-Disposition: attachment; filename=\"document-{n}.pdf\"\n\
                 Content-Transfer-Encoding: base64\n\n"
            ));
            for line in encoded.as_bytes().chunks(76) {
                raw.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                raw.push('\n');
            }
            raw.push_str(&format!("--mix{n}--\n"));
        } else if rng.percent(25) {
            raw.push_str(&format!(
                "Content-Type: multipart/alternative; boundary=\"alt{n}\"\n\n\
                 --alt{n}\nContent-Type: text/plain; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n{body}\n--alt{n}\n\
                 Content-Type: text/html; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n<html><body><p>{}</p></body></html>\n\
                 --alt{n}--\n",
                body.replace('\n', "<br>\n")
            ));
        } else {
            raw.push_str(&format!(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}"
            ));
        }
        let flags = match rng.below(100) {
            0..=79 => "S",
            80..=82 => "FS",
            83..=85 => "RS",
            _ => "",
        };
        let size = raw.len();
        let crlf_size = size + raw.matches('\n').count();
        let name = format!("{date}.M{n}P1.bench,S={size},W={crlf_size}:2,{flags}");
        let path = cur.join(name);
        let mut file = fs::File::create(&path).expect("create message file");
        file.write_all(raw.as_bytes()).expect("write message");
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown message");
        mailbox.bytes += size as u64;
    }
    mailbox
}

pub fn rfc2822(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .expect("date")
        .to_rfc2822()
}
