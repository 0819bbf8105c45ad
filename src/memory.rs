//! A client's ceiling on buffer memory (`memory_limit`): every operation
//! and call of the client draws from it, so what the library holds for
//! bodies in flight stays under the ceiling however many run at once.
//!
//! Half of it is for transfers: each request in flight reserves what a
//! request holds at most (its chunks in the body channel, the HTTP
//! stack's buffers: about 1 MiB, measured — see the README's memory
//! figures), a listing page more; a request waits for its share before it
//! starts, and holds nothing else while it waits, so waiting always ends.
//! The other half is for stream segments held in memory: a segment that
//! does not fit right now waits in an unlinked temporary file instead
//! (never waiting for memory while holding some: no deadlock).

use crate::error::{Error, Result, Status};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// What one request in flight holds at most.
pub(crate) const PER_TRANSFER: u64 = 1 << 20;
/// What a listing page (up to 10 000 entries of JSON) adds.
pub(crate) const PER_LISTING_PAGE: u64 = 3 << 20;
/// The smallest ceiling: a listing and a transfer must fit in its half.
pub(crate) const MIN_LIMIT: u64 = 2 * (PER_TRANSFER + PER_LISTING_PAGE);

/// Reservations are counted in KiB (a semaphore counts in u32).
const UNIT: u64 = 1024;

#[derive(Debug)]
pub struct MemoryBudget {
    limit: u64,
    /// Each half, in units.
    half: u32,
    transfers: Arc<Semaphore>,
    buffers: Arc<Semaphore>,
}

/// Memory held until dropped.
#[derive(Debug)]
pub struct Reservation(#[allow(dead_code)] OwnedSemaphorePermit);

impl MemoryBudget {
    pub fn new(limit: u64) -> Result<MemoryBudget> {
        if limit < MIN_LIMIT {
            return Err(Error::config(
                "memory_limit",
                format!("option \"memory_limit\" must be at least {MIN_LIMIT} bytes (8 MiB)"),
            ));
        }
        // Semaphores count at most u32::MAX >> 3 permits.
        let half = u32::try_from((limit / 2 / UNIT).min(u64::from(u32::MAX >> 3)))
            .unwrap_or(u32::MAX >> 3);
        Ok(MemoryBudget {
            limit,
            half,
            transfers: Arc::new(Semaphore::new(half as usize)),
            buffers: Arc::new(Semaphore::new(half as usize)),
        })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Waits until `bytes` of the transfers' half are free (or the call is
    /// cancelled).
    pub async fn transfer(&self, bytes: u64, cancel: &CancellationToken) -> Result<Reservation> {
        // More than the half could never be had: the half, then.
        let units = units(bytes).min(self.half);
        let sem = self.transfers.clone();
        tokio::select! {
            p = sem.acquire_many_owned(units) => p
                .map(Reservation)
                .map_err(|_| Error::internal("memory budget closed")),
            _ = cancel.cancelled() => Err(Error::new(Status::Cancelled, "cancelled")),
        }
    }

    /// `bytes` of the buffers' half when free now; `None` otherwise (the
    /// caller keeps the bytes elsewhere).
    pub fn buffer_now(&self, bytes: u64) -> Option<Reservation> {
        let units = units(bytes);
        self.buffers
            .clone()
            .try_acquire_many_owned(units)
            .ok()
            .map(Reservation)
    }
}

fn units(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_a_limit_is_refused() {
        let e = MemoryBudget::new(MIN_LIMIT - 1).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("memory_limit"));
        assert!(MemoryBudget::new(MIN_LIMIT).is_ok());
    }

    #[tokio::test]
    async fn transfers_wait_for_their_share_and_buffers_never_wait() {
        let b = MemoryBudget::new(16 << 20).unwrap();
        let cancel = CancellationToken::new();
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(b.transfer(PER_TRANSFER, &cancel).await.unwrap());
        }
        // The transfers' half (8 MiB) is taken: the next one waits...
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            b.transfer(PER_TRANSFER, &cancel),
        )
        .await;
        assert!(waiting.is_err(), "a ninth transfer did not wait");
        // ...until one ends.
        held.pop();
        assert!(b.transfer(PER_TRANSFER, &cancel).await.is_ok());
        // Buffers have their own half, and say no rather than wait.
        let one = b.buffer_now(6 << 20).expect("6 MiB of 8");
        assert!(b.buffer_now(4 << 20).is_none());
        drop(one);
        assert!(b.buffer_now(4 << 20).is_some());
        // A cancelled wait ends.
        held.push(b.transfer(PER_TRANSFER, &cancel).await.unwrap());
        cancel.cancel();
        assert!(b.transfer(PER_TRANSFER, &cancel).await.is_err());
    }
}
