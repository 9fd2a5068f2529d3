//! What a collector reports while it runs, whichever provider it reads: the binary shows
//! it as a progress bar and a summary line, the same for every collector.

use std::time::Duration;

/// One step of a collection; a task is one service in one region (or global).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    Planned {
        tasks: usize,
    },
    Started {
        task: &'a str,
    },
    Finished {
        task: &'a str,
        resources: usize,
        gaps: usize,
    },
}

pub trait Progress {
    fn event(&self, event: Event<'_>);
}

/// How a collection went, for its summary line.
#[derive(Debug, Clone)]
pub struct Stats {
    pub tasks: usize,
    /// The most tasks in flight at one time.
    pub peak_in_flight: usize,
    pub wall: Duration,
}
