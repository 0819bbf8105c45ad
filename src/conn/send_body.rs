//! Sending an upload body: a small one of known length read whole and
//! sent in one write; a larger one (or one of unknown length) streamed
//! chunk by chunk through a channel, held to its announced length, with
//! the MD5 and length of what went out.

use super::body::{BodySource, CHUNK};
use crate::error::{Error, Result};
use crate::hex::hex;
use bytes::Bytes;
use md5::{Digest, Md5};

/// Streams `body` into a request, reading it on this task, and returns the
/// request's outcome with the MD5 and length of what was read; an error
/// when the body source failed (the request's outcome is then moot). A body
/// of known length up to one chunk is read first and sent whole: one write
/// for headers and body, no channel, no stream. `etag_sent`: the MD5 the
/// request carries as its ETag, which the server checks, so it is not
/// computed a second time (a 2xx means the body had it).
pub(super) async fn send_with_body(
    rb: reqwest::RequestBuilder,
    body: &mut dyn BodySource,
    etag_sent: Option<&str>,
) -> Result<(
    std::result::Result<reqwest::Response, reqwest::Error>,
    (String, u64),
)> {
    if let Some(len) = body.len().filter(|&l| l <= CHUNK as u64) {
        let buf = read_small(body, len as usize)?;
        let digest = hex(&Md5::digest(&buf));
        let n = buf.len() as u64;
        return Ok((rb.body(buf).send().await, (digest, n)));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<std::result::Result<Bytes, std::io::Error>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let send = rb.body(reqwest::Body::wrap_stream(stream)).send();
    let hashing = etag_sent.is_none();
    let pump = async move {
        let mut md5 = Md5::new();
        let mut total = 0u64;
        let known = body.len();
        loop {
            let buf = match next_chunk(body, known, total) {
                Ok(Some(buf)) => buf,
                Ok(None) => break,
                Err(e) => {
                    // Fails the request: nothing is stored.
                    let _ = tx
                        .send(Err(std::io::Error::other("body source failed")))
                        .await;
                    return Err(e);
                }
            };
            if hashing {
                md5.update(&buf);
            }
            total += buf.len() as u64;
            if tx.send(Ok(Bytes::from(buf))).await.is_err() {
                // The request ended before the body did (error or early answer).
                break;
            }
            if known == Some(total) {
                break;
            }
        }
        let digest = match etag_sent {
            Some(e) => e.to_ascii_lowercase(),
            None => hex(&md5.finalize()),
        };
        Ok((digest, total))
    };
    let (r, pumped) = tokio::join!(send, pump);
    pumped.map(|p| (r, p))
}

/// The next chunk of a streamed body (`None` at its end), held to its
/// announced length: a source that ends early, or gives more than it
/// announced, is an error before the chunk that completes the length goes
/// out, because a server that has every announced byte stores the object
/// (cut short, if the source had more).
fn next_chunk(
    body: &mut dyn BodySource,
    known: Option<u64>,
    total: u64,
) -> Result<Option<Vec<u8>>> {
    // No bigger than what is left of a body of known length, +1 to see a
    // source that goes on past it.
    let want = known.map_or(CHUNK, |l| (l.saturating_sub(total) as usize + 1).min(CHUNK));
    let mut buf = vec![0u8; want];
    let n = body.read(&mut buf)?;
    buf.truncate(n);
    let Some(l) = known else {
        return Ok((n > 0).then_some(buf));
    };
    let now = total + n as u64;
    let too_long = || {
        Error::invalid(format!(
            "the upload source gave more than the {l} bytes announced"
        ))
    };
    if n == 0 && now < l {
        return Err(Error::invalid(format!(
            "the upload source ended after {now} of the {l} bytes announced"
        )));
    }
    if now > l {
        return Err(too_long());
    }
    if n > 0 && now == l && body.read(&mut [0u8; 1])? > 0 {
        return Err(too_long());
    }
    Ok((n > 0).then_some(buf))
}

/// Reads a body of announced length `len` (small) whole. A source that
/// gives fewer or more bytes than it announced is an error: sending it
/// would contradict the Content-Length already set.
fn read_small(body: &mut dyn BodySource, len: usize) -> Result<Vec<u8>> {
    // One byte of room past the end, to see a source longer than announced.
    let mut buf = vec![0u8; len + 1];
    let mut got = 0;
    while got < buf.len() {
        let n = body.read(&mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if got != len {
        return Err(Error::invalid(format!(
            "the upload source gave {} bytes where {len} were announced",
            if got > len {
                format!("more than {len}")
            } else {
                got.to_string()
            }
        )));
    }
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::body::BytesSource;
    use crate::error::Status;

    /// A source that announces one length and gives another.
    struct Liar(BytesSource<Vec<u8>>, u64);
    impl BodySource for Liar {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
            self.0.read(buf)
        }
        fn rewind(&mut self) -> Result<bool> {
            self.0.rewind()
        }
        fn len(&self) -> Option<u64> {
            Some(self.1)
        }
    }

    #[test]
    fn a_small_body_is_read_whole_and_must_match_its_length() {
        let mut ok = BytesSource::new(b"hello".to_vec());
        assert_eq!(read_small(&mut ok, 5).unwrap(), b"hello");
        let e = read_small(&mut Liar(BytesSource::new(b"hello".to_vec()), 4), 4).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument, "{e}");
        assert!(e.message.contains("more than 4 bytes where 4"), "{e}");
        let e = read_small(&mut Liar(BytesSource::new(b"hi".to_vec()), 5), 5).unwrap_err();
        assert!(e.message.contains("gave 2 bytes where 5"), "{e}");
    }

    /// Gives at most 7 bytes a read, as a pipe might.
    struct Trickle(Liar);
    impl BodySource for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
            let n = buf.len().min(7);
            self.0.read(&mut buf[..n])
        }
        fn rewind(&mut self) -> Result<bool> {
            self.0.rewind()
        }
        fn len(&self) -> Option<u64> {
            self.0.len()
        }
    }

    /// Reads a streamed body to its end the way the request does.
    fn stream_all(body: &mut dyn BodySource) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let known = body.len();
        while let Some(c) = next_chunk(body, known, out.len() as u64)? {
            out.extend(c);
            if known == Some(out.len() as u64) {
                break;
            }
        }
        Ok(out)
    }

    #[test]
    fn a_streamed_body_must_match_its_length_before_its_last_chunk_goes() {
        let data: Vec<u8> = (0..100u8).collect();
        let liar = |len| Liar(BytesSource::new(data.clone()), len);
        assert_eq!(stream_all(&mut liar(100)).unwrap(), data);
        assert_eq!(stream_all(&mut Trickle(liar(100))).unwrap(), data);
        // Longer than announced: refused, whether the extra bytes come with
        // the last announced ones or only in the read after them.
        for e in [
            stream_all(&mut liar(70)).unwrap_err(),
            stream_all(&mut Trickle(liar(70))).unwrap_err(),
        ] {
            assert_eq!(e.status, Status::InvalidArgument, "{e}");
            assert!(e.message.contains("more than the 70 bytes"), "{e}");
        }
        let e = stream_all(&mut Trickle(liar(130))).unwrap_err();
        assert!(e.message.contains("ended after 100 of the 130"), "{e}");
        let mut unknown = BytesSource::new(data.clone());
        assert_eq!(next_chunk(&mut unknown, None, 0).unwrap().unwrap(), data);
    }
}
