//! Batches worked on while the next one is on its way: each batch is
//! prepared (parsed) on the blocking pool as soon as it has arrived, in
//! parallel with the commit of the batch before, and committed only once
//! that one has been reported. So commits stay in order, the store holds
//! exactly what was reported at each report, and memory stays bounded by
//! the number of batches in flight.

use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::sync::mpsc;
use tokio::task::JoinHandle;

/// Opens once the batch before has been committed and reported (or has
/// failed: a batch never waits for ever).
pub(crate) struct Gate(Option<mpsc::Receiver<()>>);

impl Gate {
    pub(crate) fn wait(self) {
        if let Some(reported) = self.0 {
            // Err once the sender is dropped, which is the signal.
            let _ = reported.recv();
        }
    }
}

#[derive(Default)]
pub(crate) struct Pipeline {
    /// Oldest first: (items in the batch, its work, the next one's gate).
    in_flight: VecDeque<(usize, JoinHandle<Result<usize>>, mpsc::Sender<()>)>,
    gate: Option<mpsc::Receiver<()>>,
}

impl Pipeline {
    /// Start `work` on a batch of `count` items on the blocking pool. It
    /// must call [`Gate::wait`] before it commits; it returns how many
    /// items it stored.
    pub(crate) fn push(
        &mut self,
        count: usize,
        work: impl FnOnce(Gate) -> Result<usize> + Send + 'static,
    ) {
        let (reported, next_gate) = mpsc::channel();
        let gate = Gate(self.gate.replace(next_gate));
        let job = tokio::task::spawn_blocking(move || work(gate));
        self.in_flight.push_back((count, job, reported));
    }

    /// Wait for the oldest batches until at most `keep` are in flight,
    /// calling `report(count, stored)` for each before the next may commit.
    pub(crate) async fn settle(
        &mut self,
        keep: usize,
        report: &mut impl FnMut(usize, usize),
    ) -> Result<()> {
        while self.in_flight.len() > keep {
            let Some((count, job, reported)) = self.in_flight.pop_front() else {
                break;
            };
            let stored = job.await.map_err(|e| Error::Internal(e.to_string()))??;
            report(count, stored);
            drop(reported);
        }
        Ok(())
    }
}
